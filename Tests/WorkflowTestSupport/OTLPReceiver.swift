import Foundation
import WorkflowConcurrency
import WorkflowJSON

/// An OTLP/HTTP trace receiver of a test's own (Contrib/dev/otlp-receiver.py, in the Python
/// environment Contrib/dev/python-tools makes): it decodes what it is sent with the official
/// protocol buffer definitions and hands each span over as JSON. It ends with the test process.
public final class OTLPReceiver: Sendable {
    /// Where to send spans (`http://127.0.0.1:PORT`; the exporter adds `/v1/traces`).
    public let endpoint: String
    private let process: ChildProcess.Running
    private let received = Locked<[JSON]>([])

    private init(endpoint: String, process: ChildProcess.Running) {
        self.endpoint = endpoint
        self.process = process
    }

    /// The spans received so far.
    public var spans: [JSON] { received.withLock { $0 } }

    /// What the receiver could not decode (its stderr), for a failing test's message.
    public var complaints: String { process.stderrTail }

    /// Starts a receiver on a free loopback port.
    public static func start() async throws -> OTLPReceiver {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let python = root.appendingPathComponent(".build/venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ChildProcess.Failure(description: "no Python environment at \(python): run Contrib/dev/python-tools (Contrib/dev/test does)")
        }
        let portFile = NSTemporaryDirectory() + "otlp-port-\(UInt64.random(in: 0...UInt64.max))"
        defer { try? FileManager.default.removeItem(atPath: portFile) }
        let process = try ChildProcess.start(python, [root.appendingPathComponent("Contrib/dev/otlp-receiver.py").path, portFile],
                                             environment: ["PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1"], holdingInput: true)
        let port = try await within(.seconds(30), "the OTLP receiver to listen") {
            while true {
                if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) { return port }
                if process.hasExited { throw ChildProcess.Failure(description: "the OTLP receiver ended: \(process.stderrTail)") }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        let receiver = OTLPReceiver(endpoint: "http://127.0.0.1:\(port)", process: process)
        Task {
            for await line in process.lines {
                if let span = try? JSONParser.parse(line) { receiver.received.withLock { $0.append(span) } }
            }
        }
        return receiver
    }

    /// Waits (up to `limit`) until the spans received satisfy `condition`; returns them.
    public func spans(within limit: Duration = .seconds(30), until condition: @escaping @Sendable ([JSON]) -> Bool) async throws -> [JSON] {
        try await within(limit, "the spans to arrive") {
            while true {
                let spans = self.spans
                if condition(spans) { return spans }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Stops the receiver.
    public func stop() async { _ = await process.kill(SIGTERM) }
}
