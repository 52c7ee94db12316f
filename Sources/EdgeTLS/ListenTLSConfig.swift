/// `listen.tls`: TLS on the public listener (see docs/config.md, `listen.tls`).
///
/// Paths are resolved against the configuration file's folder. The first
/// certificate is the default; the others are chosen by the client's SNI name.
public struct ListenTLSConfig: Sendable, Equatable {
    /// A certificate chain (leaf first) and its private key, both PEM.
    public struct CertificateFiles: Sendable, Equatable {
        public var certFile: String
        public var keyFile: String

        public init(certFile: String, keyFile: String) {
            self.certFile = certFile
            self.keyFile = keyFile
        }
    }

    /// Whether clients present certificates (`client_certificates`).
    public enum ClientCertificates: String, Sendable, Equatable, CaseIterable {
        /// None asked for.
        case none
        /// Asked for; a client without one is served, a client with one that does not verify is refused.
        case optional
        /// A client without a certificate that verifies against `client_ca_file` fails the handshake.
        case required
    }

    public var certificates: [CertificateFiles]
    /// PEM bundle of the CAs that client certificates must chain to.
    public var clientCAFile: String?
    public var clientCertificates: ClientCertificates

    public init(certificates: [CertificateFiles], clientCAFile: String? = nil, clientCertificates: ClientCertificates = .none) {
        self.certificates = certificates
        self.clientCAFile = clientCAFile
        self.clientCertificates = clientCertificates
    }

    /// Every file the listener's TLS is built from: what a change on disk reloads.
    public var files: [String] {
        certificates.flatMap { [$0.certFile, $0.keyFile] } + (clientCAFile.map { [$0] } ?? [])
    }
}
