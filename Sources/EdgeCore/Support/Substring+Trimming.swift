/// Header values: optional white space (space, tab) around a value or list element (RFC 9110 §5.6.3).
extension Substring {
    package func trimmingSpaces() -> Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return text
    }
}
