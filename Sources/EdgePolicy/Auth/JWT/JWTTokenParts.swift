/// A compact JWS split and decoded, before any key is chosen: the header fields the
/// verifier reads, the claims set, the signature and the signing input. Everything
/// a malformed token can get wrong is caught here, each with its own message.
package struct JWTTokenParts {
    /// Longer tokens are refused before any decoding (headers are bounded anyway; this
    /// bounds the work a query parameter or cookie can cause).
    package static let maxTokenBytes = 16 * 1024
    package static let headerLimits = JWTJSONParser.Limits(maxDepth: 4, maxMembers: 64)
    package static let claimsLimits = JWTJSONParser.Limits(maxDepth: 16, maxMembers: 1024)

    /// `alg` as written (already known not to be `none`).
    package var algorithm: String
    /// `kid`: nil when absent (a non-string `kid` is rejected).
    package var keyID: String?
    package var claims: [String: JWTJSONValue]
    package var signature: [UInt8]
    /// `BASE64URL(header) '.' BASE64URL(payload)`: what the signature covers.
    package var signingInput: ArraySlice<UInt8>

    package static func parse(_ token: Substring) -> Result<JWTTokenParts, JWTFailure> {
        let utf8 = token.utf8
        guard !utf8.isEmpty else { return .failure(JWTFailure(.malformed, "the token is empty")) }
        guard utf8.count <= maxTokenBytes else {
            return .failure(JWTFailure(.tooLarge, "the token is longer than \(maxTokenBytes) bytes"))
        }
        var dots: [Substring.UTF8View.Index] = []
        var index = utf8.startIndex
        while index != utf8.endIndex {
            if utf8[index] == UInt8(ascii: ".") {
                dots.append(index)
                if dots.count > 4 { break }
            }
            index = utf8.index(after: index)
        }
        if dots.count == 4 {
            return .failure(JWTFailure(.encrypted, "encrypted tokens (JWE, five parts) are not accepted; a signed JWT has three parts"))
        }
        guard dots.count == 2 else {
            return .failure(JWTFailure(.malformed, "a JWT has three base64url parts separated by dots, this one has \(min(dots.count, 5) + 1)"))
        }
        let headerText = Substring(utf8[utf8.startIndex..<dots[0]])
        let payloadText = Substring(utf8[utf8.index(after: dots[0])..<dots[1]])
        let signatureText = Substring(utf8[utf8.index(after: dots[1])...])

        guard let headerBytes = JWTBase64URL.decode(headerText) else {
            return .failure(JWTFailure(.malformed, "the header is not valid base64url"))
        }
        let header: [String: JWTJSONValue]
        switch JWTJSONParser.parse(headerBytes, limits: headerLimits) {
        case .success(.object(let members)): header = members
        case .success: return .failure(JWTFailure(.malformed, "the header is not a JSON object"))
        case .failure(let failure): return .failure(JWTFailure(.malformed, "the header is not valid JSON (\(describe(failure)))"))
        }

        guard case .string(let algorithm)? = header["alg"] else {
            return .failure(JWTFailure(.malformed, header["alg"] == nil ? "the header has no alg" : "the header's alg is not a string"))
        }
        if algorithm.lowercased() == "none" {
            return .failure(JWTFailure(.algorithmNotAllowed, "unsigned tokens (alg none) are never accepted"))
        }
        if header["crit"] != nil {
            return .failure(JWTFailure(.critHeader, "the header lists critical extensions (crit), none of which is supported"))
        }
        var keyID: String?
        switch header["kid"] {
        case nil: keyID = nil
        case .string(let kid)?: keyID = kid
        default: return .failure(JWTFailure(.malformed, "the header's kid is not a string"))
        }

        guard let payloadBytes = JWTBase64URL.decode(payloadText) else {
            return .failure(JWTFailure(.malformed, "the payload is not valid base64url"))
        }
        let claims: [String: JWTJSONValue]
        switch JWTJSONParser.parse(payloadBytes, limits: claimsLimits) {
        case .success(.object(let members)): claims = members
        case .success: return .failure(JWTFailure(.malformed, "the claims set is not a JSON object"))
        case .failure(let failure): return .failure(JWTFailure(.malformed, "the claims set is not valid JSON (\(describe(failure)))"))
        }

        guard let signature = JWTBase64URL.decode(signatureText) else {
            return .failure(JWTFailure(.malformed, "the signature is not valid base64url"))
        }
        guard !signature.isEmpty else { return .failure(JWTFailure(.badSignature, "the signature is empty")) }

        let all = Array(utf8)
        let inputLength = utf8.distance(from: utf8.startIndex, to: dots[1])
        return .success(JWTTokenParts(
            algorithm: algorithm, keyID: keyID, claims: claims, signature: signature, signingInput: all[0..<inputLength]))
    }

    private static func describe(_ failure: JWTJSONParser.Failure) -> String {
        switch failure {
        case .syntax: return "syntax error"
        case .tooDeep: return "nested too deeply"
        case .tooManyMembers: return "too many members"
        case .duplicateMember(let name): return "duplicate member '\(name.prefix(40))'"
        }
    }
}
