import NIOSSL
import EdgeConfig
import EdgeTLS

/// TLS for upstream connections: ALPN `h2`, system roots or the cluster's CA file,
/// and the cluster's client certificate when it has one (mTLS upstream).
package enum UpstreamTLS {
    package static func makeContext(for config: UpstreamClusterConfig) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.applicationProtocols = ["h2"]
        if let caFile = config.tlsCAFile {
            do {
                tls.trustRoots = .certificates(try TLSCertificatePair.loadCertificates(caFile, what: "tls CA file"))
            } catch {
                throw UpstreamConfigError("cluster '\(config.name)': \(error)")
            }
        }
        switch (config.tlsCertFile, config.tlsKeyFile) {
        case (let certFile?, let keyFile?):
            do {
                let pair = try TLSCertificatePair.load(certFile: certFile, keyFile: keyFile)
                tls.certificateChain = pair.chain.map { .certificate($0) }
                tls.privateKey = .privateKey(pair.key)
            } catch {
                throw UpstreamConfigError("cluster '\(config.name)': tls client certificate: \(error)")
            }
        case (nil, nil):
            break
        default:
            throw UpstreamConfigError("cluster '\(config.name)': tls needs both cert_file and key_file for a client certificate")
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw UpstreamConfigError("cluster '\(config.name)': cannot set up TLS: \(error)")
        }
    }
}
