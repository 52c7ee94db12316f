import NIOHTTP1

/// Builds the gRPC metadata of one request from its HTTP headers.
///
/// Forwarded: `Authorization`; `Grpc-Metadata-<name>` as `<name>`; the names
/// in ``MetadataPolicy/forwardedHeaders``. Never forwarded: hop-by-hop headers
/// and anything the `Connection` header names. Added: `x-forwarded-for`
/// (appended to the client's), `x-forwarded-host`, `x-forwarded-proto` and
/// `x-request-id`. Values of `-bin` names must be valid base64 (else 400). Names in
/// ``MetadataPolicy/stripped`` never pass, however the client spells them.
public enum RequestMetadata {
    public static func build(
        headers: HTTPHeaders,
        policy: MetadataPolicy,
        remoteIP: String?,
        requestID: String,
        scheme: String? = nil
    ) -> Result<[(name: String, value: String)], EdgeError> {
        var metadata: [(name: String, value: String)] = []
        metadata.reserveCapacity(8)
        var forwardedFor: String?
        var host: String?
        var connectionNamed: Set<String> = []
        for value in headers[canonicalForm: "connection"] {
            connectionNamed.insert(value.lowercased())
        }

        for (rawName, value) in headers {
            let name = rawName.lowercased()
            if name == "host" {
                host = value
                continue
            }
            if name == "x-forwarded-for" {
                forwardedFor = forwardedFor.map { $0 + ", " + value } ?? value
                continue
            }
            if HopByHop.names.contains(name) || connectionNamed.contains(name) { continue }

            let target: String
            if name == "authorization" {
                target = name
            } else if name.hasPrefix("grpc-metadata-") {
                target = String(name.dropFirst("grpc-metadata-".count))
                guard !target.isEmpty, !HopByHop.isReserved(target) else { continue }
            } else if policy.forwardedHeaders.contains(name), !HopByHop.isReserved(name) {
                target = name
            } else {
                continue
            }
            if !policy.stripped.isEmpty, policy.stripped.contains(target) { continue }
            if target.hasSuffix("-bin"), !Base64Check.isValid(Substring(value)) {
                return .failure(.badRequest("header '\(rawName)' must be base64 (it names binary metadata)"))
            }
            metadata.append((target, value))
        }

        if let remoteIP {
            metadata.append(("x-forwarded-for", forwardedFor.map { $0 + ", " + remoteIP } ?? remoteIP))
        } else if let forwardedFor {
            metadata.append(("x-forwarded-for", forwardedFor))
        }
        if let host { metadata.append(("x-forwarded-host", host)) }
        metadata.append(("x-forwarded-proto", scheme ?? policy.scheme))
        metadata.append(("x-request-id", requestID))
        return .success(metadata)
    }
}
