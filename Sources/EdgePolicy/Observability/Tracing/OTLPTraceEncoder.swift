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
        return request(serviceName: serviceName, capacity: 256 + spanCount * 384, allocator: allocator) { writer in
            for batch in batches {
                for span in batch {
                    // ScopeSpans.spans = 2
                    writer.message(2, reserving: 2) { writer in writer.span(span) }
                }
            }
        }
    }

    /// One request holding spans the serving loops already encoded (``EncodedSpans``), in order:
    /// their bytes are copied in as they are.
    package static func encode(serviceName: String, encoded batches: [EncodedSpans], allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        let byteCount = batches.reduce(0) { $0 + $1.bytes.readableBytes }
        return request(serviceName: serviceName, capacity: 256 + byteCount, allocator: allocator) { writer in
            for batch in batches {
                batch.bytes.withUnsafeReadableBytes { writer.append($0) }
            }
        }
    }

    /// The request's envelope around the `ScopeSpans.spans` fields `spans` writes.
    private static func request(
        serviceName: String, capacity: Int, allocator: ByteBufferAllocator, spans: (inout Writer) -> Void
    ) -> ByteBuffer {
        var writer = Writer(capacity: capacity)
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
                spans(&writer)
            }
        }
        defer { writer.deallocate() }
        var buffer = allocator.buffer(capacity: writer.count)
        buffer.writeBytes(UnsafeRawBufferPointer(start: writer.base, count: writer.count))
        return buffer
    }

    /// Protobuf wire format into a growable malloc'd area (freed by `deallocate()`).
    /// Also the serving loops' span buffer (``LoopSpanBuffer``), which writes spans straight into one.
    package struct Writer {
        package var base: UnsafeMutablePointer<UInt8>
        package var count = 0
        package var capacity: Int

        package init(capacity: Int) {
            self.capacity = max(capacity, 64)
            base = UnsafeMutablePointer<UInt8>.allocate(capacity: self.capacity)
        }

        package func deallocate() { base.deallocate() }

        @inline(__always)
        package mutating func reserve(_ extra: Int) {
            if count + extra > capacity { grow(count + extra) }
        }

        @inline(never)
        package mutating func grow(_ needed: Int) {
            var newCapacity = capacity * 2
            while newCapacity < needed { newCapacity *= 2 }
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            bigger.update(from: base, count: count)
            base.deallocate()
            base = bigger
            capacity = newCapacity
        }

        @inline(__always)
        package mutating func byte(_ value: UInt8) {
            reserve(1)
            base[count] = value
            count += 1
        }

        @inline(__always)
        package mutating func append(_ source: UnsafeRawBufferPointer) {
            reserve(source.count)
            if let from = source.baseAddress { UnsafeMutableRawPointer(base + count).copyMemory(from: from, byteCount: source.count) }
            count += source.count
        }

        package mutating func span(_ span: SpanRecord) {
            spanHeader(
                traceID: span.traceID, spanID: span.spanID, parentSpanID: span.parentSpanID, traceState: span.traceState,
                name: span.name, kind: span.kind, start: span.startUnixNano, end: span.endUnixNano)
            // attributes = 9
            for attribute in span.attributes { self.attribute(9, key: attribute.key, value: attribute.value) }
            for event in span.events { self.event(event) }
            status(span.status)
        }

        /// A `KeyValue { key = 1, value = 2: AnyValue }` as field `field`.
        package mutating func attribute(_ field: Int, key: String, value: SpanAttributeValue) {
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
        package mutating func tag(_ field: Int, wireType: Int) {
            varint(UInt64(field << 3 | wireType))
        }

        @inline(__always)
        package mutating func varint(_ value: UInt64) {
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
        package mutating func string(_ field: Int, _ text: String) {
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
        package mutating func bigEndian(_ value: UInt64) {
            reserve(8)
            UnsafeMutableRawPointer(base + count).storeBytes(of: value.bigEndian, as: UInt64.self)
            count += 8
        }

        @inline(__always)
        package mutating func littleEndian(_ value: UInt64) {
            reserve(8)
            UnsafeMutableRawPointer(base + count).storeBytes(of: value.littleEndian, as: UInt64.self)
            count += 8
        }

        /// Field `field` (length-delimited) holding what `body` writes. `reserved` is the guess of the
        /// length's varint size; a wrong guess costs one move of the message's bytes.
        @inline(__always)
        package mutating func message(_ field: Int, reserving reserved: Int, _ body: (inout Writer) -> Void) {
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
