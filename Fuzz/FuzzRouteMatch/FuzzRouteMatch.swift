import FuzzSupport
import Transcoder

/// Route matching and request binding on the routing fixture
/// (Tests/Fixtures/protos/routing/library.proto, compiled by scripts/fuzz.sh).
/// The first byte picks the HTTP method; the rest is `target` or
/// `target NUL body`. Beyond "no crash": matching the target whole and as
/// path + query agree; a match binds (path, query and body) to wire bytes or a
/// TranscodeError, and bound wire bytes print as the request message.
let schema = FuzzFixtures.load(
    FuzzFixtures.environment("EDGE_FUZZ_ROUTING") ?? FuzzFixtures.root + "/.build-fuzz/routing.protoset")
let table = try! RouteTable(schema: schema)
let binder = RequestBinder(jsonToWire: JSONToWire(schema: schema))
let printer = WireToJSON(schema: schema)
let methods = ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS", "get"]

@main
enum RouteMatchTarget: FuzzTarget {
    static func fuzz(_ input: UnsafeBufferPointer<UInt8>) {
        guard !input.isEmpty else { return }
        let method = methods[Int(input[0]) % methods.count]
        let rest = UnsafeBufferPointer(rebasing: input.dropFirst())
        let cut = rest.firstIndex(of: 0) ?? rest.count
        let target = UnsafeBufferPointer(rebasing: rest[..<cut])
        let body = cut < rest.count ? UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(rest)[(cut + 1)...]) : UnsafeRawBufferPointer(start: nil, count: 0)

        let match = table.match(method: method, target: target)
        let targetText = String(decoding: target, as: UTF8.self)
        // The same request given as path and query bytes (split at the first "?").
        let question = target.firstIndex(of: UInt8(ascii: "?"))
        let again = table.match(
            method: method, path: UnsafeBufferPointer(rebasing: target[..<(question ?? target.count)]),
            query: question.map { UnsafeBufferPointer(rebasing: target[($0 + 1)...]) })
        fuzzRequire(describe(match) == describe(again), "\(method) \(targetText): \(describe(match)) whole, \(describe(again)) split")
        guard case .matched(let route, let bindings) = match else { return }
        var wire: [UInt8] = []
        do {
            try binder.bind(route: route, bindings: bindings, body: body, options: .defaults, into: &wire)
        } catch is TranscodeError {
            fuzzRequire(wire.isEmpty, "\(method) \(targetText): a failed bind left \(wire.count) bytes")
            return
        } catch {
            fuzzFail("\(method) \(targetText): bind threw \(error), not a TranscodeError")
        }
        do {
            _ = try printer.convert(wire, messageType: route.method.inputType)
        } catch {
            fuzzFail("\(method) \(targetText): bound \(fuzzShow(wire)) but it does not print: \(error)")
        }
    }
}

func describe(_ match: RouteMatch) -> String {
    switch match {
    case .matched(let route, let bindings): return "\(route) \(bindings.fields.map { "\($0.path)=\($0.value)" })"
    case .methodNotAllowed(let allowed): return "405 \(allowed)"
    case .notFound: return "404"
    case .invalid(let error): return "400 \(error)"
    }
}
