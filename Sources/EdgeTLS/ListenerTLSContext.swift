import NIOSSL
import EdgeCore

/// The public listener's TLS, built from ``ListenTLSConfig`` and its files: one
/// `NIOSSLContext` that every new connection uses, immutable. A change (a reload,
/// rotated files) builds a new one; connections keep the one they started with.
///
/// - TLS 1.2 and 1.3, ALPN `http/1.1`.
/// - Several certificates: the first is served by default; SNI picks another
///   (``TLSServerNameMatcher``) through NIOSSL's `sslContextCallback`.
/// - Client certificates, `optional` or `required`, verified against the CA file
///   (no host name check: a client's names are an identity, not an address).
public final class ListenerTLSContext: Sendable {
    public let config: ListenTLSConfig
    package let sslContext: NIOSSLContext
    /// The files as they were just before they were read: a later change shows as a
    /// different fingerprint (see ``ListenerTLS``).
    package let fingerprint: ReloadFileWatcher.Fingerprint
    /// Each certificate's DNS names, in configuration order.
    public let serverNames: [[String]]

    private init(config: ListenTLSConfig, sslContext: NIOSSLContext, fingerprint: ReloadFileWatcher.Fingerprint, serverNames: [[String]]) {
        self.config = config
        self.sslContext = sslContext
        self.fingerprint = fingerprint
        self.serverNames = serverNames
    }

    /// Reads and checks every file (blocking: call it off the event loops).
    public static func load(_ config: ListenTLSConfig) throws(TLSFileProblem) -> ListenerTLSContext {
        let fingerprint = ReloadFileWatcher.fingerprint(config.files)
        guard !config.certificates.isEmpty else { throw TLSFileProblem("no certificate configured") }
        var pairs: [TLSCertificatePair] = []
        for files in config.certificates {
            pairs.append(try TLSCertificatePair.load(certFile: files.certFile, keyFile: files.keyFile))
        }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: pairs[0].chain.map { .certificate($0) }, privateKey: .privateKey(pairs[0].key))
        tls.minimumTLSVersion = .tlsv12
        tls.maximumTLSVersion = .tlsv13
        tls.applicationProtocols = ["http/1.1"]
        switch config.clientCertificates {
        case .none:
            tls.certificateVerification = .none
        case .optional, .required:
            guard let caFile = config.clientCAFile else {
                throw TLSFileProblem("client_certificates: \(config.clientCertificates.rawValue) needs client_ca_file")
            }
            tls.trustRoots = .certificates(try TLSCertificatePair.loadCertificates(caFile, what: "client CA file"))
            tls.certificateVerification = config.clientCertificates == .required ? .noHostnameVerification : .optionalVerification
            // Tells clients (browsers) which of their certificates to offer.
            tls.sendCANameList = true
        }
        if pairs.count > 1 {
            let matcher = TLSServerNameMatcher(names: pairs.map(\.serverNames))
            let overrides = pairs.map { pair in
                var override = NIOSSLContextConfigurationOverride()
                override.certificateChain = pair.chain.map { .certificate($0) }
                override.privateKey = .privateKey(pair.key)
                return override
            }
            tls.sslContextCallback = { values, promise in
                let index = matcher.certificateIndex(for: values.serverHostname)
                promise.succeed(index == 0 ? .noChanges : overrides[index])
            }
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw TLSFileProblem("cannot set up TLS: \(error)")
        }
        return ListenerTLSContext(config: config, sslContext: context, fingerprint: fingerprint, serverNames: pairs.map(\.serverNames))
    }
}
