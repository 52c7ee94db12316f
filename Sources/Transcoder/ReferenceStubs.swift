// TEMPORARY: replaced at merge by the real JSONToWire/WireToJSON.
// The lead deletes this file at merge. These stubs only give the agreed API
// so that `edge convert` and the differential test compile on this branch;
// every conversion throws, so the differential test fails loudly against them.
import DescriptorLoader

/// TEMPORARY stub of the JSON → protobuf wire converter (always throws).
public final class JSONToWire: Sendable {
    public init(schema: Schema) {}

    public func convert(
        _ json: UnsafeRawBufferPointer, message ordinal: Int, options: JSONParseOptions, into output: inout [UInt8]
    ) throws {
        throw TranscodeError(.invalidValue, "stub")
    }

    public func convert(_ json: [UInt8], messageType: String, options: JSONParseOptions = .defaults) throws -> [UInt8] {
        throw TranscodeError(.invalidValue, "stub")
    }
}

/// TEMPORARY stub of the protobuf wire → JSON converter (always throws).
public final class WireToJSON: Sendable {
    public init(schema: Schema) {}

    public func convert(
        _ wire: UnsafeRawBufferPointer, message ordinal: Int, options: JSONPrintOptions, into output: inout [UInt8]
    ) throws {
        throw TranscodeError(.invalidValue, "stub")
    }

    public func convert(_ wire: [UInt8], messageType: String, options: JSONPrintOptions = .defaults) throws -> [UInt8] {
        throw TranscodeError(.invalidValue, "stub")
    }
}
