/// A CIDR block (`10.0.0.0/8`, `2001:db8::/32`) or a single address; IPv4 blocks match
/// IPv4 clients whether they arrive over IPv4 or as IPv4-mapped IPv6.
public struct IPRange: Sendable, Hashable, CustomStringConvertible {
    public let network: IPAddress
    /// Prefix length over the 128-bit form (an IPv4 `/8` is `/104`).
    public let prefixLength: Int
    public let description: String

    /// Parses `address` or `address/prefix`; `nil` when either part is not valid.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let maxPrefix = address.isIPv4 ? 32 : 128
        var prefix = maxPrefix
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(parts[1]), value <= maxPrefix
            else { return nil }
            prefix = value
        }
        self.prefixLength = address.isIPv4 ? prefix + 96 : prefix
        self.network = Self.masked(address, prefixLength)
        self.description = text
    }

    public func contains(_ address: IPAddress) -> Bool {
        Self.masked(address, prefixLength) == network
    }

    package static func masked(_ address: IPAddress, _ prefix: Int) -> IPAddress {
        func mask(_ bits: Int) -> UInt64 {
            bits <= 0 ? 0 : bits >= 64 ? ~0 : ~0 << UInt64(64 - bits)
        }
        return IPAddress(high: address.high & mask(prefix), low: address.low & mask(prefix - 64))
    }
}
