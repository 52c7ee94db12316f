/// The demo's schema, compiled in, so `edge demo` needs neither protoc nor the source tree.
///
/// `descriptorSet` is `protos/demo/bookstore.protoset` (a serialized
/// `google.protobuf.FileDescriptorSet` with imports and source info, also carrying
/// google.rpc.Status and the google.rpc error details), embedded by
/// `scripts/generate-demo.sh` as base64 in `Generated/bookstore.protoset.swift`.
public enum DemoSchema {
    /// The fully qualified name of the demo service.
    public static let serviceName = "demo.bookstore.v1.Bookstore"

    /// The descriptor set's bytes, decoded once.
    public static let descriptorSet: [UInt8] = Base64Text.decode(BookstoreDescriptorSetData.base64)
}
