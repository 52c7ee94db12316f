import NIOCore

/// Writes an OTLP `ExportTraceServiceRequest` (opentelemetry-proto `collector/trace/v1`) by hand: one
/// `ResourceSpans` (resource attribute `service.name`), one `ScopeSpans` (scope `edge`), then the spans.
/// Only the fields the edge's spans use are written; field numbers are those of opentelemetry-proto's
/// `trace/v1/trace.proto`, `common/v1/common.proto` and `resource/v1/resource.proto`.
///
/// Nested messages are written in place: a length slot is reserved, the message written after it, and
/// the slot fixed up (moving the message when its length needs a different number of bytes), so each
/// byte is written about once and nothing is sized twice.
public enum OTLPTraceEncoder {
    /// The instrumentation scope name on every span.
    public static let scopeName = "edge"

    public static func encode(serviceName: String, spans: some Collection<SpanRecord>, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        encode(serviceName: serviceName, batches: CollectionOfOne(spans), allocator: allocator)
    }

    /// One request holding every span of every batch, in order.
    public static func encode<Batch: Collection<SpanRecord>>(
        serviceName: String, batches: some Collection<Batch>, allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) -> ByteBuffer {
        let spanCount = batches.reduce(0) { $0 + $1.count }
        var buffer = allocator.buffer(capacity: 256 + spanCount * 320)
        // ExportTraceServiceRequest.resource_spans = 1
        writeMessage(1, reserving: 3, into: &buffer) { buffer in
            // ResourceSpans.resource = 1 { Resource.attributes = 1 }
            writeMessage(1, reserving: 1, into: &buffer) { buffer in
                writeAttribute(1, key: "service.name", value: .string(serviceName), into: &buffer)
            }
            // ResourceSpans.scope_spans = 2
            writeMessage(2, reserving: 3, into: &buffer) { buffer in
                // ScopeSpans.scope = 1 { InstrumentationScope.name = 1 }
                writeMessage(1, reserving: 1, into: &buffer) { buffer in
                    ProtoWire.writeString(1, scopeName, into: &buffer)
                }
                for batch in batches {
                    for span in batch {
                        // ScopeSpans.spans = 2
                        writeMessage(2, reserving: 2, into: &buffer) { buffer in writeSpan(span, into: &buffer) }
                    }
                }
            }
        }
        return buffer
    }

    private static func writeSpan(_ span: SpanRecord, into buffer: inout ByteBuffer) {
        // trace_id = 1, span_id = 2 (bytes, big-endian as in traceparent)
        writeTag(1, wireType: 2, into: &buffer)
        buffer.writeInteger(UInt8(16))
        buffer.writeInteger(span.traceID.high, endianness: .big)
        buffer.writeInteger(span.traceID.low, endianness: .big)
        writeTag(2, wireType: 2, into: &buffer)
        buffer.writeInteger(UInt8(8))
        buffer.writeInteger(span.spanID, endianness: .big)
        // trace_state = 3
        if let traceState = span.traceState, !traceState.isEmpty { ProtoWire.writeString(3, traceState, into: &buffer) }
        // parent_span_id = 4
        if span.parentSpanID != 0 {
            writeTag(4, wireType: 2, into: &buffer)
            buffer.writeInteger(UInt8(8))
            buffer.writeInteger(span.parentSpanID, endianness: .big)
        }
        // name = 5, kind = 6 (SPAN_KIND_SERVER = 2, SPAN_KIND_CLIENT = 3)
        ProtoWire.writeString(5, span.name, into: &buffer)
        writeTag(6, wireType: 0, into: &buffer)
        buffer.writeInteger(UInt8(span.kind == .server ? 2 : 3))
        // start_time_unix_nano = 7, end_time_unix_nano = 8 (fixed64)
        writeTag(7, wireType: 1, into: &buffer)
        buffer.writeInteger(span.startUnixNano, endianness: .little)
        writeTag(8, wireType: 1, into: &buffer)
        buffer.writeInteger(span.endUnixNano, endianness: .little)
        // attributes = 9
        for attribute in span.attributes {
            writeAttribute(9, key: attribute.key, value: attribute.value, into: &buffer)
        }
        // events = 11 { time_unix_nano = 1, name = 2, attributes = 3 }
        for event in span.events {
            writeMessage(11, reserving: 1, into: &buffer) { buffer in
                writeTag(1, wireType: 1, into: &buffer)
                buffer.writeInteger(event.timeUnixNano, endianness: .little)
                ProtoWire.writeString(2, event.name, into: &buffer)
                for attribute in event.attributes {
                    writeAttribute(3, key: attribute.key, value: attribute.value, into: &buffer)
                }
            }
        }
        // status = 15 { message = 2, code = 3 (STATUS_CODE_OK = 1, STATUS_CODE_ERROR = 2) }
        switch span.status {
        case .unset:
            break
        case .ok:
            writeMessage(15, reserving: 1, into: &buffer) { buffer in
                writeTag(3, wireType: 0, into: &buffer)
                buffer.writeInteger(UInt8(1))
            }
        case .error(let message):
            writeMessage(15, reserving: 1, into: &buffer) { buffer in
                if !message.isEmpty { ProtoWire.writeString(2, message, into: &buffer) }
                writeTag(3, wireType: 0, into: &buffer)
                buffer.writeInteger(UInt8(2))
            }
        }
    }

    /// A `KeyValue { key = 1, value = 2: AnyValue }` as field `field`.
    private static func writeAttribute(_ field: Int, key: String, value: SpanAttributeValue, into buffer: inout ByteBuffer) {
        writeMessage(field, reserving: 1, into: &buffer) { buffer in
            ProtoWire.writeString(1, key, into: &buffer)
            writeMessage(2, reserving: 1, into: &buffer) { buffer in
                // AnyValue: string_value = 1, bool_value = 2, int_value = 3, double_value = 4
                switch value {
                case .string(let text):
                    ProtoWire.writeString(1, text, into: &buffer)
                case .bool(let flag):
                    writeTag(2, wireType: 0, into: &buffer)
                    buffer.writeInteger(UInt8(flag ? 1 : 0))
                case .int(let number):
                    writeTag(3, wireType: 0, into: &buffer)
                    ProtoWire.writeVarint(UInt64(bitPattern: number), into: &buffer)
                case .double(let number):
                    writeTag(4, wireType: 1, into: &buffer)
                    buffer.writeInteger(number.bitPattern, endianness: .little)
                }
            }
        }
    }

    @inline(__always)
    private static func writeTag(_ field: Int, wireType: Int, into buffer: inout ByteBuffer) {
        ProtoWire.writeVarint(UInt64(field << 3 | wireType), into: &buffer)
    }

    /// Field `field` (length-delimited) holding what `body` writes. `reserving` is the guess of the
    /// length's varint size; a wrong guess costs one move of the message's bytes.
    @inline(__always)
    private static func writeMessage(
        _ field: Int, reserving reserved: Int, into buffer: inout ByteBuffer, _ body: (inout ByteBuffer) -> Void
    ) {
        writeTag(field, wireType: 2, into: &buffer)
        let slot = buffer.writerIndex
        buffer.writeRepeatingByte(0, count: reserved)
        body(&buffer)
        let length = buffer.writerIndex - slot - reserved
        let needed = ProtoWire.varintSize(UInt64(length))
        if needed != reserved {
            let bodyStart = slot + reserved
            if needed > reserved { buffer.writeRepeatingByte(0, count: needed - reserved) }
            let readerIndex = buffer.readerIndex
            buffer.withUnsafeMutableReadableBytes { bytes in
                let base = bytes.baseAddress! - readerIndex
                (base + slot + needed).copyMemory(from: base + bodyStart, byteCount: length)  // memmove
            }
            if needed < reserved { buffer.moveWriterIndex(to: slot + needed + length) }
        }
        var value = UInt64(length)
        var index = slot
        while value >= 0x80 {
            buffer.setInteger(UInt8(truncatingIfNeeded: value) | 0x80, at: index)
            value >>= 7
            index += 1
        }
        buffer.setInteger(UInt8(value), at: index)
    }
}
