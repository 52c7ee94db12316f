/// Turns a serialized `google.rpc.Status` (the bytes of `grpc-status-details-bin`)
/// into the JSON text of its `details` array (`[{"@type": ..., ...}]`).
///
/// The edge has no protobuf printer of its own: the gateway wires this to the
/// transcoder's `WireToJSON` with the schema's `google.rpc.Status`. Returning
/// `nil` (or having no renderer) renders `"details": []`.
public typealias StatusDetailsRenderer = @Sendable (_ serializedStatus: [UInt8]) -> [UInt8]?
