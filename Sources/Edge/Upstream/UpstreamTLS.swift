import NIOSSL

/// TLS for upstream connections: ALPN `h2`, system roots or the cluster's CA file.
enum UpstreamTLS {
    static func makeContext(for config: UpstreamClusterConfig) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.applicationProtocols = ["h2"]
        if let caFile = config.tlsCAFile {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw UpstreamConfigError("cluster '\(config.name)': cannot read tls CA file '\(caFile)': \(error)")
            }
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw UpstreamConfigError("cluster '\(config.name)': cannot set up TLS: \(error)")
        }
    }
}
