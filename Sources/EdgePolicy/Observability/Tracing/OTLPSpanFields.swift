import EdgeUpstream

/// The fields of one OTLP `Span` (opentelemetry-proto `trace/v1/trace.proto`), written one by one: by
/// ``OTLPTraceEncoder`` for a ``SpanRecord``, and by the tracer straight into its loop's buffer
/// (``SpanExporter/withSpanWriter(on:_:)``), so that a sampled request builds no record, no attribute
/// array and no strings for its spans. Both ways give the same bytes.
extension OTLPTraceEncoder.Writer {
    /// `trace_id = 1`, `span_id = 2`, `trace_state = 3`, `parent_span_id = 4`, `name = 5`, `kind = 6`,
    /// `start_time_unix_nano = 7`, `end_time_unix_nano = 8`: what comes before the attributes.
    package mutating func spanHeader(
        traceID: TraceID, spanID: UInt64, parentSpanID: UInt64, traceState: String?, name: String, kind: SpanRecord.Kind,
        start: UInt64, end: UInt64
    ) {
        // Ids as bytes, big-endian as in traceparent.
        tag(1, wireType: 2)
        byte(16)
        bigEndian(traceID.high)
        bigEndian(traceID.low)
        tag(2, wireType: 2)
        byte(8)
        bigEndian(spanID)
        if let traceState, !traceState.isEmpty { string(3, traceState) }
        if parentSpanID != 0 {
            tag(4, wireType: 2)
            byte(8)
            bigEndian(parentSpanID)
        }
        string(5, name)
        // SPAN_KIND_SERVER = 2, SPAN_KIND_CLIENT = 3
        tag(6, wireType: 0)
        byte(kind == .server ? 2 : 3)
        // fixed64
        tag(7, wireType: 1)
        littleEndian(start)
        tag(8, wireType: 1)
        littleEndian(end)
    }

    /// A string attribute (`attributes = 9`) whose key is a literal.
    @inline(__always)
    package mutating func attribute(_ key: StaticString, _ value: String) {
        var value = value
        value.withUTF8 { attribute(key, bytes: UnsafeRawBufferPointer($0)) }
    }

    /// A string attribute from part of a string (the request target's path).
    @inline(__always)
    package mutating func attribute(_ key: StaticString, _ value: Substring) {
        var value = value
        value.withUTF8 { attribute(key, bytes: UnsafeRawBufferPointer($0)) }
    }

    /// A string attribute whose value is a literal too.
    @inline(__always)
    package mutating func attribute(_ key: StaticString, literal value: StaticString) {
        attribute(key, bytes: UnsafeRawBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount))
    }

    /// `KeyValue { key = 1, value = 2: AnyValue { string_value = 1 } }` as field 9.
    package mutating func attribute(_ key: StaticString, bytes value: UnsafeRawBufferPointer) {
        message(9, reserving: 1) { writer in
            writer.staticString(1, key)
            writer.message(2, reserving: 1) { writer in
                writer.tag(1, wireType: 2)
                writer.varint(UInt64(value.count))
                writer.append(value)
            }
        }
    }

    /// An integer attribute: `AnyValue { int_value = 3 }`.
    package mutating func attribute(_ key: StaticString, _ value: Int64) {
        message(9, reserving: 1) { writer in
            writer.staticString(1, key)
            writer.message(2, reserving: 1) { writer in
                writer.tag(3, wireType: 0)
                writer.varint(UInt64(bitPattern: value))
            }
        }
    }

    /// `events = 11 { time_unix_nano = 1, name = 2, attributes = 3 }`.
    package mutating func event(_ event: SpanEvent) {
        message(11, reserving: 1) { writer in
            writer.tag(1, wireType: 1)
            writer.littleEndian(event.timeUnixNano)
            writer.string(2, event.name)
            for attribute in event.attributes { writer.attribute(3, key: attribute.key, value: attribute.value) }
        }
    }

    /// `status = 15 { message = 2, code = 3 }` (STATUS_CODE_OK = 1, STATUS_CODE_ERROR = 2); nothing when unset.
    package mutating func status(_ status: SpanRecord.Status) {
        switch status {
        case .unset:
            break
        case .ok:
            message(15, reserving: 1) { writer in
                writer.tag(3, wireType: 0)
                writer.byte(1)
            }
        case .error(let text):
            message(15, reserving: 1) { writer in
                if !text.isEmpty { writer.string(2, text) }
                writer.tag(3, wireType: 0)
                writer.byte(2)
            }
        }
    }

    @inline(__always)
    package mutating func staticString(_ field: Int, _ text: StaticString) {
        tag(field, wireType: 2)
        varint(UInt64(text.utf8CodeUnitCount))
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
