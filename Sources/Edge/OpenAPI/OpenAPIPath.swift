import Transcoder

/// A route's path template as an OpenAPI path. OpenAPI path parameters cannot
/// hold a `/`, so a variable over several segments (`{name=shelves/*/books/*}`)
/// is expanded into its segments: the literals stay, and each `*` becomes a
/// parameter named after the literal before it, singular (`shelves/{shelf}/books/{book}`).
/// The edge matches the same requests as before; it binds the variable to the
/// segments joined with `/`. A `**` is one parameter that stands for the rest of
/// the path (documented as such: a client must not percent-encode its slashes).
package struct OpenAPIPath {
    package struct Parameter {
        /// The OpenAPI parameter name.
        package var name: String
        /// The variable's dotted field path.
        package var fieldPath: [String]
        /// The variable covers only this segment (`{shelf}`): the parameter is the field's value.
        package var wholeVariable: Bool
        /// The segment is `**`.
        package var rest: Bool
        /// The variable's template text (`name=shelves/*/books/*`), for descriptions.
        package var variableText: String
        /// Which wildcard of its variable this parameter is (0 for the first).
        package var segmentPosition: Int = 0
    }

    package var path: String
    package var parameters: [Parameter]

    /// - Parameter reserved: names the parameters must not take (query parameter names).
    package init(template: PathTemplate, reserved: Set<String>) {
        var used = reserved
        var owner: [Int: Int] = [:]
        for (index, variable) in template.variables.enumerated() {
            for segment in variable.segments { owner[segment] = index }
        }
        var path = ""
        var parameters: [Parameter] = []
        var previousLiteral: String?
        var emittedWhole = Set<Int>()
        for (position, segment) in template.segments.enumerated() {
            path += "/"
            let variableIndex = owner[position]
            switch segment {
            case .literal(let text):
                path += text
                previousLiteral = text
                continue
            case .wildcard, .multiWildcard:
                break
            }
            guard let variableIndex else {
                // A wildcard outside any variable: matched but bound to nothing.
                let name = Self.unique(previousLiteral.map(Self.singular) ?? "segment", used: &used)
                path += "{\(name)}"
                parameters.append(Parameter(name: name, fieldPath: [], wholeVariable: false, rest: segment == .multiWildcard, variableText: ""))
                continue
            }
            let variable = template.variables[variableIndex]
            let variableText = Self.text(of: variable, template: template)
            if !variable.isMultiSegment && !emittedWhole.contains(variableIndex) {
                emittedWhole.insert(variableIndex)
                let name = Self.unique(variable.fieldPathText, used: &used)
                path += "{\(name)}"
                parameters.append(Parameter(name: name, fieldPath: variable.fieldPath, wholeVariable: true, rest: false, variableText: variableText))
                continue
            }
            let base = previousLiteral.map(Self.singular) ?? variable.fieldPath.last ?? "segment"
            let name = Self.unique(base, used: &used, prefix: variable.fieldPathText)
            path += "{\(name)}"
            let position = parameters.filter { $0.fieldPath == variable.fieldPath && !$0.wholeVariable }.count
            parameters.append(
                Parameter(
                    name: name, fieldPath: variable.fieldPath, wholeVariable: false, rest: segment == .multiWildcard,
                    variableText: variableText, segmentPosition: position))
        }
        if path.isEmpty { path = "/" }
        if let verb = template.verb { path += ":" + verb }
        self.path = path
        self.parameters = parameters
    }

    /// `shelves` → `shelf`, `books` → `book`, `categories` → `category`, `boxes` → `box`.
    package static func singular(_ word: String) -> String {
        if word.hasSuffix("ies"), word.count > 3 { return String(word.dropLast(3)) + "y" }
        if word.hasSuffix("ves"), word.count > 3 { return String(word.dropLast(3)) + "f" }
        if word.hasSuffix("sses") || word.hasSuffix("xes") || word.hasSuffix("ches") || word.hasSuffix("shes") { return String(word.dropLast(2)) }
        if word.hasSuffix("s"), !word.hasSuffix("ss"), word.count > 1 { return String(word.dropLast()) }
        return word
    }

    /// `base`, or else `prefix_base`, or else with a number: never a name already used.
    package static func unique(_ base: String, used: inout Set<String>, prefix: String? = nil) -> String {
        var candidates = [base]
        if let prefix { candidates.append(prefix + "_" + base) }
        for candidate in candidates where !used.contains(candidate) {
            used.insert(candidate)
            return candidate
        }
        var number = 2
        while used.contains(candidates.last! + "_\(number)") { number += 1 }
        let name = candidates.last! + "_\(number)"
        used.insert(name)
        return name
    }

    package static func text(of variable: PathTemplate.Variable, template: PathTemplate) -> String {
        let segments = template.segments[variable.segments].map { segment -> String in
            switch segment {
            case .literal(let text): return text
            case .wildcard: return "*"
            case .multiWildcard: return "**"
            }
        }
        return variable.fieldPathText + "=" + segments.joined(separator: "/")
    }
}
