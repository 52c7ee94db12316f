#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tokens verified recently, so that a client sending the same token on every request
/// costs a hash look-up and a byte comparison instead of a signature check. One per
/// event loop (no lock); bounded (oldest insertion evicted first); an entry is never
/// used at or past its token's `exp`. Keyed by a seeded hash of the token's length and last
/// bytes (the end of its signature, where any two tokens differ: hashing all of a token of
/// a kilobyte cost more than the rest of the hit), and the whole token is compared on a
/// hit, so a collision is a miss, never someone else's identity.
package struct JWTVerifiedTokenCache: Sendable {
    package struct Entry: Sendable {
        package let token: String
        package let jwt: VerifiedJWT
        package let validUntil: Double
    }

    package let capacity: Int
    private var entries: [Int: Entry] = [:]
    private var ring: [Int] = []
    private var next = 0

    package init(capacity: Int) {
        self.capacity = capacity
        self.entries.reserveCapacity(min(capacity, 4096))
    }

    package var count: Int { entries.count }

    /// How many bytes from the token's end go into its key.
    package static let hashedSuffix = 32

    package static func hash(_ token: Substring) -> Int {
        var hasher = Hasher()
        let utf8 = token.utf8
        hasher.combine(utf8.count)
        let done: Void? = utf8.withContiguousStorageIfAvailable {
            hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: $0.suffix(hashedSuffix))))
        }
        if done == nil {
            for byte in utf8.suffix(hashedSuffix) { hasher.combine(byte) }
        }
        return hasher.finalize()
    }

    /// Byte equality (not String equality, which compares canonical equivalence).
    package static func sameBytes(_ stored: String, _ token: Substring) -> Bool {
        guard stored.utf8.count == token.utf8.count else { return false }
        let fast: Bool?? = stored.utf8.withContiguousStorageIfAvailable { a in
            token.utf8.withContiguousStorageIfAvailable { b in
                memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
            }
        }
        if let fast = fast ?? nil { return fast }
        return stored.utf8.elementsEqual(token.utf8)
    }

    package mutating func lookup(_ token: Substring, now: Double) -> VerifiedJWT? {
        guard capacity > 0 else { return nil }
        let key = Self.hash(token)
        guard let entry = entries[key], Self.sameBytes(entry.token, token) else { return nil }
        guard now < entry.validUntil else {
            entries[key] = nil
            return nil
        }
        return entry.jwt
    }

    package mutating func insert(_ token: Substring, _ jwt: VerifiedJWT, validUntil: Double) {
        guard capacity > 0 else { return }
        let key = Self.hash(token)
        let entry = Entry(token: String(token), jwt: jwt, validUntil: validUntil)
        if entries.updateValue(entry, forKey: key) != nil { return }
        if ring.count < capacity {
            ring.append(key)
            return
        }
        let evicted = ring[next]
        if evicted != key { entries[evicted] = nil }
        ring[next] = key
        next = (next + 1) % capacity
    }
}
