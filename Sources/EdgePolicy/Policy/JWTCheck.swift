import NIOCore
import EdgeConfig
import EdgeCore

/// The `jwt:<name>` credential: a token from the provider's sources (`Authorization: Bearer`
/// by default), verified by its ``JWTProvider``; its claims become metadata as configured.
package struct JWTCheck: CredentialCheck {
    package let name: String
    package let provider: JWTProvider
    package let sources: [JWTTokenSource]
    /// (claim path, metadata name), in a fixed order.
    package let claimsToHeaders: [(path: String, header: String)]

    package init(provider: JWTProvider) {
        self.name = "jwt:" + provider.config.name
        self.provider = provider
        self.sources = provider.config.tokenSources
        self.claimsToHeaders = provider.config.claimsToHeaders.sorted { $0.key < $1.key }.map { (path: $0.key, header: $0.value) }
    }

    package func check(_ exchange: PolicyExchange, mayWait: Bool) -> CredentialResult {
        let token: Substring
        switch JWTTokenSource.extract(from: exchange.head.headers, uri: exchange.head.uri, sources: sources) {
        case .success(nil): return .missing
        case .success(let found?): token = found
        case .failure(let failure): return .invalid(failure.edgeError, reason: failure.reason.metricLabel)
        }
        guard let loop = exchange.connection.eventLoop else {
            return .invalid(EdgeError(code: .internal, message: "\(name): no event loop to verify on"), reason: "internal")
        }
        switch provider.verify(token, on: loop, mayWait: mayWait) {
        case .awaitingKeys(let future):
            return .pending(future)
        case .rejected(let failure):
            return .invalid(failure.edgeError, reason: failure.reason.metricLabel)
        case .verified(let jwt):
            var metadata: [(name: String, value: String)] = []
            metadata.reserveCapacity(claimsToHeaders.count)
            for (path, header) in claimsToHeaders {
                if let value = jwt.claimHeaderValue(Substring(path)) { metadata.append((header, value)) }
            }
            return .valid(Credential(
                name: name, subject: jwt.subject, scopes: jwt.scopes, claims: JWTClaims(jwt: jwt), metadata: metadata))
        }
    }
}

/// A verified token's claims for claim requirements.
package struct JWTClaims: ClaimLookup {
    package let jwt: VerifiedJWT
    package func values(at path: String) -> [String]? {
        guard let value = jwt.claim(Substring(path)) else { return nil }
        if case .array(let items) = value { return items.compactMap(\.text) }
        return value.text.map { [$0] }
    }
}

/// The JWT providers of a configuration: those whose configuration did not change are
/// kept from the previous snapshot (with their key sets and verified tokens), the others
/// are made and started.
package enum JWTProviders {
    package static func make(config: EdgeConfig, group: any EventLoopGroup, previous: [JWTProvider]) -> [JWTProvider] {
        config.auth.jwt.map { providerConfig in
            if let kept = previous.first(where: { $0.config == providerConfig }) { return kept }
            let provider = JWTProvider(config: providerConfig, group: group)
            provider.start()
            return provider
        }
    }
}
