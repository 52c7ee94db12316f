import Foundation
import EdgeConfig

/// A proto comment read for the document: the text people read, and the
/// `OpenAPI: {…}` lines that carry JSON Schema keywords (`minimum`, `maxLength`,
/// `example`, …) for the element, e.g.
///
///     // The title. At most 200 characters.
///     // OpenAPI: {"minLength": 1, "maxLength": 200, "example": "Dune"}
///     string title = 3;
///
/// Those lines are taken out of the description and merged into the element's
/// schema, so the demo's (or any service's) validation rules are in the
/// document and generated valid data is really valid.
package struct OpenAPIComment {
    /// The comment without the `OpenAPI:` lines; nil when nothing is left.
    package var text: String?
    /// Keywords from the `OpenAPI:` lines, in key order.
    package var keywords: [(String, OpenAPIValue)]
    /// `OpenAPI:` lines that are not a JSON object (reported, not fatal).
    package var problems: [String]

    package static let marker = "OpenAPI:"

    package init(_ comment: String?) {
        keywords = []
        problems = []
        guard let comment else {
            text = nil
            return
        }
        var kept: [Substring] = []
        for line in comment.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix(Self.marker) else {
                kept.append(line)
                continue
            }
            let json = trimmed.dropFirst(Self.marker.count)
            if let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] {
                for key in object.keys.sorted() {
                    if let value = Self.value(object[key]!) { keywords.append((key, value)) }
                }
            } else {
                problems.append(String(trimmed))
            }
        }
        while kept.last?.allSatisfy({ $0 == " " }) == true { kept.removeLast() }
        let joined = kept.joined(separator: "\n")
        text = joined.isEmpty ? nil : joined
    }

    /// The first sentence of the first paragraph: an operation's `summary` (the whole
    /// comment stays the `description`, so a one-line comment is in both, never only a title).
    package var summary: String? {
        guard let text else { return nil }
        let paragraph = text.components(separatedBy: "\n\n").first ?? text
        let flat = paragraph.replacingOccurrences(of: "\n", with: " ")
        if let stop = flat.range(of: ". ") { return String(flat[..<stop.lowerBound]) + "." }
        return flat
    }

    private static func value(_ any: Any) -> OpenAPIValue? {
        switch any {
        case let number as NSNumber:
            if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
            let double = number.doubleValue
            if double == double.rounded(), abs(double) < 9e15 { return .int(number.int64Value) }
            return .double(double)
        case let text as String: return .string(text)
        case let list as [Any]: return .array(list.compactMap(value))
        case let object as [String: Any]:
            return .object(object.keys.sorted().compactMap { key in value(object[key]!).map { (key, $0) } })
        case is NSNull: return .null
        default: return nil
        }
    }
}
