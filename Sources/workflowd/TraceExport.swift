import ArgumentParser
import Logging
import ServiceLifecycle
import Tracing
import WorkflowTelemetry

/// Tracing's configuration, from `--otlp-endpoint` and OpenTelemetry's standard variables
/// (`OTEL_EXPORTER_OTLP_*`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_SDK_DISABLED`,
/// `OTEL_TRACES_EXPORTER`), and the service that sends the spans: it runs beside the daemon and,
/// once the daemon has stopped, sends what is left.
struct TraceExport: Service {
    let exporter: OTLPExporter

    /// The exporter to use, or nil when tracing is off (no endpoint, or turned off).
    /// - Throws: a `ValidationError` naming the option or variable that is wrong.
    static func configured(endpoint option: String?, environment: [String: String], logger: Logger) throws -> OTLPExporter? {
        if environment["OTEL_SDK_DISABLED"]?.lowercased() == "true" { return nil }
        if let exporter = environment["OTEL_TRACES_EXPORTER"], !exporter.isEmpty {
            switch exporter.lowercased() {
            case "none": return nil
            case "otlp": break
            default: throw ValidationError("OTEL_TRACES_EXPORTER: '\(exporter)' is not supported (otlp or none)")
            }
        }
        for variable in ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"] {
            if let value = environment[variable], !value.isEmpty, value != "http/protobuf" {
                throw ValidationError("\(variable): '\(value)' is not supported: workflowd exports OTLP/HTTP in protocol buffers (http/protobuf)")
            }
        }
        let endpoint: OTLPEndpoint
        do {
            if let option {
                endpoint = try OTLPEndpoint(parsing: option)
            } else if let specific = environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"], !specific.isEmpty {
                endpoint = try OTLPEndpoint(parsing: specific, signalSpecific: true)
            } else if let base = environment["OTEL_EXPORTER_OTLP_ENDPOINT"], !base.isEmpty {
                endpoint = try OTLPEndpoint(parsing: base)
            } else {
                return nil
            }
        } catch {
            throw ValidationError("\(option == nil ? "OTEL_EXPORTER_OTLP_ENDPOINT" : "--otlp-endpoint"): \(error)")
        }
        var resource = [("service.name", environment["OTEL_SERVICE_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? "workflowd")]
        for (key, value) in Self.pairs(environment["OTEL_RESOURCE_ATTRIBUTES"] ?? "") where key != "service.name" || environment["OTEL_SERVICE_NAME"] == nil {
            if key == "service.name" { resource[0].1 = value } else { resource.append((key, value)) }
        }
        resource += [("service.version", "1.0.0"), ("telemetry.sdk.name", "workflowd"), ("telemetry.sdk.language", "swift")]
        let headers = Self.pairs(environment["OTEL_EXPORTER_OTLP_TRACES_HEADERS"] ?? environment["OTEL_EXPORTER_OTLP_HEADERS"] ?? "")
        return OTLPExporter(endpoint: endpoint, resource: resource, headers: headers, logger: logger)
    }

    /// `key1=value1,key2=value2` (values percent-decoded), as the OTEL_* lists are written.
    static func pairs(_ text: String) -> [(String, String)] {
        func trimmed(_ text: Substring) -> String {
            String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
        }
        return text.split(separator: ",").compactMap { item in
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            let key = trimmed(parts[0])
            return key.isEmpty ? nil : (key, percentDecoded(trimmed(parts[1])))
        }
    }

    /// `%2C` and the like turned back into their bytes (a malformed escape is kept as written).
    static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var input = Array(text.utf8)[...]
        while let byte = input.first {
            if byte == UInt8(ascii: "%"), input.count >= 3,
               let value = UInt8(String(decoding: input.dropFirst().prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                input = input.dropFirst(3)
            } else {
                bytes.append(byte)
                input = input.dropFirst()
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown { await exporter.run() }
    }
}
