import EdgeUpstream
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The access log's destination as a file descriptor, written by the writer thread only.
///
/// A write never blocks for long: files the log opens itself are non-blocking (a FIFO whose
/// reader stalls answers `EAGAIN`), and standard output, whose flags are shared with other
/// processes and not ours to change, is written in pieces no larger than `PIPE_BUF` after
/// `poll(2)` says it is writable. Between waits the writer can give up (shutdown) and warn.
package final class AccessLogFile {
    package let destination: AccessLogSettings.Destination
    private var descriptor: CInt
    /// The largest piece handed to one `write(2)`.
    private var pieceLimit: Int
    /// Whether a `write(2)` may block (standard output to a pipe or terminal): poll first.
    private var pollBeforeWrite: Bool

    package enum Outcome: Equatable {
        case written
        /// `write(2)` failed with this `errno` (the reader went away, the disk is full...)
        /// after `written` bytes had gone out.
        case failed(CInt, written: Int)
        /// Waited until `keepWaiting` said stop (shutdown's deadline passed), after `written` bytes.
        case abandoned(written: Int)
    }

    #if os(Linux)
    private static let atomicPipeWrite = 4096
    #else
    private static let atomicPipeWrite = 512
    #endif

    package init(_ destination: AccessLogSettings.Destination) throws(AccessLogError) {
        self.destination = destination
        switch destination {
        case .stdout:
            descriptor = STDOUT_FILENO
            var info = stat()
            let regular = fstat(STDOUT_FILENO, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
            pieceLimit = regular ? Int.max : Self.atomicPipeWrite
            pollBeforeWrite = !regular
        case .file(let path):
            descriptor = try Self.open(path)
            pieceLimit = Int.max
            pollBeforeWrite = false
        }
        // A reader that goes away must cost lines (EPIPE), not the process. SwiftNIO does
        // the same on Linux as soon as it makes a socket.
        signal(SIGPIPE, SIG_IGN)
    }

    /// Opens `path` for appending, creating it (0640 before the umask) if missing.
    private static func open(_ path: String) throws(AccessLogError) -> CInt {
        let flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK
        let descriptor = path.withCString { systemOpen($0, flags, 0o640) }
        guard descriptor >= 0 else {
            let code = errno
            if code == ENXIO {
                throw AccessLogError("access log \(path): a FIFO that no process has open for reading; start its reader first")
            }
            throw AccessLogError("access log \(path): cannot open for appending: \(describe(code))")
        }
        return descriptor
    }

    /// Opens the path again (after a rotation tool renamed the file) and closes the old
    /// descriptor once the new one is open; on failure the old one stays in use.
    /// Standard output is left as it is.
    package func reopen() throws(AccessLogError) {
        guard case .file(let path) = destination else { return }
        let fresh = try Self.open(path)
        _ = systemClose(descriptor)
        descriptor = fresh
    }

    /// Writes all of `bytes`, waiting in `poll(2)` slices of at most 100 ms while the
    /// destination is full; `keepWaiting` is asked after each slice.
    package func write(_ bytes: UnsafeRawBufferPointer, keepWaiting: () -> Bool) -> Outcome {
        guard let base = bytes.baseAddress else { return .written }
        var offset = 0
        while offset < bytes.count {
            if pollBeforeWrite {
                switch waitUntilWritable(keepWaiting: keepWaiting) {
                case .ready: break
                case .failed(let code): return .failed(code, written: offset)
                case .abandoned: return .abandoned(written: offset)
                }
            }
            let written = systemWrite(descriptor, base + offset, min(bytes.count - offset, pieceLimit))
            if written > 0 {
                offset += written
                continue
            }
            let code = written == 0 ? EAGAIN : errno
            switch code {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                switch waitUntilWritable(keepWaiting: keepWaiting) {
                case .ready: continue
                case .failed(let code): return .failed(code, written: offset)
                case .abandoned: return .abandoned(written: offset)
                }
            default:
                return .failed(code, written: offset)
            }
        }
        return .written
    }

    private enum Wait { case ready, failed(CInt), abandoned }

    /// `.ready` once the descriptor is writable (or in error: the write says which).
    private func waitUntilWritable(keepWaiting: () -> Bool) -> Wait {
        while true {
            var request = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&request, 1, 100)
            if ready > 0 { return .ready }
            if ready < 0 && errno != EINTR { return .failed(errno) }
            if !keepWaiting() { return .abandoned }
        }
    }

    package func close() {
        if case .file = destination { _ = systemClose(descriptor) }
    }

    package static func describe(_ code: CInt) -> String {
        String(cString: strerror(code))
    }
}

// The C functions, under names that do not clash with this type's methods.
private func systemOpen(_ path: UnsafePointer<CChar>, _ flags: CInt, _ mode: mode_t) -> CInt {
    open(path, flags, mode)
}

private func systemWrite(_ descriptor: CInt, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

private func systemClose(_ descriptor: CInt) -> CInt {
    close(descriptor)
}
