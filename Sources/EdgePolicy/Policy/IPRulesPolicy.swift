import EdgeConfig
import EdgeCore

/// The client's address (through the trusted proxies) against the global IP rules, then
/// the route's: a denied address, or one outside a non-empty allow list, is refused with
/// `403 PERMISSION_DENIED`.
package struct IPRulesPolicy: RequestPolicy {
    package var name: String { "ip" }

    /// Global first, then the route's; each must pass.
    package let levels: [IPRulesConfig]

    package func evaluate(_ exchange: inout PolicyExchange) -> PolicyVerdict {
        guard let address = exchange.clientAddress() else {
            exchange.refusalReason = "address_unknown"
            return .refuse(EdgeError(code: .permissionDenied, message: "the client's address is unknown; IP rules apply to this route"))
        }
        for rules in levels {
            if rules.deny.contains(where: { $0.contains(address) })
                || (!rules.allow.isEmpty && !rules.allow.contains(where: { $0.contains(address) }))
            {
                exchange.refusalReason = "address_denied"
                return .refuse(EdgeError(code: .permissionDenied, message: "client address \(address) is not allowed"))
            }
        }
        return .proceed
    }
}
