import Tracing

/// OTLP's `ExportTraceServiceRequest` (opentelemetry-proto, `collector/trace/v1`) in protocol
/// buffers, as OTLP/HTTP sends it (`Content-Type: application/x-protobuf`).
enum OTLPEncoding {
    /// One request: the resource (its attributes), one instrumentation scope, the spans.
    static func request(resource: [(String, SpanAttribute)], scope: (name: String, version: String), spans: [FinishedSpan]) -> [UInt8] {
        // About 400 bytes a span (names, ids, times, a few attributes): room for them at once.
        var writer = ProtobufWriter(capacity: 256 + 512 * spans.count)
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
        writer.id(1, high: span.context.traceIDHigh, low: span.context.traceIDLow)
        writer.id(2, span.context.spanID)
        if let parent = span.parentSpanID { writer.id(4, parent) }
        writer.string(5, span.name)
        writer.varint(6, kind(span.kind))
        writer.fixed64(7, span.start)
        writer.fixed64(8, max(span.end, span.start))
        attributes(span.attributes, field: 9, &writer)
        for event in span.events.prefix(OTLPSpan.limit) {
            writer.message(11) { message in
                message.fixed64(1, event.nanosecondsSinceEpoch)
                message.string(2, event.name)
                attributes(event.attributes, field: 3, &message)
            }
        }
        for link in span.links.prefix(OTLPSpan.limit) {
            guard let context = link.context.traceContext else { continue }
            writer.message(13) { message in
                message.id(1, high: context.traceIDHigh, low: context.traceIDLow)
                message.id(2, context.spanID)
                attributes(link.attributes, field: 4, &message)
                message.fixed32(6, 0x100 | UInt32(context.flags))
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

    /// Attributes as KeyValue fields `field`, ``OTLPSpan/limit`` at most.
    static func attributes(_ attributes: SpanAttributes, field: Int, _ writer: inout ProtobufWriter) {
        var count = 0
        attributes.forEach { key, value in
            guard count < OTLPSpan.limit else { return }
            count += 1
            writer.message(field) { keyValue(&$0, key, value) }
        }
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
        case .string(let text): writer.presentString(1, text)  // a oneof: set even when empty
        case .bool(let flag): writer.presentVarint(2, flag ? 1 : 0)
        case .int32(let number): writer.presentVarint(3, UInt64(bitPattern: Int64(number)))
        case .int64(let number): writer.presentVarint(3, UInt64(bitPattern: number))
        case .double(let number): writer.double(4, number)
        case .stringArray(let texts): array(texts.map { .string($0) })
        case .boolArray(let flags): array(flags.map { .bool($0) })
        case .int32Array(let numbers): array(numbers.map { .int64(Int64($0)) })
        case .int64Array(let numbers): array(numbers.map { .int64($0) })
        case .doubleArray(let numbers): array(numbers.map { .double($0) })
        case .stringConvertible(let value): writer.presentString(1, value.description)
        case .stringConvertibleArray(let values): array(values.map { .string($0.description) })
        default: writer.presentString(1, "\(value)")
        }
    }
}
