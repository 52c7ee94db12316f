import Foundation
import XCTest

@testable import EdgeDemo

/// The demo server with a standard, non-Swift gRPC client (python grpcio, i.e. gRPC C-core),
/// loading the schema from the committed descriptor set: unary and streaming calls, error
/// details in `grpc-status-details-bin`, and a call after an idle period with the client
/// sending keepalive pings every second. Skipped without python3 + grpcio on PATH.
@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
final class DemoServerInteropTests: XCTestCase {
    private static let client = #"""
        import sys, time, grpc
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

        port, protoset = sys.argv[1], sys.argv[2]
        pool = descriptor_pool.DescriptorPool()
        for f in descriptor_pb2.FileDescriptorSet.FromString(open(protoset, "rb").read()).file:
            pool.Add(f)
        def cls(name):
            return message_factory.GetMessageClass(pool.FindMessageTypeByName(name))
        def method(kind, name, request, response):
            return getattr(channel, kind)("/demo.bookstore.v1.Bookstore/" + name,
                request_serializer=lambda m: m.SerializeToString(),
                response_deserializer=cls(response).FromString), cls(request)

        channel = grpc.insecure_channel("127.0.0.1:" + port, options=[
            ("grpc.keepalive_time_ms", 1000), ("grpc.keepalive_timeout_ms", 1000),
            ("grpc.keepalive_permit_without_calls", 1), ("grpc.http2.max_pings_without_data", 0)])

        get_book, GetBookRequest = method("unary_unary", "GetBook", "demo.bookstore.v1.GetBookRequest", "demo.bookstore.v1.Book")
        book = get_book(GetBookRequest(name="shelves/1/books/1"), timeout=10)
        assert book.title == "Dune" and book.isbn == 9780441013593, book

        stream, StreamRequest = method("unary_stream", "ListBooksStream", "demo.bookstore.v1.ListBooksStreamRequest", "demo.bookstore.v1.Book")
        titles = [b.title for b in stream(StreamRequest(shelf=2), timeout=10)]
        assert titles == ["A Brief History of Time", "The Selfish Gene"], titles

        fail, FailRequest = method("unary_unary", "Fail", "demo.bookstore.v1.FailRequest", "google.protobuf.Empty")
        try:
            fail(FailRequest(code=5, details=True), timeout=10)
            sys.exit("Fail did not fail")
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.NOT_FOUND, error.code()
            trailers = dict(error.trailing_metadata())
            status = cls("google.rpc.Status").FromString(trailers["grpc-status-details-bin"])
            assert status.code == 5 and [d.type_url.rsplit(".", 1)[1] for d in status.details] == \
                ["ErrorInfo", "RetryInfo", "BadRequest", "LocalizedMessage"], status

        time.sleep(3.5)  # idle, pinging every second
        assert get_book(GetBookRequest(shelf=2, book=4), timeout=10).title == "A Brief History of Time"
        print("ok")
        """#

    func testStandardGRPCClientInterop() async throws {
        // python3 from PATH (e.g. a pyenv shim), as a developer would run it.
        let env = URL(fileURLWithPath: "/usr/bin/env")
        let check = Process()
        check.executableURL = env
        check.arguments = ["python3", "-c", "import grpc"]
        check.standardError = FileHandle.nullDevice
        try check.run()
        check.waitUntilExit()
        guard check.terminationStatus == 0 else { throw XCTSkip("python3 with grpcio not found on PATH") }

        let protoset = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("protos/demo/bookstore.protoset")
        let server = try await DemoServer.start()
        let process = Process()
        process.executableURL = env
        process.arguments = ["python3", "-c", Self.client, String(server.port), protoset.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = await Task.detached { output.fileHandleForReading.readDataToEndOfFile() }.value
        process.waitUntilExit()
        await server.shutdown()

        let text = String(decoding: data, as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.hasSuffix("ok\n"), text)
    }
}
