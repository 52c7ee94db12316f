import SwiftProtobuf

/// Serialized `FileDescriptorProto`s gathered one at a time (as gRPC server
/// reflection hands them out), keyed by file name, with what they still need.
///
/// Reflection answers a symbol with its file and, usually, the files it imports;
/// ``missingDependencies`` says which imports must still be asked for by name.
public struct DescriptorFileSet: Sendable {
    private var files: [String: Google_Protobuf_FileDescriptorProto] = [:]
    /// File names in the order they were first added.
    public private(set) var names: [String] = []

    public init() {}

    /// Adds one serialized `FileDescriptorProto` (a second copy of a name is ignored).
    /// - Returns: the file's name.
    @discardableResult
    public mutating func add(serializedFile bytes: [UInt8], origin: String) throws -> String {
        let file: Google_Protobuf_FileDescriptorProto
        do {
            file = try Google_Protobuf_FileDescriptorProto(serializedBytes: bytes)
        } catch {
            throw SchemaError(location: origin, message: "not a valid FileDescriptorProto: \(error)")
        }
        guard !file.name.isEmpty else { throw SchemaError(location: origin, message: "a FileDescriptorProto without a name") }
        if files[file.name] == nil {
            files[file.name] = file
            names.append(file.name)
        }
        return file.name
    }

    public func contains(_ name: String) -> Bool { files[name] != nil }

    public var isEmpty: Bool { files.isEmpty }

    /// Imports named by the added files that are not in the set, sorted.
    public var missingDependencies: [String] {
        var missing = Set<String>()
        for file in files.values {
            for dependency in file.dependency where files[dependency] == nil { missing.insert(dependency) }
        }
        return missing.sorted()
    }

    /// The fully qualified names of the services the added files declare, sorted.
    public var serviceNames: [String] {
        var result: [String] = []
        for file in files.values {
            let prefix = file.package.isEmpty ? "" : file.package + "."
            for service in file.service { result.append(prefix + service.name) }
        }
        return result.sorted()
    }

    /// A serialized `FileDescriptorSet` of the added files, imports before the files
    /// that use them, leaving out `excluding` (files supplied by another source).
    public func serializedSet(excluding: Set<String> = []) throws -> [UInt8] {
        var set = Google_Protobuf_FileDescriptorSet()
        var emitted = Set<String>()
        func emit(_ name: String) {
            guard !emitted.contains(name), let file = files[name] else { return }
            emitted.insert(name)
            for dependency in file.dependency { emit(dependency) }
            if !excluding.contains(name) { set.file.append(file) }
        }
        for name in names { emit(name) }
        return try set.serializedBytes()
    }

    /// The file names of a serialized `FileDescriptorSet`.
    public static func fileNames(ofSerializedSet bytes: [UInt8]) throws -> [String] {
        try Google_Protobuf_FileDescriptorSet(serializedBytes: bytes).file.map(\.name)
    }
}
