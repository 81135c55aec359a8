import Tracing

/// OTLP's `ExportTraceServiceRequest` (opentelemetry-proto, `collector/trace/v1`) in protocol
/// buffers, as OTLP/HTTP sends it (`Content-Type: application/x-protobuf`).
enum OTLPEncoding {
    /// One request: the resource (its attributes), one instrumentation scope, the spans.
    static func request(resource: [(String, SpanAttribute)], scope: (name: String, version: String), spans: [FinishedSpan]) -> [UInt8] {
        var writer = ProtobufWriter()
        writer.message(1) { resourceSpans in                      // ResourceSpans
            resourceSpans.message(1) { resourceMessage in           // Resource
                for (key, value) in resource { resourceMessage.message(1) { keyValue(&$0, key, value) } }
            }
            resourceSpans.message(2) { scopeSpans in                // ScopeSpans
                scopeSpans.message(1) { scopeMessage in             // InstrumentationScope
                    scopeMessage.string(1, scope.name)
                    scopeMessage.string(2, scope.version)
                }
                for span in spans { scopeSpans.message(2) { encode(span, &$0) } }
            }
        }
        return writer.bytes
    }

    static func encode(_ span: FinishedSpan, _ writer: inout ProtobufWriter) {
        writer.data(1, span.context.traceID)
        writer.data(2, span.context.spanID)
        if let parent = span.parentSpanID { writer.data(4, parent) }
        writer.string(5, span.name)
        writer.varint(6, kind(span.kind))
        writer.fixed64(7, span.start)
        writer.fixed64(8, max(span.end, span.start))
        for (key, value) in span.attributes { writer.message(9) { keyValue(&$0, key, value) } }
        for event in span.events {
            writer.message(11) { message in
                message.fixed64(1, event.time)
                message.string(2, event.name)
                for (key, value) in event.attributes { message.message(3) { keyValue(&$0, key, value) } }
            }
        }
        for link in span.links {
            writer.message(13) { message in
                message.data(1, link.context.traceID)
                message.data(2, link.context.spanID)
                for (key, value) in link.attributes { message.message(4) { keyValue(&$0, key, value) } }
                message.fixed32(6, 0x100 | UInt32(link.context.flags))
            }
        }
        if let status = span.status {
            writer.message(15) { message in
                if let text = status.message { message.string(2, text) }
                message.varint(3, status.code == .ok ? 1 : 2)
            }
        }
        // SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK, and whether the parent was remote: left out (0).
        writer.fixed32(16, UInt32(span.context.flags))
    }

    static func kind(_ kind: SpanKind) -> UInt64 {
        switch kind {
        case .internal: 1
        case .server: 2
        case .client: 3
        case .producer: 4
        case .consumer: 5
        }
    }

    static func keyValue(_ writer: inout ProtobufWriter, _ key: String, _ value: SpanAttribute) {
        writer.string(1, key)
        writer.message(2) { anyValue(&$0, value) }
    }

    static func anyValue(_ writer: inout ProtobufWriter, _ value: SpanAttribute) {
        func array(_ values: [SpanAttribute]) {
            writer.message(5) { list in for value in values { list.message(1) { anyValue(&$0, value) } } }
        }
        switch value {
        case .string(let text): writer.present(1, Array(text.utf8))  // a oneof: set even when empty
        case .bool(let flag): writer.presentVarint(2, flag ? 1 : 0)
        case .int32(let number): writer.presentVarint(3, UInt64(bitPattern: Int64(number)))
        case .int64(let number): writer.presentVarint(3, UInt64(bitPattern: number))
        case .double(let number): writer.double(4, number)
        case .stringArray(let texts): array(texts.map { .string($0) })
        case .boolArray(let flags): array(flags.map { .bool($0) })
        case .int32Array(let numbers): array(numbers.map { .int64(Int64($0)) })
        case .int64Array(let numbers): array(numbers.map { .int64($0) })
        case .doubleArray(let numbers): array(numbers.map { .double($0) })
        case .stringConvertible(let value): writer.present(1, Array(value.description.utf8))
        case .stringConvertibleArray(let values): array(values.map { .string($0.description) })
        default: writer.present(1, Array("\(value)".utf8))
        }
    }
}
