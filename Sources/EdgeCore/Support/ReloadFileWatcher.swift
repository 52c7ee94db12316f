#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Polls files for changes: the configuration file and the descriptor sources
/// (directories walked), compared by inode, size and modification time.
/// Cheap enough to run every couple of seconds; never on an event loop.
public struct ReloadFileWatcher: Sendable {
    /// What the files looked like: path → (inode, size, mtime), absent files left out.
    public struct Fingerprint: Equatable, Sendable {
        package var entries: [String: [Int64]]
    }

    public static func fingerprint(_ files: [String]) -> Fingerprint {
        var entries: [String: [Int64]] = [:]
        for file in files {
            var info = stat()
            guard stat(file, &info) == 0 else { continue }
            #if canImport(Darwin)
            let modified = info.st_mtimespec
            #else
            let modified = info.st_mtim
            #endif
            entries[file] = [Int64(info.st_ino), Int64(info.st_size), Int64(modified.tv_sec), Int64(modified.tv_nsec)]
        }
        return Fingerprint(entries: entries)
    }

    /// Polls until cancelled: every `interval()` (read each round, as a reload may
    /// change it) compares the fingerprint of `files()` with the previous one and,
    /// if it changed while `enabled()`, calls `onChange` (awaited: one reload at a
    /// time). Fingerprints are taken even while disabled, so that a reload turning
    /// watching on compares against files as they were before it, not after.
    /// `roundFinished` is called after each round's comparison (and reload, if any).
    public static func run(
        files: @escaping @Sendable () -> [String],
        interval: @escaping @Sendable () -> Duration,
        enabled: @escaping @Sendable () -> Bool,
        onChange: @escaping @Sendable () async -> Void,
        roundFinished: @escaping @Sendable () -> Void = {}
    ) async {
        var last = fingerprint(files())
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval())
            } catch {
                return
            }
            defer { roundFinished() }
            let now = fingerprint(files())
            guard now != last else { continue }
            guard enabled() else {
                last = now
                continue
            }
            await onChange()
            // The reload may have changed the list of files. A refused file is not
            // retried until it changes again.
            last = fingerprint(files())
        }
    }
}
