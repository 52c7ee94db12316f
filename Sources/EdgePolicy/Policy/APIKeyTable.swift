import Crypto
import EdgeConfig

/// The consumers' API keys as SHA-256 digests, compiled once per configuration.
///
/// A presented key is hashed, and its digest compared with every configured digest in
/// constant time (no early exit, no look-up whose timing depends on the key), so neither
/// the key nor how close it came can be learnt from response times. Keys themselves are
/// never stored, logged or forwarded.
package struct APIKeyTable: Sendable {
    private let entries: [APIKeyEntry]

    package init(_ entries: [APIKeyEntry]) {
        self.entries = entries
    }

    package enum Lookup: Equatable {
        case consumer(String)
        case expired(String)
        case unknown
    }

    package func lookup(_ key: Substring, now: Int64) -> Lookup {
        // Hashed and compared in place: no copy of the key or the digest.
        var key = key
        var hash = SHA256()
        key.withUTF8 { hash.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        var found: Int = -1
        hash.finalize().withUnsafeBytes { digest in
            for (index, entry) in entries.enumerated() {
                var difference: UInt8 = 0
                for byte in 0..<32 { difference |= entry.digest[byte] ^ digest[byte] }
                // Branch-free select of the matching index.
                let match = Int(difference == 0 ? 1 : 0)
                found = match * index + (1 - match) * found
            }
        }
        guard found >= 0 else { return .unknown }
        let entry = entries[found]
        if let expires = entry.expires, expires <= now { return .expired(entry.consumer) }
        return .consumer(entry.consumer)
    }
}
