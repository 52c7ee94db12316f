import NIOCore
import NIOHTTP1
import NIOPosix
import EdgeConfig

/// A minimal HTTP/1.1 client for OTLP exports: one keep-alive connection to the collector, one POST at
/// a time, connect and request timeouts, reconnecting on the next request after any failure.
/// Confined to one event loop (the exporter's); every method must be called there.
package final class OTLPHTTPClient {
    private let eventLoop: any EventLoop
    private let settings: TracingExportSettings
    private var channel: (any Channel)?
    private var closed = false

    package init(eventLoop: any EventLoop, settings: TracingExportSettings) {
        self.eventLoop = eventLoop
        self.settings = settings
    }

    /// POSTs an encoded `ExportTraceServiceRequest`; succeeds on a 2xx answer.
    package func post(_ body: ByteBuffer) -> EventLoopFuture<Void> {
        eventLoop.assertInEventLoop()
        guard !closed else { return eventLoop.makeFailedFuture(OTLPExportError.shutDown) }
        return connection().assumeIsolated().flatMap { channel in
            self.send(body, on: channel)
        }.nonisolated()
    }

    /// Closes the connection; later posts fail.
    package func close() {
        eventLoop.assertInEventLoop()
        closed = true
        channel?.close(promise: nil)
        channel = nil
    }

    private func send(_ body: ByteBuffer, on channel: any Channel) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        let handler: OTLPHTTPResponseHandler
        do {
            handler = try channel.pipeline.syncOperations.handler(type: OTLPHTTPResponseHandler.self)
        } catch {
            channel.close(promise: nil)
            return eventLoop.makeFailedFuture(OTLPExportError.connectionClosed)
        }
        handler.expect(promise)
        let timeout = eventLoop.assumeIsolated().scheduleTask(in: settings.requestTimeout) {
            handler.fail(.timedOut)
            channel.close(promise: nil)
        }
        promise.futureResult.assumeIsolated().whenComplete { result in
            timeout.cancel()
            if case .failure = result { channel.close(promise: nil) }
        }
        var headers = HTTPHeaders()
        headers.reserveCapacity(5)
        headers.add(name: "host", value: settings.hostHeader)
        headers.add(name: "content-type", value: "application/x-protobuf")
        headers.add(name: "content-length", value: String(body.readableBytes))
        headers.add(name: "user-agent", value: "edge")
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: settings.path, headers: headers)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil)).assumeIsolated().whenFailure { _ in
            handler.fail(.connectionClosed)
        }
        return promise.futureResult
    }

    private func connection() -> EventLoopFuture<any Channel> {
        if let channel, channel.isActive { return eventLoop.makeSucceededFuture(channel) }
        channel = nil
        let settings = self.settings
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(settings.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHTTPClientHandlers()
                    try sync.addHandler(OTLPHTTPResponseHandler())
                }
            }
            .connect(host: settings.host, port: settings.port)
            .flatMapErrorThrowing { error in
                throw OTLPExportError.connectFailed("\(settings.host):\(settings.port): \(error)")
            }
            .assumeIsolated()
            .map { channel in
                if self.closed {
                    channel.close(promise: nil)
                } else {
                    self.channel = channel
                }
                return channel
            }
            .nonisolated()
    }
}
