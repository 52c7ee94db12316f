import Yams
import EdgeTLS

extension ConfigParser {
    /// `listen.tls: {certificates: [{cert_file, key_file}], client_ca_file, client_certificates}`.
    ///
    /// With `checkFiles`, every file is read and checked as the listener will use it
    /// (``TLSCertificatePair``, then ``ListenerTLSContext/load(_:)``): readable, PEM that
    /// parses, each key the key of its certificate, the CA bundle non-empty.
    package mutating func parseListenTLS(_ node: Node, _ path: String) -> ListenTLSConfig? {
        guard let entries = reader.mapping(node, path, allowed: ["certificates", "client_ca_file", "client_certificates"]) else { return nil }
        var config = ListenTLSConfig(certificates: [])
        var mode: ListenTLSConfig.ClientCertificates?
        var sawCertificates = false
        let problemsBefore = reader.problems.count
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            switch key {
            case "certificates":
                sawCertificates = true
                guard let items = reader.sequence(value, at) else { continue }
                if items.isEmpty { reader.report(at, value, "name at least one certificate") }
                for (index, item) in items.enumerated() {
                    let itemAt = ConfigReader.index(at, index)
                    guard let files = parseCertificateFiles(item, itemAt) else { continue }
                    config.certificates.append(files)
                    if checkFiles {
                        do {
                            _ = try TLSCertificatePair.load(certFile: files.certFile, keyFile: files.keyFile)
                        } catch {
                            reader.report(itemAt, item, error.message)
                        }
                    }
                }
            case "client_ca_file":
                guard let file = reader.string(value, at) else { continue }
                config.clientCAFile = resolve(file)
                if checkFiles {
                    do {
                        _ = try TLSCertificatePair.loadCertificates(resolve(file), what: "client CA file")
                    } catch {
                        reader.report(at, value, error.message)
                    }
                }
            case "client_certificates":
                guard let text = reader.string(value, at) else { continue }
                guard let parsed = ListenTLSConfig.ClientCertificates(rawValue: text) else {
                    reader.report(at, value, "expected one of: none, optional, required, got '\(text)'")
                    continue
                }
                mode = parsed
            default: break
            }
        }
        if !sawCertificates { reader.report(ConfigReader.child(path, "certificates"), nil, "missing: name at least one {cert_file, key_file}") }
        // A CA file alone asks for client certificates without requiring them.
        config.clientCertificates = mode ?? (config.clientCAFile == nil ? .none : .optional)
        if config.clientCertificates != .none, config.clientCAFile == nil {
            reader.report(ConfigReader.child(path, "client_ca_file"), nil, "missing: client_certificates: \(config.clientCertificates.rawValue) verifies client certificates against this CA bundle")
        }
        // Each file is fine: what is left to check is that NIOSSL takes them together.
        if checkFiles, reader.problems.count == problemsBefore {
            do {
                _ = try ListenerTLSContext.load(config)
            } catch {
                reader.report(path, node, error.message)
            }
        }
        return config
    }

    /// `{cert_file, key_file}`, both required.
    package mutating func parseCertificateFiles(_ node: Node, _ path: String) -> ListenTLSConfig.CertificateFiles? {
        guard let entries = reader.mapping(node, path, allowed: ["cert_file", "key_file"]) else { return nil }
        var cert: String?
        var key: String?
        for (name, value) in entries {
            let at = ConfigReader.child(path, name)
            if name == "cert_file" { cert = reader.string(value, at).map(resolve) }
            if name == "key_file" { key = reader.string(value, at).map(resolve) }
        }
        if entries.allSatisfy({ $0.key != "cert_file" }) { reader.report(ConfigReader.child(path, "cert_file"), node, "missing: the PEM certificate chain") }
        if entries.allSatisfy({ $0.key != "key_file" }) { reader.report(ConfigReader.child(path, "key_file"), node, "missing: the PEM private key") }
        guard let cert, let key else { return nil }
        return ListenTLSConfig.CertificateFiles(certFile: cert, keyFile: key)
    }
}
