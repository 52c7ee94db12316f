import Edge
import Foundation
import NIOCore
import NIOPosix
import EdgeConfig
import EdgePolicy

/// `EdgeBench jwt --jwks FILE --tokens FILE [--seconds S] [--runs N]`: the cost of
/// ``JWTProvider/verify(_:on:now:mayWait:)`` on its event loop, per token line
/// (`ALG TOKEN`, issuer `https://id.example.com`, audience `books`), uncached (a
/// provider with `cache_size: 0`: parse, key look-up, signature, claims) and cached
/// (the same token again: a hash look-up and a byte comparison).
/// `Benchmarks/jwt-verify.sh` mints the inputs with PyJWT and runs it.
enum JWTBench {
    static func run(_ arguments: [String]) {
        BenchFailure.exitOnError("jwt") { try runThrowing(arguments) }
    }

    static func runThrowing(_ arguments: [String]) throws {
        var jwks: String?
        var tokensFile: String?
        var seconds = 0.5
        var runs = 5
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw BenchFailure("\(flag) needs a value") }
            switch flag {
            case "--jwks": jwks = value
            case "--tokens": tokensFile = value
            case "--seconds": seconds = Double(value) ?? seconds
            case "--runs": runs = Int(value) ?? runs
            default: throw BenchFailure("unknown argument \(flag)")
            }
        }
        guard let jwks, let tokensFile, let text = try? String(contentsOfFile: tokensFile, encoding: .utf8) else {
            throw BenchFailure("usage: EdgeBench jwt --jwks FILE --tokens FILE [--seconds S] [--runs N]")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        func provider(cacheSize: Int) throws -> JWTProvider {
            var config = JWTProviderConfig(name: "bench", issuer: "https://id.example.com")
            config.audiences = ["books"]
            config.algorithms = [.rs256, .ps256, .es256, .eddsa]
            config.keySet = .file(jwks)
            config.cacheSize = cacheSize
            let provider = JWTProvider(config: config, group: group)
            provider.start()
            let end = Date().addingTimeInterval(10)
            while provider.stats.keys == 0 {
                guard Date() < end else { throw BenchFailure("the key set did not load: \(provider.stats)") }
                Thread.sleep(forTimeInterval: 0.01)
            }
            return provider
        }
        let uncached = try provider(cacheSize: 0)
        let cached = try provider(cacheSize: 1024)
        defer {
            uncached.shutdown()
            cached.shutdown()
        }
        let loop = group.next()
        let timer = BenchTimer(seconds: seconds, runs: runs)
        print("jwt verify: one event loop, median of \(runs) runs of \(BenchFormat.short(seconds)) s each (ns per verify)")
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let name = String(parts[0])
            let token = parts[1]
            for (label, provider) in [("uncached", uncached), ("cached", cached)] {
                let result = try loop.submit { () throws -> BenchTimer.Result in
                    let now = JWTProvider.now()
                    return try timer.measure {
                        guard case .verified = provider.verify(token, on: loop, now: now) else {
                            throw BenchFailure("\(name) token did not verify")
                        }
                        return 1
                    }
                }.wait()
                print("  \(name.padding(toLength: 6, withPad: " ", startingAt: 0)) \(label.padding(toLength: 9, withPad: " ", startingAt: 0)) median \(BenchFormat.fixed(result.median, 0)) ns  (min \(BenchFormat.fixed(result.minimum, 0)), max \(BenchFormat.fixed(result.maximum, 0)))")
            }
        }
    }
}
