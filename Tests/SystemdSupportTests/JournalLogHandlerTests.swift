import Logging
import SystemdSupport
import Testing

/// The journal handler's fields for one entry, without a journal: what `journalctl FIELD=value`
/// finds.
@Suite("Journal entries' fields")
struct JournalLogHandlerTests {
    static func event(_ metadata: Logger.Metadata? = nil) -> LogEvent {
        LogEvent(level: .warning, message: "a run failed", metadata: metadata, source: nil, file: "f.swift", function: "g()", line: 7)
    }

    @Test("what the metadata provider adds (a traced run's ids) becomes TRACE_ID= and SPAN_ID=; an entry's own metadata wins a clash; no provider, no fields")
    func providerFields() {
        let provider = Logger.MetadataProvider { ["trace.id": "4bf92f3577b34da6a3ce929d0e0e4736", "span.id": "00f067aa0ba902b7", "run": "from-provider"] }
        let traced = JournalLogHandler(identifier: "workflowd", level: .info, metadataProvider: provider)
        let fields = traced.fields(Self.event(["run": "r-1"]))
        #expect(fields.contains("TRACE_ID=4bf92f3577b34da6a3ce929d0e0e4736") && fields.contains("SPAN_ID=00f067aa0ba902b7"), "\(fields)")
        #expect(fields.contains("RUN=r-1") && !fields.contains("RUN=from-provider"), "\(fields)")
        #expect(fields.contains("PRIORITY=4") && fields.contains("MESSAGE=a run failed"), "\(fields)")
        let plain = JournalLogHandler(identifier: "workflowd", level: .info).fields(Self.event())
        #expect(!plain.contains { $0.hasPrefix("TRACE_ID=") || $0.hasPrefix("SPAN_ID=") }, "\(plain)")
    }
}
