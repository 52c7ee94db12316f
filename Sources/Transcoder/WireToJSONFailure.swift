/// The internal error of the wire → JSON printer: a ``TranscodeError`` whose
/// path is collected segment by segment while the error unwinds, so that the
/// happy path never builds a path.
struct WireToJSONFailure: Error {
    enum Segment {
        case field(String)
        case index(Int)
        case key(String)
    }

    let kind: TranscodeError.Kind
    let message: String
    let offset: Int?
    /// Innermost first.
    var segments: [Segment] = []

    init(_ kind: TranscodeError.Kind, _ message: String, offset: Int? = nil) {
        self.kind = kind
        self.message = message
        self.offset = offset
    }

    static func malformed(_ message: String, at offset: Int) -> WireToJSONFailure {
        WireToJSONFailure(.malformedWire, message, offset: offset)
    }

    func adding(_ segment: Segment) -> WireToJSONFailure {
        var copy = self
        copy.segments.append(segment)
        return copy
    }

    /// The same failure (offset and path so far) as another kind, with another message.
    func retyped(_ kind: TranscodeError.Kind, _ message: String) -> WireToJSONFailure {
        var copy = WireToJSONFailure(kind, message, offset: offset)
        copy.segments = segments
        return copy
    }

    /// The public error, with the path rendered as `variants[2].stock` / `attrs["k"]`.
    var transcodeError: TranscodeError {
        var path = ""
        for segment in segments.reversed() {
            switch segment {
            case .field(let name):
                if !path.isEmpty { path += "." }
                path += name
            case .index(let i):
                path += "[\(i)]"
            case .key(let k):
                path += "[\"\(k)\"]"
            }
        }
        return TranscodeError(kind, path: path, message, offset: offset)
    }
}
