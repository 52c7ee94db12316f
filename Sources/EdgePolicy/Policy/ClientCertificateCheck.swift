/// The `mtls` credential: the client certificate verified during the TLS handshake
/// (`listen.tls.client_certificates: optional | required`).
package struct ClientCertificateCheck: CredentialCheck {
    package var name: String { "mtls" }

    package func check(_ exchange: PolicyExchange, mayWait: Bool) -> CredentialResult {
        guard let identity = exchange.connection.peerIdentity else { return .missing }
        return .valid(Credential(name: name, subject: identity.subject))
    }
}
