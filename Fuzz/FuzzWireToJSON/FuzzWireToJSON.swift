import FuzzSupport
import Transcoder

/// Wire → JSON on the fixture schema. The first byte picks the message type (and
/// the print options), the rest is the protobuf message. Beyond "no crash": wire
/// bytes the transcoder prints read back (JSON → wire) to equivalent wire bytes:
/// those print to the same JSON (or, where the mapping drops a value it cannot carry,
/// to JSON that is from then on a fixed point).
let schema = FuzzFixtures.edgetest
let parser = JSONToWire(schema: schema)
let printer = WireToJSON(schema: schema)

@_cdecl("FuzzWireToJSON_main")
public func fuzzWireToJSONMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    fuzzMain(argc, argv, fuzzWireToJSON)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWireToJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    guard size > 0 else { return 0 }
    let type = FuzzFixtures.edgetestMessages[Int(data[0] & 0x1F) % FuzzFixtures.edgetestMessages.count]
    let options = JSONPrintOptions(
        emitUnpopulated: data[0] & 0x20 != 0, useProtoNames: data[0] & 0x40 != 0, enumsAsInts: data[0] & 0x80 != 0)
    let wire = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    guard let json = try? printer.convert(wire, messageType: type, options: options) else { return 0 }
    let wireBack: [UInt8]
    do {
        wireBack = try parser.convert(json, messageType: type)
    } catch {
        // Known and open (docs/fuzzing.md, finding 1): an Any type URL without "/" prints (as
        // Python's json_format does) but does not read back.
        if "\(error)".contains("needs a \"/\" before the type name") { return 0 }
        fuzzRequire(false, "\(type): printed wire \(fuzzShow(wire)) as \(fuzzShow(json)) but does not accept it: \(error)")
        return 0
    }
    // A field the JSON mapping cannot carry through (a google.protobuf.NullValue with an
    // unknown number prints as null, which reads back as the default) may change the first
    // round; from then on printing and reading are a fixed point.
    let jsonAgain = (try? printer.convert(wireBack, messageType: type, options: options)) ?? []
    if jsonAgain != json {
        let wireThird = (try? parser.convert(jsonAgain, messageType: type)) ?? []
        let jsonThird = (try? printer.convert(wireThird, messageType: type, options: options)) ?? []
        fuzzRequire(
            jsonThird == jsonAgain && json.count >= jsonAgain.count,
            "\(type): wire \(fuzzShow(wire)) prints \(fuzzShow(json)); read back as \(fuzzShow(wireBack)) it prints \(fuzzShow(jsonAgain)), then \(fuzzShow(jsonThird))")
    }
    return 0
}
