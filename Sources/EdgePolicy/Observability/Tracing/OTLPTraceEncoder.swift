import NIOCore
import EdgeCore

/// Writes an OTLP `ExportTraceServiceRequest` (opentelemetry-proto `collector/trace/v1`) by hand: one
/// `ResourceSpans` (resource attribute `service.name`), one `ScopeSpans` (scope `edge`), then the spans.
/// Only the fields the edge's spans use are written; field numbers are those of opentelemetry-proto's
/// `trace/v1/trace.proto`, `common/v1/common.proto` and `resource/v1/resource.proto`.
///
/// The request is built in a plain malloc'd byte area (stores the optimizer inlines: `ByteBuffer`'s and
/// `Array`'s per-call checks cost several times more for a message made of many small fields) and copied
/// into a `ByteBuffer` once.
/// Nested messages are written in place: a length slot is reserved, the message written after it, and
/// the slot fixed up (moving the message when its length needs a different number of bytes).
public enum OTLPTraceEncoder {
    /// The instrumentation scope name on every span.
    public static let scopeName = "edge"

    public static func encode(serviceName: String, spans: [SpanRecord], allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        encode(serviceName: serviceName, batches: [spans], allocator: allocator)
    }

    /// One request holding every span of every batch, in order.
    public static func encode(serviceName: String, batches: [[SpanRecord]], allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        let spanCount = batches.reduce(0) { $0 + $1.count }
        var writer = Writer(capacity: 256 + spanCount * 384)
        // ExportTraceServiceRequest.resource_spans = 1
        writer.message(1, reserving: 3) { writer in
            // ResourceSpans.resource = 1 { Resource.attributes = 1 }
            writer.message(1, reserving: 1) { writer in
                writer.attribute(1, key: "service.name", value: .string(serviceName))
            }
            // ResourceSpans.scope_spans = 2
            writer.message(2, reserving: 3) { writer in
                // ScopeSpans.scope = 1 { InstrumentationScope.name = 1 }
                writer.message(1, reserving: 1) { writer in writer.string(1, scopeName) }
                for batch in batches {
                    for span in batch {
                        // ScopeSpans.spans = 2
                        writer.message(2, reserving: 2) { writer in writer.span(span) }
                    }
                }
            }
        }
        defer { writer.deallocate() }
        var buffer = allocator.buffer(capacity: writer.count)
        buffer.writeBytes(UnsafeRawBufferPointer(start: writer.base, count: writer.count))
        return buffer
    }

    /// Protobuf wire format into a growable malloc'd area (freed by `deallocate()`).
    private struct Writer {
        var base: UnsafeMutablePointer<UInt8>
        var count = 0
        var capacity: Int

        init(capacity: Int) {
            self.capacity = max(capacity, 64)
            base = UnsafeMutablePointer<UInt8>.allocate(capacity: self.capacity)
        }

        func deallocate() { base.deallocate() }

        @inline(__always)
        mutating func reserve(_ extra: Int) {
            if count + extra > capacity { grow(count + extra) }
        }

        @inline(never)
        mutating func grow(_ needed: Int) {
            var newCapacity = capacity * 2
            while newCapacity < needed { newCapacity *= 2 }
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            bigger.update(from: base, count: count)
            base.deallocate()
            base = bigger
            capacity = newCapacity
        }

        @inline(__always)
        mutating func byte(_ value: UInt8) {
            reserve(1)
            base[count] = value
            count += 1
        }

        @inline(__always)
        mutating func append(_ source: UnsafeRawBufferPointer) {
            reserve(source.count)
            if let from = source.baseAddress { UnsafeMutableRawPointer(base + count).copyMemory(from: from, byteCount: source.count) }
            count += source.count
        }

        mutating func span(_ span: SpanRecord) {
            // trace_id = 1, span_id = 2 (bytes, big-endian as in traceparent)
            tag(1, wireType: 2)
            byte(16)
            bigEndian(span.traceID.high)
            bigEndian(span.traceID.low)
            tag(2, wireType: 2)
            byte(8)
            bigEndian(span.spanID)
            // trace_state = 3
            if let traceState = span.traceState, !traceState.isEmpty { string(3, traceState) }
            // parent_span_id = 4
            if span.parentSpanID != 0 {
                tag(4, wireType: 2)
                byte(8)
                bigEndian(span.parentSpanID)
            }
            // name = 5, kind = 6 (SPAN_KIND_SERVER = 2, SPAN_KIND_CLIENT = 3)
            string(5, span.name)
            tag(6, wireType: 0)
            byte(span.kind == .server ? 2 : 3)
            // start_time_unix_nano = 7, end_time_unix_nano = 8 (fixed64)
            tag(7, wireType: 1)
            littleEndian(span.startUnixNano)
            tag(8, wireType: 1)
            littleEndian(span.endUnixNano)
            // attributes = 9
            for attribute in span.attributes { self.attribute(9, key: attribute.key, value: attribute.value) }
            // events = 11 { time_unix_nano = 1, name = 2, attributes = 3 }
            for event in span.events {
                message(11, reserving: 1) { writer in
                    writer.tag(1, wireType: 1)
                    writer.littleEndian(event.timeUnixNano)
                    writer.string(2, event.name)
                    for attribute in event.attributes { writer.attribute(3, key: attribute.key, value: attribute.value) }
                }
            }
            // status = 15 { message = 2, code = 3 (STATUS_CODE_OK = 1, STATUS_CODE_ERROR = 2) }
            switch span.status {
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

        /// A `KeyValue { key = 1, value = 2: AnyValue }` as field `field`.
        mutating func attribute(_ field: Int, key: String, value: SpanAttributeValue) {
            message(field, reserving: 1) { writer in
                writer.string(1, key)
                writer.message(2, reserving: 1) { writer in
                    // AnyValue: string_value = 1, bool_value = 2, int_value = 3, double_value = 4
                    switch value {
                    case .string(let text):
                        writer.string(1, text)
                    case .bool(let flag):
                        writer.tag(2, wireType: 0)
                        writer.byte(flag ? 1 : 0)
                    case .int(let number):
                        writer.tag(3, wireType: 0)
                        writer.varint(UInt64(bitPattern: number))
                    case .double(let number):
                        writer.tag(4, wireType: 1)
                        writer.littleEndian(number.bitPattern)
                    }
                }
            }
        }

        @inline(__always)
        mutating func tag(_ field: Int, wireType: Int) {
            varint(UInt64(field << 3 | wireType))
        }

        @inline(__always)
        mutating func varint(_ value: UInt64) {
            reserve(10)
            var value = value
            while value >= 0x80 {
                base[count] = UInt8(truncatingIfNeeded: value) | 0x80
                count += 1
                value >>= 7
            }
            base[count] = UInt8(value)
            count += 1
        }

        @inline(__always)
        mutating func string(_ field: Int, _ text: String) {
            tag(field, wireType: 2)
            let written: Void? = text.utf8.withContiguousStorageIfAvailable { utf8 in
                varint(UInt64(utf8.count))
                append(UnsafeRawBufferPointer(utf8))
            }
            if written == nil {  // a bridged or otherwise non-contiguous string
                varint(UInt64(text.utf8.count))
                for unit in text.utf8 { byte(unit) }
            }
        }

        @inline(__always)
        mutating func bigEndian(_ value: UInt64) {
            reserve(8)
            UnsafeMutableRawPointer(base + count).storeBytes(of: value.bigEndian, as: UInt64.self)
            count += 8
        }

        @inline(__always)
        mutating func littleEndian(_ value: UInt64) {
            reserve(8)
            UnsafeMutableRawPointer(base + count).storeBytes(of: value.littleEndian, as: UInt64.self)
            count += 8
        }

        /// Field `field` (length-delimited) holding what `body` writes. `reserved` is the guess of the
        /// length's varint size; a wrong guess costs one move of the message's bytes.
        @inline(__always)
        mutating func message(_ field: Int, reserving reserved: Int, _ body: (inout Writer) -> Void) {
            tag(field, wireType: 2)
            reserve(reserved)
            let slot = count
            count += reserved
            body(&self)
            let length = count - slot - reserved
            let needed = ProtoWire.varintSize(UInt64(length))
            if needed != reserved {
                reserve(needed - reserved)
                UnsafeMutableRawPointer(base + slot + needed).copyMemory(from: base + slot + reserved, byteCount: length)  // memmove
                count += needed - reserved
            }
            var value = UInt64(length)
            var index = slot
            while value >= 0x80 {
                base[index] = UInt8(truncatingIfNeeded: value) | 0x80
                value >>= 7
                index += 1
            }
            base[index] = UInt8(value)
        }
    }
}
