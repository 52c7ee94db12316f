import FuzzSupport
import Transcoder

/// JSON → wire on the fixture schema. The first byte picks the message type (and
/// ignore_unknown_fields), the rest is the JSON body. Beyond "no crash": JSON the
/// transcoder accepts prints back (wire → JSON) to JSON it accepts again, and that
/// printed JSON is a fixed point: parsing it and printing again gives the same
/// bytes, and both parses give the same wire bytes.
let parser = FuzzFixtures.edgetestReader
let printer = FuzzFixtures.edgetestPrinter

@main
enum JSONToWireTarget: FuzzTarget {
    static func fuzz(_ input: UnsafeBufferPointer<UInt8>) {
        guard !input.isEmpty else { return }
        let type = FuzzFixtures.edgetestMessage(input[0] & 0x7F)
        let options = JSONParseOptions(ignoreUnknownFields: input[0] & 0x80 != 0)
        let json = Array(input.dropFirst())
        guard let wire = try? parser.convert(json, messageType: type, options: options) else { return }
        let printed = fuzzMust("\(type): accepted \(fuzzShow(json)) as wire \(fuzzShow(wire)) but cannot print it") {
            try printer.convert(wire, messageType: type)
        }
        let wireAgain = fuzzMust("\(type): printed \(fuzzShow(printed)) from \(fuzzShow(json)) but does not accept it") {
            try parser.convert(printed, messageType: type)
        }
        let printedAgain = (try? printer.convert(wireAgain, messageType: type)) ?? []
        fuzzRequire(printedAgain == printed, "\(type): \(fuzzShow(json)) prints \(fuzzShow(printed)), then \(fuzzShow(printedAgain))")
        let wireThird = (try? parser.convert(printedAgain, messageType: type)) ?? []
        fuzzRequire(wireThird == wireAgain, "\(type): \(fuzzShow(printed)) reads as \(fuzzShow(wireAgain)), then \(fuzzShow(wireThird))")
    }
}
