/// Something that happened at a point in a span (OTLP `Span.Event`), e.g. `exception` or a retry.
public struct SpanEvent: Sendable {
    public var name: String
    public var timeUnixNano: UInt64
    public var attributes: [(key: String, value: SpanAttributeValue)]

    public init(name: String, timeUnixNano: UInt64, attributes: [(key: String, value: SpanAttributeValue)] = []) {
        self.name = name
        self.timeUnixNano = timeUnixNano
        self.attributes = attributes
    }
}
