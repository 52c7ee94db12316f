/// W3C `tracestate` bounds: the edge forwards a caller's trace state unchanged, but only a well-formed one
/// of at most 32 list members and 512 characters; anything else is dropped whole (the Recommendation lets
/// a vendor discard a trace state it cannot propagate intact, and truncating would change its meaning).
public enum TraceState {
    public static let maxMembers = 32
    public static let maxLength = 512

    /// `value` when it is within bounds and well-formed, else nil. Empty list members (`a=1,,b=2`) are
    /// allowed by the grammar and not counted; a header that has only those is absent (nil).
    public static func bounded(_ value: String) -> String? {
        var value = value
        return value.withUTF8 { bytes -> Bool in
            guard bytes.count <= maxLength else { return false }
            var members = 0
            var start = 0
            while start <= bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: ",") { end += 1 }
                var first = start
                var last = end
                while first < last, bytes[first] == 0x20 || bytes[first] == 0x09 { first += 1 }
                while last > first, bytes[last - 1] == 0x20 || bytes[last - 1] == 0x09 { last -= 1 }
                if first < last {
                    members += 1
                    guard members <= maxMembers, isMember(UnsafeBufferPointer(rebasing: bytes[first..<last])) else {
                        return false
                    }
                }
                start = end + 1
            }
            return members > 0
        } ? value : nil
    }

    /// `key=value` per the grammar: key is `simple-key` or `tenant-id@system-id`, value is 1-256 printable
    /// characters other than `,` and `=`, not ending in a space.
    private static func isMember(_ member: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let equals = member.firstIndex(of: UInt8(ascii: "=")) else { return false }
        let key = UnsafeBufferPointer(rebasing: member[..<equals])
        let value = UnsafeBufferPointer(rebasing: member[(equals + 1)...])
        return isKey(key) && isValue(value)
    }

    private static func isKey(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        if let at = key.firstIndex(of: UInt8(ascii: "@")) {
            let tenant = key[..<at]
            let system = key[(at + 1)...]
            guard (1...241).contains(tenant.count), (1...14).contains(system.count),
                let tenantFirst = tenant.first, isLowerAlpha(tenantFirst) || isDigit(tenantFirst),
                let systemFirst = system.first, isLowerAlpha(systemFirst)
            else { return false }
            return tenant.allSatisfy(isKeyCharacter) && system.allSatisfy(isKeyCharacter)
        }
        guard (1...256).contains(key.count), let first = key.first, isLowerAlpha(first) else { return false }
        return key.allSatisfy(isKeyCharacter)
    }

    private static func isValue(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard (1...256).contains(value.count), let last = value.last, last != 0x20 else { return false }
        return value.allSatisfy { $0 >= 0x20 && $0 <= 0x7E && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "=") }
    }

    private static func isLowerAlpha(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isKeyCharacter(_ byte: UInt8) -> Bool {
        isLowerAlpha(byte) || isDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "*") || byte == UInt8(ascii: "/")
    }
}
