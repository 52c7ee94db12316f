import Crypto
import FuzzSupport
import JWTKit

@testable import EdgeConfig
@testable import EdgePolicy

/// The JWT verification front (``JWTTokenVerifier``: shape, base64url, header and claims
/// JSON, `alg` and key selection, signature, claims) with a fixed HS256 secret and a key
/// set holding one ES256 key (`kid` "es").
///
/// Input: byte 0 picks how the token is made; for modes 0–2 and 4–5 byte 1 is the
/// header's length, then the header JSON, a signature length byte and that many bytes,
/// and the rest is the claims JSON (each part base64url-encoded into the token here):
///  - 0: signed with the HS256 secret, 1: signed with the ES256 key (whatever `alg` says),
///  - 2: the input's signature bytes (a forgery),
///  - 4 and 5: as 0 and 1, then one bit of the signature flipped (the input's signature
///    bytes pick which),
///  - 3: the rest of the input is the token text itself.
///
/// Beyond "no crash": a forged or tampered signature is never accepted; a token that is
/// accepted re-verifies with jwt-kit directly (the same key, jwt-kit's own token parser)
/// and the claims jwt-kit reads are the claims the verifier returned; an accepted token
/// names an allowed `alg` and the key that signed it.
let now = 1_800_000_000.0
let issuer = "https://issuer.example"
let secret = Array("a fuzzing secret of 32 bytes!!!!".utf8)
let esPrivateKey = try! P256.Signing.PrivateKey(rawRepresentation: (1...32).map { UInt8($0) })

let verifier: JWTTokenVerifier = {
    var config = JWTProviderConfig(name: "fuzz", issuer: issuer)
    config.audiences = ["fuzz"]
    config.algorithms = [.hs256, .es256]
    config.secret = secret
    return JWTTokenVerifier(config: config)
}()

/// The JWK of the ES256 key: x and y are the public point's coordinates.
let esPoint = Array(esPrivateKey.publicKey.x963Representation.dropFirst())  // 04 || x || y
let esX = base64URL(esPoint[0..<32])
let esY = base64URL(esPoint[32..<64])

let keys: JWTKeySet = fuzzBlocking {
    let json = #"{"keys":[{"kty":"EC","crv":"P-256","kid":"es","use":"sig","x":"\#(esX)","y":"\#(esY)"}]}"#
    switch await JWTKeySet.parse(Array(json.utf8), algorithms: [.hs256, .es256]) {
    case .success(let keys): return keys
    case .failure(let invalid): fatalError("the fuzz key set: \(invalid)")
    }
}
let secretKey: JWTVerificationKey = fuzzBlocking { await JWTKeySet.secretKey(secret, algorithms: [.hs256, .es256]) }

/// jwt-kit on its own: one collection per key, the key as the default (and under its kid).
let jwtKitHMAC: JWTKeyCollection = fuzzBlocking {
    await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
}
let jwtKitES256: JWTKeyCollection = fuzzBlocking {
    await JWTKeyCollection().add(ecdsa: try! ES256PublicKey(parameters: (esX, esY)), kid: "es")
}

@main
enum JWTTarget: FuzzTarget {
    static func fuzz(_ input: UnsafeBufferPointer<UInt8>) {
        guard let mode = input.first else { return }
        var rest = input.dropFirst()
        let token: String
        var forged = false
        switch mode % 6 {
        case 3:
            token = String(decoding: rest, as: UTF8.self)
        default:
            let header = take(&rest, Int(rest.popFirst() ?? 0))
            let signatureBytes = take(&rest, Int(rest.popFirst() ?? 0))
            let signingInput = base64URL(header[...]) + "." + base64URL(rest.map { $0 }[...])
            var signature: [UInt8]
            switch mode % 6 {
            case 0, 4: signature = Array(HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: secret)))
            case 1, 5: signature = Array(try! esPrivateKey.signature(for: Array(signingInput.utf8)).rawRepresentation)
            default:
                signature = signatureBytes
                forged = signature != Array(HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: secret)))
            }
            if mode % 6 >= 4 {
                let bit = signatureBytes.reduce(0) { $0 &* 31 &+ Int($1) } & Int.max
                signature[bit / 8 % signature.count] ^= 1 << UInt8(bit % 8)
                forged = true
            }
            token = signingInput + "." + base64URL(signature[...])
        }

        guard case .verified(let jwt) = verifier.verify(Substring(token), keys: keys, secret: secretKey, now: now) else { return }
        fuzzRequire(!forged, "accepted a forged or tampered signature: \(token)")
        let parts = try! JWTTokenParts.parse(Substring(token)).get()
        let collection: JWTKeyCollection
        switch parts.algorithm {
        case "HS256":
            fuzzRequire(jwt.keyID == nil, "an HS256 token verified with key \(String(describing: jwt.keyID))")
            collection = jwtKitHMAC
        case "ES256":
            fuzzRequire(jwt.keyID == "es", "an ES256 token verified with key \(String(describing: jwt.keyID))")
            collection = jwtKitES256
        default:
            fuzzFail("accepted alg \(parts.algorithm): \(token)")
        }
        let reread: Result<AnyClaims, any Error> = fuzzBlocking {
            do { return .success(try await collection.verify(token, as: AnyClaims.self)) } catch { return .failure(error) }
        }
        switch reread {
        case .failure(let error):
            fuzzFail("accepted \(token), jwt-kit does not: \(error)")
        case .success(let claims):
            fuzzRequire(same(jwt.claims, claims.members), "\(token): claims \(jwt.claims), jwt-kit reads \(claims.members)")
        }
    }
}

func take(_ input: inout Slice<UnsafeBufferPointer<UInt8>>, _ count: Int) -> [UInt8] {
    let taken = Array(input.prefix(count))
    input = input.dropFirst(count)
    return taken
}

func base64URL(_ bytes: ArraySlice<UInt8>) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    var output: [UInt8] = []
    var index = bytes.startIndex
    while index < bytes.endIndex {
        let chunk = bytes[index..<min(index + 3, bytes.endIndex)]
        let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
        for position in 0...chunk.count { output.append(alphabet[Int(value >> (18 - 6 * UInt32(position))) & 63]) }
        index += 3
    }
    return String(decoding: output, as: UTF8.self)
}

/// A claims set as jwt-kit's decoder (Foundation's JSONDecoder) reads it.
struct AnyClaims: JWTPayload {
    var members: [String: AnyJSON]
    init(from decoder: any Decoder) throws { members = try decoder.singleValueContainer().decode([String: AnyJSON].self) }
    func encode(to encoder: any Encoder) throws {}
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

indirect enum AnyJSON: Decodable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([AnyJSON]), object([String: AnyJSON])
    /// A value Foundation's decoder does not read as any of the above.
    case unreadable

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([AnyJSON].self) { self = .array(value) }
        else if let value = try? container.decode([String: AnyJSON].self) { self = .object(value) }
        else { self = .unreadable }
    }
}

func same(_ ours: [String: JWTJSONValue], _ theirs: [String: AnyJSON]) -> Bool {
    ours.count == theirs.count && ours.allSatisfy { name, value in theirs[name].map { same(value, $0) } ?? false }
}

func same(_ ours: JWTJSONValue, _ theirs: AnyJSON) -> Bool {
    switch (ours, theirs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.number(let text), .number(let b)): return Double(text) == b
    case (.number(let text), .unreadable): return foundationCannotRead(text)
    case (.string(let a), .string(let b)): return a == b
    case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
    case (.object(let a), .object(let b)): return same(a, b)
    default: return false
    }
}

/// A JSON number Foundation's `JSONDecoder` does not decode as a `Double` although RFC 8259
/// allows it (JSONSerialization, Python's json and this verifier read it): one beyond Double's
/// range, or a zero with an unsigned exponent (`0e3`, `0E12`: docs/fuzzing.md, finding 3).
func foundationCannotRead(_ number: String) -> Bool {
    if !(Double(number)?.isFinite ?? false) { return true }
    let utf8 = Array(number.utf8)
    return utf8.count > 2 && utf8[0] == UInt8(ascii: "0") && (utf8[1] | 0x20) == UInt8(ascii: "e")
        && utf8[2...].allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
}
