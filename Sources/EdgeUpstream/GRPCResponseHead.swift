import NIOCore
import NIOHPACK
import EdgeCore

/// The checks every gRPC response gets, wherever it is read (the unary decoder
/// ``GRPCResponseDecoder`` and the streaming one ``UpstreamStreamingResponseDecoder``):
/// whether the first HEADERS frame makes a gRPC response, the status its trailers
/// carry, and whether a message's 5-byte frame header is acceptable. One place, so
/// unary and streaming calls cannot judge the same bytes differently.
package enum GRPCResponseHead {
    package enum Verdict: Equatable {
        /// Not a gRPC response, and the stream goes on: fail the call, reset the stream.
        case failAndReset(GRPCStatus)
        /// The call ended with this frame: a Trailers-Only response (its status from these
        /// headers, which are the trailers), or a non-200 `:status` that ended the stream.
        case finished(GRPCStatus)
        /// Response headers; messages and trailers follow.
        case messagesFollow
    }

    /// Judges the first HEADERS frame of a response.
    package static func judge(_ headers: HPACKHeaders, endStream: Bool) -> Verdict {
        guard let httpStatus = headers.first(name: ":status").flatMap({ Int($0) }) else {
            return .failAndReset(GRPCStatus(code: .internal, message: "upstream response has no valid :status"))
        }
        if httpStatus != 200 {
            // gRPC clients trust a non-200 :status over any grpc-status that may be present.
            let status = GRPCStatus(
                code: GRPCStatusMapping.code(forHTTPStatus: httpStatus), message: "upstream returned HTTP status \(httpStatus)")
            return endStream ? .finished(status) : .failAndReset(status)
        }
        if endStream { return .finished(status(fromTrailers: headers)) }
        let contentType = headers.first(name: "content-type") ?? ""
        guard contentType.hasPrefix("application/grpc") else {
            return .failAndReset(
                GRPCStatus(code: .unknown, message: "upstream response has content-type '\(contentType)', not application/grpc"))
        }
        return .messagesFollow
    }

    /// The call's status from its trailers (or a Trailers-Only response's headers).
    package static func status(fromTrailers trailers: HPACKHeaders) -> GRPCStatus {
        guard let value = trailers.first(name: "grpc-status") else {
            return GRPCStatus(code: GRPCStatusMapping.code(forHTTPStatus: 200), message: "upstream response has no grpc-status")
        }
        var status = GRPCStatus(code: GRPCStatusMapping.code(forGRPCStatusValue: value))
        if let message = trailers.first(name: "grpc-message") {
            status.message = GRPCMetadataCoding.percentDecode(message)
        }
        if let details = trailers.first(name: "grpc-status-details-bin") {
            status.details = GRPCMetadataCoding.base64Decode(details)
        }
        return status
    }

    /// What is wrong with a message's frame header (compression flag, declared
    /// length), or `nil` when the message may be read.
    package static func frameProblem(flag: UInt8, length: Int, limit: Int) -> GRPCStatus? {
        switch flag {
        case 0: break
        case 1: return GRPCStatus(code: .internal, message: "upstream sent a compressed message, but no compression was negotiated")
        default: return GRPCStatus(code: .internal, message: "upstream sent a message with invalid frame flags \(flag)")
        }
        if length > limit {
            return GRPCStatus(
                code: .resourceExhausted, message: "upstream response message of \(length) bytes exceeds the limit of \(limit) bytes")
        }
        return nil
    }

    /// The status of a stream that ended with a DATA frame: no trailers, hence no
    /// grpc-status, or in the middle of a message.
    package static func endedWithoutTrailers(leftOver: Int) -> GRPCStatus {
        if leftOver > 0 { return endedInsideMessage(leftOver: leftOver) }
        return GRPCStatus(code: GRPCStatusMapping.code(forHTTPStatus: 200), message: "upstream response ended without grpc-status")
    }

    package static func endedInsideMessage(leftOver: Int) -> GRPCStatus {
        GRPCStatus(code: .internal, message: "upstream stream ended inside a message (\(leftOver) bytes left over)")
    }

    package static let secondHeadersWithoutEndStream = GRPCStatus(
        code: .internal, message: "upstream sent a second HEADERS frame that does not end the stream")
    package static let dataBeforeHeaders = GRPCStatus(code: .internal, message: "upstream sent DATA before HEADERS")
}
