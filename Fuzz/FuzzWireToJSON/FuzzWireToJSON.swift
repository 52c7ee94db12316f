import FuzzSupport
import Transcoder

/// Wire → JSON on the fixture schema. The first byte picks the message type (and
/// the print options), the rest is the protobuf message. Beyond "no crash": wire
/// bytes the transcoder prints read back (JSON → wire) to equivalent wire bytes:
/// those print to the same JSON (or, where the mapping drops a value it cannot carry,
/// to JSON that is from then on a fixed point).
let parser = FuzzFixtures.edgetestReader
let printer = FuzzFixtures.edgetestPrinter

@main
enum WireToJSONTarget: FuzzTarget {
    static func fuzz(_ input: UnsafeBufferPointer<UInt8>) {
        guard !input.isEmpty else { return }
        let type = FuzzFixtures.edgetestMessage(input[0] & 0x1F)
        let options = JSONPrintOptions(
            emitUnpopulated: input[0] & 0x20 != 0, useProtoNames: input[0] & 0x40 != 0, enumsAsInts: input[0] & 0x80 != 0)
        let wire = Array(input.dropFirst())
        guard let json = try? printer.convert(wire, messageType: type, options: options) else { return }
        let wireBack = fuzzMust("\(type): printed wire \(fuzzShow(wire)) as \(fuzzShow(json)) but does not accept it") {
            try parser.convert(json, messageType: type)
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
    }
}
