import FuzzSupport
import NIOCore
import NIOHPACK

@testable import EdgeUpstream

/// The gRPC response decoder (one unary call's HEADERS and DATA frames: message
/// framing, status, trailers). The input is a script of frames: a byte whose low
/// bit picks HEADERS or DATA and whose bit 1 sets END_STREAM, then for HEADERS a
/// count and (name index, value length, value) entries, for DATA a length and
/// the bytes. Beyond "no crash": the outcome does not depend on how the DATA
/// bytes are cut into frames (the same script with consecutive DATA frames
/// merged ends the same way), a finished response's message fits the limit, and
/// nothing happens after the end.
let names = [":status", "content-type", "grpc-status", "grpc-message", "grpc-status-details-bin", "x-meta", "x-bin-bin", "te"]

enum Frame {
    case headers(HPACKHeaders, endStream: Bool)
    case data([UInt8], endStream: Bool)
}

@main
enum GRPCResponseDecoderTarget: FuzzTarget {
    static func fuzz(_ input: UnsafeBufferPointer<UInt8>) {
        var input = input[...]
        func next() -> UInt8? { input.popFirst() }
        var frames: [Frame] = []
        while let op = next() {
            let endStream = op & 2 != 0
            if op & 1 == 0 {
                var headers = HPACKHeaders()
                for _ in 0..<Int(next() ?? 0) % 6 {
                    let name = names[Int(next() ?? 0) % names.count]
                    let length = Int(next() ?? 0) % 32
                    let value = input.prefix(length)
                    input = input.dropFirst(length)
                    headers.add(name: name, value: String(decoding: value, as: UTF8.self))
                }
                frames.append(.headers(headers, endStream: endStream))
            } else {
                let length = Int(next() ?? 0)
                frames.append(.data(Array(input.prefix(length)), endStream: endStream))
                input = input.dropFirst(length)
            }
        }
        var merged: [Frame] = []
        for frame in frames {
            if case .data(let bytes, let endStream) = frame, case .data(let before, false)? = merged.last {
                merged[merged.count - 1] = .data(before + bytes, endStream: endStream)
            } else {
                merged.append(frame)
            }
        }
        let outcome = run(frames)
        let mergedOutcome = run(merged)
        fuzzRequire(outcome == mergedOutcome, "\(frames) ends with \(String(describing: outcome)), merged with \(String(describing: mergedOutcome))")
    }
}

let maxResponseBytes = 64

func run(_ frames: [Frame]) -> GRPCResponseDecoder.Action? {
    var decoder = GRPCResponseDecoder(maxResponseBytes: maxResponseBytes)
    var outcome: GRPCResponseDecoder.Action?
    for frame in frames {
        let action: GRPCResponseDecoder.Action
        switch frame {
        case .headers(let headers, let endStream): action = decoder.receiveHeaders(headers, endStream: endStream)
        case .data(let bytes, let endStream): action = decoder.receiveData(ByteBuffer(bytes: bytes), endStream: endStream)
        }
        if outcome != nil {
            fuzzRequire(action == .none, "an action after the end: \(action)")
            continue
        }
        if action != .none {
            fuzzRequire(decoder.isDone, "\(action) but the decoder is not done")
            outcome = action
            if case .finished(let box) = action, let message = box.response.message {
                fuzzRequire(message.readableBytes <= maxResponseBytes, "a message of \(message.readableBytes) bytes")
            }
        }
    }
    return outcome
}
