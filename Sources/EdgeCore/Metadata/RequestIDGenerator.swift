import NIOHTTP1

/// Makes `x-request-id` values without Foundation's UUID or a syscall per request.
///
/// One generator per connection (so no locking): seeded once from the system's
/// random source, then a wyrand step per id. Ids are 32 lowercase hex digits.
package struct RequestIDGenerator {
    private var state: UInt64

    package init() {
        var system = SystemRandomNumberGenerator()
        self.state = system.next()
    }

    package init(seed: UInt64) { self.state = seed }

    private mutating func next() -> UInt64 {
        state &+= 0xA076_1D64_78BD_642F
        let product = state.multipliedFullWidth(by: state ^ 0xE703_7ED1_A0B4_28DB)
        return product.high ^ product.low
    }

    /// The client's `x-request-id`, when it is acceptable (see ``isAcceptable(_:)``).
    package static func fromClient(_ headers: HTTPHeaders) -> String? {
        headers.first(name: "x-request-id").flatMap { isAcceptable($0) ? $0 : nil }
    }

    package mutating func make() -> String {
        let high = next()
        let low = next()
        return String(unsafeUninitializedCapacity: 32) { buffer in
            let digits: StaticString = "0123456789abcdef"
            let hex = digits.utf8Start
            for index in 0..<16 {
                buffer[index] = hex[Int((high >> UInt64(60 - index * 4)) & 0xF)]
                buffer[16 + index] = hex[Int((low >> UInt64(60 - index * 4)) & 0xF)]
            }
            return 32
        }
    }

    /// A client's own id is kept when it is short printable ASCII; otherwise a new one is made.
    package static func isAcceptable(_ id: String) -> Bool {
        let bytes = id.utf8
        guard !bytes.isEmpty, bytes.count <= 128 else { return false }
        return bytes.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}
