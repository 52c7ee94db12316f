/// Binds a URL query string to request fields (grpc-gateway's rules):
///
/// - `a.b.c=v`: dotted field paths through singular messages, each name in
///   proto (`page_size`) or JSON (`pageSize`) form;
/// - `tags=x&tags=y`: a repeated field by repeating the key;
/// - `labels[k]=v`: one map entry;
/// - names and values are percent-decoded and `+` is a space;
/// - a parameter without `=` has the empty value; empty `&&` pieces are skipped.
///
/// A parameter that names no field is an error unless unknown parameters are
/// ignored; one that names a field the path or the body already binds is
/// always an error (`body: "*"` binds every field; `body: "x"` binds x and
/// everything under it).
enum QueryParameters {
    static func bind(
        _ query: UnsafeBufferPointer<UInt8>, route: Route, ignoreUnknown: Bool, reserved: [String] = [],
        into bindings: inout RequestBindings
    ) -> TranscodeError? {
        var start = 0
        while start <= query.count {
            var end = start
            while end < query.count && query[end] != UInt8(ascii: "&") { end += 1 }
            if end > start {
                let parameter = UnsafeBufferPointer(rebasing: query[start..<end])
                if !reserved.isEmpty, isReserved(parameter, reserved) {
                    start = end + 1
                    continue
                }
                if let error = bindParameter(parameter, route: route, ignoreUnknown: ignoreUnknown, into: &bindings) {
                    return error
                }
            }
            start = end + 1
        }
        return nil
    }

    /// The parameter's raw name (up to `=`) is one of `reserved`.
    private static func isReserved(_ parameter: UnsafeBufferPointer<UInt8>, _ reserved: [String]) -> Bool {
        var equals = 0
        while equals < parameter.count && parameter[equals] != UInt8(ascii: "=") { equals += 1 }
        let name = parameter[0..<equals]
        return reserved.contains { $0.utf8.elementsEqual(name) }
    }

    private static func bindParameter(
        _ parameter: UnsafeBufferPointer<UInt8>, route: Route, ignoreUnknown: Bool, into bindings: inout RequestBindings
    ) -> TranscodeError? {
        var equals = 0
        while equals < parameter.count && parameter[equals] != UInt8(ascii: "=") { equals += 1 }
        let rawName = UnsafeBufferPointer(rebasing: parameter[0..<equals])
        let rawValue = UnsafeBufferPointer(rebasing: parameter[min(equals + 1, parameter.count)...])

        // The decoded name goes into the bindings' byte storage; a map key is a part of it.
        let nameStart = bindings.bytes.count
        if let failure = PercentDecoding.decode(rawName, mode: .query, into: &bindings.bytes) {
            return TranscodeError(
                .badBinding, "query parameter '\(text(rawName))': invalid percent-encoding at byte \(failure.offset) of its name")
        }
        let name = nameStart..<bindings.bytes.count
        guard PercentDecoding.isValidUTF8(bindings.bytes[name]) else {
            return TranscodeError(.invalidUTF8, "query parameter name '\(text(rawName))' is not valid UTF-8")
        }
        if name.isEmpty {
            return TranscodeError(.badBinding, "query parameter '=\(text(rawValue))' has no name")
        }

        // Split `a.b.c[key]`.
        var pathEnd = name.upperBound
        var key: Range<Int>?
        if let open = bindings.bytes[name].firstIndex(of: UInt8(ascii: "[")) {
            guard bindings.bytes[name.upperBound - 1] == UInt8(ascii: "]"), open + 1 < name.upperBound, open > name.lowerBound else {
                return TranscodeError(
                    .badBinding, "query parameter '\(text(bindings.bytes[name]))': expected 'field[key]'")
            }
            pathEnd = open
            key = (open + 1)..<(name.upperBound - 1)
        }

        let stepsStart = bindings.steps.count
        let schema = bindings.schema
        var message = bindings.root
        var segmentStart = name.lowerBound
        var leaf: RequestBindingsSchema.Field?
        while segmentStart <= pathEnd {
            var segmentEnd = segmentStart
            while segmentEnd < pathEnd && bindings.bytes[segmentEnd] != UInt8(ascii: ".") { segmentEnd += 1 }
            let isLast = segmentEnd == pathEnd
            guard let index = schema.messages[message].fieldIndex(named: bindings.bytes[segmentStart..<segmentEnd]) else {
                let identifier = String(decoding: bindings.bytes[segmentStart..<segmentEnd], as: UTF8.self)
                let parameterName = text(bindings.bytes[name])
                bindings.steps.removeSubrange(stepsStart...)
                bindings.bytes.removeSubrange(nameStart...)
                if ignoreUnknown { return nil }
                let fullName = schema.messages[message].schema.fullName
                return TranscodeError(
                    .badBinding,
                    "query parameter '\(parameterName)' names no field: '\(identifier)' is not a field of \(fullName)")
            }
            let field = schema.messages[message].fields[index]
            bindings.steps.append(index)
            if isLast {
                leaf = field
                break
            }
            guard case .message(let child) = field.kind else {
                let path = schema.jsonPath(root: bindings.root, steps: bindings.steps[stepsStart...])
                if case .unsupported(let reason) = field.kind {
                    return TranscodeError(.badBinding, path: path, "query parameter '\(text(rawName))': \(reason)")
                }
                return TranscodeError(
                    .badBinding, path: path,
                    "query parameter '\(text(rawName))': '\(field.schema.name)' is not a message field, so it has no field '\(text(bindings.bytes[(segmentEnd + 1)..<pathEnd]))'"
                )
            }
            message = child
            segmentStart = segmentEnd + 1
        }
        guard let leaf else {
            return TranscodeError(.badBinding, "query parameter '\(text(rawName))' has an empty field name")
        }
        let steps = stepsStart..<bindings.steps.count
        // Error texts are only built when needed: the happy path allocates no strings
        // (and holds no slice of `bindings.bytes`, which would make the next append copy it).
        var path: String { schema.jsonPath(root: bindings.root, steps: bindings.steps[steps]) }
        var parameterName: String { text(bindings.bytes[name]) }

        switch leaf.kind {
        case .value:
            if key != nil {
                return TranscodeError(
                    .badBinding, path: path, "query parameter '\(parameterName)': '\(path)' is not a map field")
            }
        case .map:
            if key == nil {
                return TranscodeError(
                    .badBinding, path: path, "query parameter '\(parameterName)': map field '\(path)' takes '\(path)[key]=value'")
            }
        case .message:
            return TranscodeError(
                .badBinding, path: path,
                "query parameter '\(parameterName)': '\(path)' is a message; bind its fields ('\(path).field=value')")
        case .unsupported(let reason):
            return TranscodeError(.badBinding, path: path, "query parameter '\(parameterName)': \(reason)")
        }

        // Already bound by the body or the path?
        switch route.body {
        case .none:
            break
        case .wholeRequest:
            return TranscodeError(
                .badBinding, path: path,
                "query parameter '\(parameterName)' is not allowed: the body binds every field (body: \"*\")")
        case .field(let bodyField):
            if schema.messages[bindings.root].fields[bindings.steps[stepsStart]].schema.number == bodyField.number {
                return TranscodeError(
                    .badBinding, path: path,
                    "query parameter '\(parameterName)' sets '\(path)', which the body ('\(bodyField.name)') binds")
            }
        }
        for variable in route.variables where variable.steps.elementsEqual(bindings.steps[steps]) {
            return TranscodeError(
                .badBinding, path: path,
                "query parameter '\(parameterName)' sets '\(path)', which the path binds")
        }

        let valueStart = bindings.bytes.count
        if let failure = PercentDecoding.decode(rawValue, mode: .query, into: &bindings.bytes) {
            return TranscodeError(
                .badBinding, path: path,
                "query parameter '\(parameterName)': invalid percent-encoding at byte \(failure.offset) of its value")
        }
        let value = valueStart..<bindings.bytes.count
        guard PercentDecoding.isValidUTF8(bindings.bytes[value]) else {
            return TranscodeError(.invalidUTF8, path: path, "query parameter '\(parameterName)': value is not valid UTF-8")
        }
        bindings.entries.append(
            RequestBindings.Entry(
                steps: stepsStart..<bindings.steps.count, key: key, value: value, order: bindings.entries.count))
        return nil
    }

    private static func text(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
