import FuzzSupport
import Transcoder

/// JSON → wire on the fixture schema. The first byte picks the message type (and
/// ignore_unknown_fields), the rest is the JSON body. Beyond "no crash": JSON the
/// transcoder accepts prints back (wire → JSON) to JSON it accepts again, and that
/// printed JSON is a fixed point: parsing it and printing again gives the same
/// bytes, and both parses give the same wire bytes.
let schema = FuzzFixtures.edgetest
let parser = JSONToWire(schema: schema)
let printer = WireToJSON(schema: schema)

@_cdecl("FuzzJSONToWire_main")
public func fuzzJSONToWireMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    fuzzMain(argc, argv, fuzzJSONToWire)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONToWire(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    guard size > 0 else { return 0 }
    let type = FuzzFixtures.edgetestMessages[Int(data[0] & 0x7F) % FuzzFixtures.edgetestMessages.count]
    let options = JSONParseOptions(ignoreUnknownFields: data[0] & 0x80 != 0)
    let json = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    guard let wire = try? parser.convert(json, messageType: type, options: options) else { return 0 }
    let printed: [UInt8]
    do {
        printed = try printer.convert(wire, messageType: type)
    } catch {
        fuzzRequire(false, "\(type): accepted \(fuzzShow(json)) as wire \(fuzzShow(wire)) but cannot print it: \(error)")
        return 0
    }
    let wireAgain: [UInt8]
    do {
        wireAgain = try parser.convert(printed, messageType: type)
    } catch {
        fuzzRequire(false, "\(type): printed \(fuzzShow(printed)) from \(fuzzShow(json)) but does not accept it: \(error)")
        return 0
    }
    let printedAgain = (try? printer.convert(wireAgain, messageType: type)) ?? []
    fuzzRequire(printedAgain == printed, "\(type): \(fuzzShow(json)) prints \(fuzzShow(printed)), then \(fuzzShow(printedAgain))")
    let wireThird = (try? parser.convert(printedAgain, messageType: type)) ?? []
    fuzzRequire(wireThird == wireAgain, "\(type): \(fuzzShow(printed)) reads as \(fuzzShow(wireAgain)), then \(fuzzShow(wireThird))")
    return 0
}
