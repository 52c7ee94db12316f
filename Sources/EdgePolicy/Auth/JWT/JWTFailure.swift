import NIOHTTP1
import EdgeCore

/// Why a token was not accepted. The message goes into the `google.rpc.Status`
/// JSON and the `WWW-Authenticate` error description: it says what was wrong and
/// never contains the token (nor a claim value the client did not choose to show).
public struct JWTFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, Equatable, CaseIterable {
        case missing
        case malformed
        case tooLarge
        case encrypted
        case algorithmNotAllowed
        case critHeader
        case unknownKey
        case badSignature
        case expired
        case notYetValid
        case issuedInFuture
        case missingExpiry
        case lifetimeTooLong
        case wrongIssuer
        case wrongAudience
        case duplicateToken
        /// No key set could be had at all: not the client's fault (503).
        case keysUnavailable
    }

    public var reason: Reason
    public var message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// 503 `UNAVAILABLE` when the keys cannot be had; 401 `UNAUTHENTICATED` otherwise.
    public var isUnavailable: Bool { reason == .keysUnavailable }

    public var httpStatus: HTTPResponseStatus { isUnavailable ? .serviceUnavailable : .unauthorized }

    public var grpcCode: GRPCStatusCode { isUnavailable ? .unavailable : .unauthenticated }

    /// The RFC 6750 challenge for a 401 (nil for a 503): `Bearer error="invalid_token",
    /// error_description="…"`; a request without any token gets the bare `Bearer`
    /// challenge (RFC 6750 §3.1: no error code when no credentials were sent).
    public func wwwAuthenticate(realm: String? = nil) -> String? {
        guard !isUnavailable else { return nil }
        var value = "Bearer"
        var separator = " "
        if let realm {
            value += separator + "realm=\"" + Self.quoted(realm) + "\""
            separator = ", "
        }
        if reason == .missing { return value }
        value += separator + "error=\"invalid_token\", error_description=\"" + Self.quoted(message) + "\""
        return value
    }

    /// The error the edge answers with: the Status JSON says why, 401s carry the challenge.
    public var edgeError: EdgeError {
        let headers: [(name: String, value: String)] = wwwAuthenticate().map { [("www-authenticate", $0)] } ?? []
        return EdgeError(code: grpcCode, message: message, httpStatus: httpStatus, headers: headers)
    }

    public var description: String { "\(reason.rawValue): \(message)" }

    /// A quoted-string body (RFC 9110 §5.6.4): `"` and `\` escaped; control characters
    /// and non-ASCII (not allowed in `error_description`, RFC 6750 §3) become `?`.
    package static func quoted(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"", "\\":
                result.append("\\")
                result.unicodeScalars.append(scalar)
            case " "..."~": result.unicodeScalars.append(scalar)
            default: result.append("?")
            }
        }
        return result
    }
}

extension JWTFailure.Reason {
    /// The reason as a metrics label: `bad_signature`, `unknown_key`, `keys_unavailable`.
    public var metricLabel: String {
        var label = ""
        for character in rawValue {
            if character.isUppercase {
                label.append("_")
                label.append(contentsOf: character.lowercased())
            } else {
                label.append(character)
            }
        }
        return label
    }
}
