/// The `mtls` credential: the client certificate verified during the TLS handshake
/// (`listen.tls.client_certificates: optional | required`).
struct ClientCertificateCheck: CredentialCheck {
    var name: String { "mtls" }

    func check(_ exchange: PolicyExchange, mayWait: Bool) -> CredentialResult {
        guard let identity = exchange.connection.peerIdentity else { return .missing }
        return .valid(Credential(name: name, subject: identity.subject))
    }
}
