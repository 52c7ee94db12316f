import NIOCore

/// Encodes a remaining time budget as a `grpc-timeout` header value.
///
/// The gRPC spec allows at most 8 ASCII digits followed by a unit (`H`, `M`, `S`, `m`, `u`, `n`).
/// The smallest unit in which the value fits is chosen, rounding up so the server never
/// sees a shorter budget than the edge will wait for.
public enum GRPCTimeout {
    package static let maxValue: Int64 = 99_999_999
    private static let units: [(nanos: Int64, symbol: Character)] = [
        (1, "n"), (1_000, "u"), (1_000_000, "m"), (1_000_000_000, "S"), (60_000_000_000, "M"), (3_600_000_000_000, "H"),
    ]

    /// The header value for `amount`; amounts below one nanosecond are sent as `1n`.
    public static func encode(_ amount: TimeAmount) -> String {
        let nanos = max(amount.nanoseconds, 1)
        for unit in units {
            let value = nanos / unit.nanos + (nanos % unit.nanos == 0 ? 0 : 1)
            if value <= maxValue {
                return String(value) + String(unit.symbol)
            }
        }
        // Int64 nanoseconds top out far below 99_999_999 hours.
        return String(maxValue) + "H"
    }
}
