import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A certificate chain (leaf first) and the private key of its leaf, read from PEM
/// files and checked: both parse, and the key is the leaf's. What the listener serves
/// and what the edge presents to backends (mTLS upstream) are loaded here, and
/// `edge validate` checks files with the same code.
///
/// Loading reads files: call it off the event loops.
public struct TLSCertificatePair: Sendable {
    public let chain: [NIOSSLCertificate]
    public let key: NIOSSLPrivateKey
    /// The leaf's DNS names, lower-cased, for SNI: its DNS SANs, or its common name when
    /// it has none (as clients did before SANs).
    public let serverNames: [String]
    /// The leaf's `notValidAfter`, for the log.
    public let notValidAfter: Date

    public static func load(certFile: String, keyFile: String) throws(TLSFileProblem) -> TLSCertificatePair {
        let chain = try loadCertificates(certFile, what: "certificate file")
        let keyPEM = try readText(keyFile, what: "key file")
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
        } catch {
            throw TLSFileProblem("key file '\(keyFile)' holds no PEM private key that can be used (encrypted keys are not supported)")
        }
        let leaf: Certificate
        do {
            leaf = try Certificate(derEncoded: try chain[0].toDERBytes())
        } catch {
            throw TLSFileProblem("certificate file '\(certFile)': the first certificate does not parse: \(error)")
        }
        let parsedKey: Certificate.PrivateKey
        do {
            parsedKey = try Certificate.PrivateKey(pemEncoded: keyPEM)
        } catch {
            throw TLSFileProblem("key file '\(keyFile)': unsupported private key (use RSA of 2048 bits or more, ECDSA P-256/P-384/P-521 or Ed25519)")
        }
        guard parsedKey.publicKey == leaf.publicKey else {
            throw TLSFileProblem("key file '\(keyFile)' does not match the certificate in '\(certFile)' (not the key of its first certificate)")
        }
        return TLSCertificatePair(
            chain: chain, key: key, serverNames: Self.serverNames(of: leaf),
            notValidAfter: Date(timeIntervalSince1970: TimeInterval(chain[0].notValidAfter)))
    }

    /// A PEM bundle of one or more certificates (a chain or a CA bundle).
    public static func loadCertificates(_ file: String, what: String) throws(TLSFileProblem) -> [NIOSSLCertificate] {
        let text = try readText(file, what: what)
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(Array(text.utf8))
        } catch {
            throw TLSFileProblem("\(what) '\(file)' is not a PEM certificate bundle")
        }
        guard !certificates.isEmpty else { throw TLSFileProblem("\(what) '\(file)' holds no PEM certificate") }
        return certificates
    }

    package static func readText(_ file: String, what: String) throws(TLSFileProblem) -> String {
        guard FileManager.default.fileExists(atPath: file) else { throw TLSFileProblem("\(what) '\(file)' does not exist") }
        guard let data = FileManager.default.contents(atPath: file) else { throw TLSFileProblem("\(what) '\(file)' cannot be read") }
        return String(decoding: data, as: UTF8.self)
    }

    package static func serverNames(of certificate: Certificate) -> [String] {
        var names: [String] = []
        if let alternatives = try? certificate.extensions.subjectAlternativeNames {
            for name in alternatives {
                if case .dnsName(let dns) = name { names.append(dns.lowercased()) }
            }
        }
        if names.isEmpty {
            for rdn in certificate.subject {
                for attribute in rdn where attribute.type == ASN1ObjectIdentifier.RDNAttributeType.commonName {
                    if let text = String(attribute.value) { names.append(text.lowercased()) }
                }
            }
        }
        return names
    }
}
