@testable import Edge
import Foundation
import XCTest
@testable import EdgeConfig
@testable import EdgePolicy

/// Every input a fuzz target on the Edge module (Fuzz/, scripts/fuzz.sh) found breaking a
/// property, kept as a regular test with the input as found. See docs/fuzzing.md.
final class FuzzFindingsTests: XCTestCase {
    /// FuzzJWT's ES256 key (private scalar 01 02 … 20) as a key set, as the target configures it.
    private static let keySet = #"{"keys":[{"kty":"EC","crv":"P-256","kid":"es","use":"sig","x":"UVw9brnjlrkE0_7Kf1T9zQzB6Ze_N13KUVrQpsO0A18","y":"RTa-OlDzGPv5pUdZAqIhUCvvDVfgjFOyzApW8X2fk1Q"}]}"#

    /// FuzzJWT, 2026-12-06 (after 1,000,233 inputs): a correctly signed token whose claims hold
    /// `"scope":0e3`. RFC 8259 allows `0e3` (int `0`, exponent `e3`); the verifier reads it as the
    /// number 0 (as PyJWT and JSONSerialization do) and accepts the token. jwt-kit verifies the
    /// signature too, but Foundation's JSONDecoder, which jwt-kit decodes claims with, does not
    /// read `0e3` (nor `0E3`) as a Double, so the target's "same claims" check failed. Not a
    /// defect of the verifier: the target now knows that one gap in Foundation's decoder.
    func testZeroWithAnExponentInTheClaimsIsTheNumberZero() throws {
        let token = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwiYXVkIjpbIm90aGVyIiwiZnV6eiJdLCJzdWIiOiJ1fiIsImV4cCI6MTgwMDAwMDYwMCwibmJmIjoxNzk5OSwic2NvcGUiOjBlM30.NkhCS0m4V-QS-ec-2g0dj3R7PrFUEoDlGu4-Odscj-RiRFD4j8CyKRvuutA57nnUBokok1p_NQJcZ7TAc7FBpQ"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-jwt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("jwks.json")
        try Data(Self.keySet.utf8).write(to: file)
        var config = JWTProviderConfig(name: "fuzz", issuer: "https://issuer.example")
        config.audiences = ["fuzz"]
        config.algorithms = [.hs256, .es256]
        config.keySet = .file(file.path)
        let provider = JWTTestProvider(config)

        let jwt = try provider.verify(token, now: 1_800_000_000).result.get()
        XCTAssertEqual(jwt.claims["scope"], .number("0e3"))
        XCTAssertEqual(jwt.claims["scope"]?.double, 0)
        XCTAssertEqual(jwt.keyID, "es")
        XCTAssertEqual(jwt.subject, "u~")
        // The same number in the parser's other spellings.
        for text in ["0e3", "0E3", "-0e3", "0e+3", "0.0e3"] {
            XCTAssertEqual(try JWTJSONParser.parse(Array(text.utf8), limits: .init(maxDepth: 1, maxMembers: 1)).get().double, 0, text)
        }
    }
}
