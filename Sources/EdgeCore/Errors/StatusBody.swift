import NIOCore

/// Renders an ``EdgeError`` as the `google.rpc.Status` JSON body every error response carries:
/// `{"code": 5, "message": "…", "details": […]}`.
///
/// The one place errors become bytes; the request handler, the header-timeout
/// handler and the admin listener all go through here.
public enum StatusBody {
    public static func render(_ error: EdgeError, detailsRenderer: StatusDetailsRenderer?, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(#"{"code":"#)
        buffer.writeString(String(error.code.rawValue))
        buffer.writeStaticString(#","message":"#)
        JSONText.writeString(error.message, into: &buffer)
        buffer.writeStaticString(#","details":"#)
        if let details = error.details, let renderer = detailsRenderer, let json = renderer(details) {
            buffer.writeBytes(json)
        } else {
            buffer.writeStaticString("[]")
        }
        buffer.writeStaticString("}")
    }

    public static func render(_ error: EdgeError, detailsRenderer: StatusDetailsRenderer?, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64 + error.message.utf8.count)
        render(error, detailsRenderer: detailsRenderer, into: &buffer)
        return buffer
    }
}
