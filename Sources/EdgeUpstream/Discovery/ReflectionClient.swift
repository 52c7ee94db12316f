import DescriptorLoader
import NIOCore
import EdgeCore

/// Asks one cluster for its schema by gRPC server reflection, over the edge's own
/// upstream client: every `ServerReflectionInfo` exchange is one request message,
/// END_STREAM, and the one response (a bidirectional method used as a unary one).
///
/// Order: `list_services`; `file_containing_symbol` for each service (the
/// reflection and health services are skipped unless the cluster's `services` name them); `file_by_filename` for every
/// import still missing, until none is. `grpc.reflection.v1` is tried first; a
/// server that answers UNIMPLEMENTED is asked again with `v1alpha`.
package struct ReflectionClient {
    package enum Version: String, Sendable {
        case v1 = "grpc.reflection.v1"
        case v1alpha = "grpc.reflection.v1alpha"

        package var service: String { rawValue + ".ServerReflection" }
        package var path: String { "/" + service + "/ServerReflectionInfo" }
    }

    /// Services that describe the server rather than the API: skipped unless `wanted`.
    package static let skippedPrefixes = ["grpc.reflection.", "grpc.health."]

    package let cluster: String
    /// Services the configuration names explicitly (served even under a skipped prefix).
    package let wanted: @Sendable (String) -> Bool
    package let upstream: any UpstreamCalling
    package let eventLoop: any EventLoop
    /// Per exchange.
    package let timeout: TimeAmount

    /// Everything the server describes, with the version that answered.
    package func discover() async throws -> (files: DescriptorFileSet, services: [String], version: Version) {
        var version = Version.v1
        var listed: ReflectionResponse
        do {
            listed = try await exchange(.listServices, version: version)
        } catch let failure as DiscoveryError where failure.code == .unimplemented {
            version = .v1alpha
            listed = try await exchange(.listServices, version: version)
        }
        guard case .services(let all) = listed else {
            throw DiscoveryError(cluster: cluster, message: "list_services was answered with \(Self.describe(listed))")
        }
        let services = all.filter { name in wanted(name) || !Self.skippedPrefixes.contains { name.hasPrefix($0) } }.sorted()
        var files = DescriptorFileSet()
        for service in services where !files.serviceNames.contains(service) {
            try add(try await exchange(.fileContainingSymbol(service), version: version), to: &files, asked: "symbol \(service)")
        }
        // Imports the server did not volunteer, until the set is closed.
        var asked = Set<String>()
        while let name = files.missingDependencies.first(where: { !asked.contains($0) }) {
            asked.insert(name)
            try add(try await exchange(.fileByFilename(name), version: version), to: &files, asked: "file \(name)")
        }
        let missing = files.missingDependencies
        guard missing.isEmpty else {
            throw DiscoveryError(cluster: cluster, message: "the server does not describe imported files: \(missing.joined(separator: ", "))")
        }
        return (files, services, version)
    }

    private func add(_ response: ReflectionResponse, to files: inout DescriptorFileSet, asked: String) throws {
        guard case .files(let list) = response, !list.isEmpty else {
            throw DiscoveryError(cluster: cluster, message: "\(asked) was answered with \(Self.describe(response))")
        }
        for bytes in list {
            do {
                try files.add(serializedFile: bytes, origin: "reflection of cluster '\(cluster)'")
            } catch {
                throw DiscoveryError(cluster: cluster, message: "\(error)")
            }
        }
    }

    private func exchange(_ request: ReflectionRequest, version: Version) async throws -> ReflectionResponse {
        let call = UpstreamRequest(
            path: version.path, service: version.service, metadata: [],
            message: request.serialized(), deadline: .now() + timeout)
        let response = try await upstream.call(call, policy: CallPolicy(maxResponseBytes: 64 << 20), on: eventLoop).get()
        guard response.status.code == .ok else {
            throw DiscoveryError(
                cluster: cluster, code: response.status.code,
                message: "\(version.rawValue) reflection failed: \(response.status.code) \(response.status.message)")
        }
        guard let message = response.message else {
            throw DiscoveryError(cluster: cluster, message: "\(version.rawValue) reflection sent no response message")
        }
        do {
            return try ReflectionResponse(parsing: message)
        } catch {
            throw DiscoveryError(cluster: cluster, message: "\(version.rawValue) reflection: \(error)")
        }
    }

    private static func describe(_ response: ReflectionResponse) -> String {
        switch response {
        case .services: return "a service list"
        case .files(let files): return "\(files.count) file(s)"
        case .error(let code, let message): return "error \(code): \(message)"
        }
    }
}

/// Schema discovery by reflection failed for a cluster.
public struct DiscoveryError: Error, Sendable, CustomStringConvertible {
    public var cluster: String
    /// The gRPC status of the failed exchange, when it was one.
    public var code: GRPCStatusCode?
    public var message: String

    public init(cluster: String, code: GRPCStatusCode? = nil, message: String) {
        self.cluster = cluster
        self.code = code
        self.message = message
    }

    public var description: String { "cluster '\(cluster)': \(message)" }
}
