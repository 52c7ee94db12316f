import Yams

/// Reads the `http` section of a gRPC API configuration YAML:
///
/// ```yaml
/// type: google.api.Service
/// config_version: 3
/// http:
///   rules:
///   - selector: bench.v1.Catalog.GetProduct
///     get: /v1/products/{id}
///     additional_bindings:
///     - get: /v1/items/{id}
///   - selector: bench.v1.Catalog.Ping
///     custom: { kind: HEAD, path: /v1/ping }
/// ```
///
/// Other top-level sections (`name`, `apis`, `documentation`, …) are ignored.
/// Every problem in the file is reported, each naming the rule
/// (`http.rules[1] (line 9)`); unknown keys inside a rule are errors, so a
/// typo such as `bdy:` cannot silently drop a binding.
enum ServiceConfigParser {
    static let verbs = ["get", "put", "post", "delete", "patch"]
    static let bindingKeys: Set<String> = Set(verbs + ["custom", "body", "response_body"])

    static func parse(yaml text: String, file: String) throws -> ServiceConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw SchemaError(location: file, message: "malformed YAML: \(error)")
        }
        guard let root else { return ServiceConfig(file: file, rules: []) }
        guard let top = root.mapping else {
            throw SchemaError(location: file, message: "malformed service config: the document must be a mapping")
        }

        var errors: [SchemaError] = []
        func fail(_ message: String, _ node: Node?) {
            let line = node?.mark.map { " (line \($0.line))" } ?? ""
            errors.append(SchemaError(location: file, message: message + line))
        }

        if let type = top["type"], type.string != "google.api.Service" {
            fail("type must be google.api.Service, not '\(type.string ?? "?")'", type)
        }
        if let version = top["config_version"], version.int != 3 {
            fail("config_version must be 3, not '\(version.string ?? "?")'", version)
        }

        var rules: [ServiceConfig.Rule] = []
        if let http = top["http"] {
            if let httpMapping = http.mapping {
                for (key, _) in httpMapping where !["rules", "fully_decode_reserved_expansion"].contains(key.string ?? "") {
                    fail("http: unknown key '\(key.string ?? "?")'", key)
                }
                if let list = httpMapping["rules"] {
                    if let sequence = list.sequence {
                        for (index, node) in sequence.enumerated() {
                            let label = "http.rules[\(index)]"
                            if let rule = parseRule(node, index: index, file: file, fail: { fail("\(label): \($0)", $1 ?? node) }) {
                                rules.append(rule)
                            }
                        }
                    } else {
                        fail("http.rules must be a list", list)
                    }
                }
            } else {
                fail("http must be a mapping", http)
            }
        }

        if !errors.isEmpty { throw SchemaErrors(errors: errors) }
        return ServiceConfig(file: file, rules: rules)
    }

    private static func parseRule(
        _ node: Node, index: Int, file: String, fail: (String, Node?) -> Void
    ) -> ServiceConfig.Rule? {
        guard let mapping = node.mapping else {
            fail("a rule must be a mapping", node)
            return nil
        }
        var ok = true
        let selector = mapping["selector"]?.string ?? ""
        if selector.isEmpty {
            fail("selector is missing", node)
            ok = false
        }
        guard var bindings = parseBinding(mapping, file: file, extraKeys: ["selector", "additional_bindings"], fail: { fail($0, $1); ok = false }) else {
            return nil
        }
        if let additional = mapping["additional_bindings"] {
            if let sequence = additional.sequence {
                for (i, entry) in sequence.enumerated() {
                    func report(_ message: String, _ at: Node?) {
                        fail("additional_bindings[\(i)]: \(message)", at ?? entry)
                        ok = false
                    }
                    guard let entryMapping = entry.mapping else {
                        report("must be a mapping", entry)
                        continue
                    }
                    if let nested = parseBinding(entryMapping, file: file, extraKeys: [], fail: report) {
                        bindings += nested
                    }
                }
            } else {
                fail("additional_bindings must be a list", additional)
                ok = false
            }
        }
        guard ok else { return nil }
        return ServiceConfig.Rule(selector: selector, index: index, line: node.mark?.line, bindings: bindings)
    }

    /// One binding (verb + path, body, response_body); `extraKeys` are allowed besides those.
    private static func parseBinding(
        _ mapping: Node.Mapping, file: String, extraKeys: Set<String>, fail: (String, Node?) -> Void
    ) -> [HTTPRule]? {
        var ok = true
        for (key, _) in mapping {
            let name = key.string ?? "?"
            if !bindingKeys.contains(name) && !extraKeys.contains(name) {
                let hint = name == "additional_bindings" ? " (additional_bindings must not nest)" : ""
                fail("unknown key '\(name)'\(hint)", key)
                ok = false
            }
        }
        var patterns: [(method: String, path: String)] = []
        for verb in verbs {
            if let value = mapping[verb] {
                guard let path = value.string else {
                    fail("\(verb) must be a path string", value)
                    ok = false
                    continue
                }
                patterns.append((verb.uppercased(), path))
            }
        }
        if let custom = mapping["custom"] {
            if let customMapping = custom.mapping {
                for (key, _) in customMapping where !["kind", "path"].contains(key.string ?? "") {
                    fail("custom: unknown key '\(key.string ?? "?")'", key)
                    ok = false
                }
                patterns.append(((customMapping["kind"]?.string ?? "").uppercased(), customMapping["path"]?.string ?? ""))
            } else {
                fail("custom must be a mapping with kind and path", custom)
                ok = false
            }
        }
        if patterns.isEmpty {
            fail("no HTTP method: set one of get, put, post, delete, patch or custom", nil)
            return nil
        }
        if patterns.count > 1 {
            fail("more than one HTTP method (\(patterns.map(\.method).joined(separator: ", "))): a binding has exactly one", nil)
            return nil
        }
        var strings: [String: String] = [:]
        for key in ["body", "response_body"] {
            guard let value = mapping[key] else { continue }
            guard let text = value.string else {
                fail("\(key) must be a string", value)
                ok = false
                continue
            }
            strings[key] = text
        }
        guard ok else { return nil }
        return [
            HTTPRule(
                httpMethod: patterns[0].method, pattern: patterns[0].path,
                body: strings["body"] ?? "", responseBody: strings["response_body"] ?? "",
                origin: .yaml(file: file))
        ]
    }
}
