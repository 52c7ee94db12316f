import ArgumentParser
import DescriptorLoader
import Foundation
import Transcoder

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `edge convert`: converts messages between ProtoJSON and binary protobuf, stdin to stdout.
///
/// Without `--lines` the whole of stdin is one message (raw bytes when binary).
/// With `--lines` every input line is one message (JSON, or base64 of binary) and
/// every output line is its result or an error line, so one process can convert a
/// whole corpus; the differential test against the reference implementation drives
/// it that way. Errors say which side failed: `error: input: …` when the input could
/// not be read, `error: output: …` when it was read but cannot be written in the
/// output format (a Timestamp outside JSON's range, an Any of an unknown type).
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert messages between JSON and binary protobuf (stdin to stdout).",
        discussion: """
            json->json and binary->binary go through the other format, so they normalise \
            the message. With --lines, an input that fails gives the line \
            'error: input: <message>' or 'error: output: <message>' and the next line goes on; \
            without it the same text goes to stderr and the exit status is 1.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json
        case binary
    }

    @Argument(help: "Descriptor sets (.protoset, .pb, .desc, .bin) defining the type.")
    var sources: [String]

    @Option(name: .customLong("type"), help: "Full name of the message type (pkg.Msg).")
    var typeName: String

    @Option(help: "Input format: json or binary.")
    var from: Format

    @Option(help: "Output format: json or binary.")
    var to: Format

    @Flag(help: "One message per line: JSON, or base64 of binary.")
    var lines = false

    @Option(name: .customLong("import-path"), help: "Directory to resolve imports in (repeatable).")
    var importPaths: [String] = []

    @Flag(help: "Skip JSON members that name no field and unknown enum names.")
    var ignoreUnknownFields = false

    @Flag(help: "Print .proto field names instead of lowerCamelCase JSON names.")
    var protoNames = false

    @Flag(help: "Print fields at their default value too.")
    var emitUnpopulated = false

    @Flag(help: "Print enum values as numbers.")
    var enumsAsInts = false

    @Option(help: "Maximum nesting of messages when reading and writing JSON (every message counts, well-known types included).")
    var maxDepth: Int = 100

    func run() throws {
        let schema = try SchemaLoader.load(sources: sources, importPaths: importPaths)
        guard let ordinal = schema.ordinal(of: typeName) else {
            throw ValidationError("unknown message type '\(typeName)' (give its full name, e.g. pkg.Msg)")
        }
        var conversion = Conversion(
            from: from, to: to, ordinal: ordinal,
            jsonToWire: JSONToWire(schema: schema), wireToJSON: WireToJSON(schema: schema),
            parseOptions: JSONParseOptions(ignoreUnknownFields: ignoreUnknownFields, maxDepth: maxDepth),
            printOptions: JSONPrintOptions(
                emitUnpopulated: emitUnpopulated, useProtoNames: protoNames,
                enumsAsInts: enumsAsInts, maxDepth: maxDepth)
        )
        if lines {
            try convertLines(&conversion)
        } else {
            try convertWhole(&conversion)
        }
    }

    /// The whole of stdin is one message.
    private func convertWhole(_ conversion: inout Conversion) throws {
        let input = try StandardStreams.readAll()
        var output: [UInt8] = []
        do {
            try input.withUnsafeBytes { try conversion.convert($0, into: &output) }
        } catch {
            StandardStreams.write(Array("\(error.line)\n".utf8), to: STDERR_FILENO)
            throw ExitCode(1)
        }
        if to == .json { output.append(UInt8(ascii: "\n")) }
        StandardStreams.write(output, to: STDOUT_FILENO)
    }

    /// One message per line; output is flushed after every chunk read, so the
    /// command also works interactively.
    private func convertLines(_ conversion: inout Conversion) throws {
        var pending: [UInt8] = []
        var out: [UInt8] = []
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        out.reserveCapacity(1 << 17)

        func emit(_ line: ArraySlice<UInt8>) {
            do {
                try convertLine(line, &conversion, into: &result)
                out.append(contentsOf: result)
            } catch {
                out.append(contentsOf: error.line.utf8)
            }
            out.append(UInt8(ascii: "\n"))
        }

        while true {
            let count = try StandardStreams.read(into: &chunk)
            if count == 0 { break }
            let scanned = pending.count  // the bytes before this chunk hold no newline
            pending.append(contentsOf: chunk[0..<count])
            var start = 0
            while let newline = Self.newline(in: pending, from: max(start, scanned)) {
                emit(pending[start..<newline])
                start = newline + 1
            }
            pending.removeSubrange(0..<start)
            StandardStreams.write(out, to: STDOUT_FILENO)
            out.removeAll(keepingCapacity: true)
        }
        if !pending.isEmpty {
            emit(pending[...])
            StandardStreams.write(out, to: STDOUT_FILENO)
        }
    }

    /// The index of the first `\n` at or after `offset`, found with `memchr`
    /// (this loop runs over whole corpora, also in debug builds).
    private static func newline(in bytes: [UInt8], from offset: Int) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            guard offset < buffer.count, let base = buffer.baseAddress,
                let found = memchr(base + offset, Int32(UInt8(ascii: "\n")), buffer.count - offset)
            else { return nil }
            return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
        }
    }

    /// Converts one line: base64 is decoded and encoded here, the rest is ``Conversion``'s.
    private func convertLine(
        _ line: ArraySlice<UInt8>, _ conversion: inout Conversion, into result: inout [UInt8]
    ) throws {
        result.removeAll(keepingCapacity: true)
        if from == .binary {
            var line = line
            if line.last == UInt8(ascii: "\r") { line.removeLast() }  // CRLF input
            guard let wire = Data(base64Encoded: Data(line)) else {
                throw Conversion.Failure.input("not valid base64")
            }
            try wire.withUnsafeBytes { try conversion.convert($0, into: &result) }
        } else {
            try line.withUnsafeBytes { try conversion.convert($0, into: &result) }
        }
        if to == .binary {
            result = Array(Data(result).base64EncodedData())
        }
    }
}

extension ConvertCommand {
    /// One message through the converters: JSON → wire, wire → JSON, or through
    /// both when the formats are the same.
    struct Conversion {
        enum Failure: Error {
            /// The input could not be read.
            case input(String)
            /// The input was read but cannot be written in the output format.
            case output(String)

            var line: String {
                switch self {
                case .input(let message): return "error: input: \(message.singleLine)"
                case .output(let message): return "error: output: \(message.singleLine)"
                }
            }
        }

        let from: Format
        let to: Format
        let ordinal: Int
        let jsonToWire: JSONToWire
        let wireToJSON: WireToJSON
        let parseOptions: JSONParseOptions
        let printOptions: JSONPrintOptions
        /// The intermediate wire or JSON of same-format conversions, reused.
        var scratch: [UInt8] = []

        mutating func convert(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(Failure) {
            output.removeAll(keepingCapacity: true)
            switch (from, to) {
            case (.json, .binary):
                try readJSON(input, into: &output)
            case (.binary, .json):
                try readWire(input, into: &output)
            case (.json, .json):
                scratch.removeAll(keepingCapacity: true)
                try readJSON(input, into: &scratch)
                do {
                    try scratch.withUnsafeBytes {
                        try wireToJSON.convert($0, message: ordinal, options: printOptions, into: &output)
                    }
                } catch {
                    throw .output(String(describing: error))
                }
            case (.binary, .binary):
                scratch.removeAll(keepingCapacity: true)
                try readWire(input, into: &scratch)
                do {
                    try scratch.withUnsafeBytes {
                        try jsonToWire.convert($0, message: ordinal, options: parseOptions, into: &output)
                    }
                } catch {
                    throw .output(String(describing: error))
                }
            }
        }

        private func readJSON(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(Failure) {
            do {
                try jsonToWire.convert(input, message: ordinal, options: parseOptions, into: &output)
            } catch {
                throw .input(String(describing: error))
            }
        }

        /// Wire data that was read but has no JSON form is an output failure.
        private func readWire(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(Failure) {
            do {
                try wireToJSON.convert(input, message: ordinal, options: printOptions, into: &output)
            } catch let error as TranscodeError where error.kind == .unrepresentable {
                throw .output(error.description)
            } catch {
                throw .input(String(describing: error))
            }
        }
    }

    /// Unbuffered POSIX reads and whole writes on the standard streams; the
    /// callers do the buffering.
    enum StandardStreams {
        struct ReadError: Error, CustomStringConvertible {
            let code: Int32
            var description: String { "cannot read stdin: \(String(cString: strerror(code)))" }
        }

        static func read(into buffer: inout [UInt8]) throws -> Int {
            while true {
                let count = buffer.withUnsafeMutableBytes { raw in
                    systemRead(STDIN_FILENO, raw.baseAddress, raw.count)
                }
                if count >= 0 { return count }
                if errno != EINTR { throw ReadError(code: errno) }
            }
        }

        static func readAll() throws -> [UInt8] {
            var all: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = try read(into: &chunk)
                if count == 0 { return all }
                all.append(contentsOf: chunk[0..<count])
            }
        }

        /// Writes everything, retrying partial writes; a closed stdout ends the process quietly.
        static func write(_ bytes: [UInt8], to descriptor: Int32) {
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = systemWrite(descriptor, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        terminate(errno == EPIPE ? 0 : 1)
                    }
                    offset += written
                }
            }
        }
    }
}

/// The C library's `read` and `write`, named apart from ``ConvertCommand/StandardStreams``' own.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

private func terminate(_ status: Int32) -> Never {
    exit(status)
}

extension Error {
    /// The error line of `edge convert` for a failure outside ``ConvertCommand/Conversion``'s own.
    fileprivate var line: String {
        if let failure = self as? ConvertCommand.Conversion.Failure { return failure.line }
        return ConvertCommand.Conversion.Failure.input(String(describing: self)).line
    }
}

extension String {
    /// Error text on one line, so that `--lines` output stays one line per input.
    fileprivate var singleLine: String {
        var text = self
        text = text.replacingOccurrences(of: "\r", with: "\\r")
        text = text.replacingOccurrences(of: "\n", with: "\\n")
        return text
    }
}
