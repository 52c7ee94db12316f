/// Error-path assembly for JSON -> wire conversion. Paths are built while
/// an error unwinds, one component per level, so the happy path keeps no stack.
extension TranscodeError {
    /// Prepends a field name: `stock` -> `variants.stock`, `[2].stock` -> `variants[2].stock`.
    func prefixed(field name: String) -> TranscodeError {
        TranscodeError(kind, path: Self.join(name, path), message, offset: offset)
    }

    /// Prepends an array index: `stock` -> `[2].stock`.
    func prefixed(index: Int) -> TranscodeError {
        TranscodeError(kind, path: Self.join("[\(index)]", path), message, offset: offset)
    }

    /// Prepends a map or Struct key: `stock` -> `["k"].stock`.
    func prefixed(key: String) -> TranscodeError {
        TranscodeError(kind, path: Self.join(Self.quotedKey(key), path), message, offset: offset)
    }

    static func join(_ head: String, _ tail: String) -> String {
        if tail.isEmpty { return head }
        if tail.hasPrefix("[") { return head + tail }
        return head + "." + tail
    }

    static func quotedKey(_ key: String) -> String {
        var text = "[\""
        for c in key.unicodeScalars {
            switch c {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            default: text.unicodeScalars.append(c)
            }
        }
        return text + "\"]"
    }
}
