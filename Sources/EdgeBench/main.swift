// Micro-benchmarks: `swift run -c release EdgeBench <name>`.
let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "routes":
    RouteBench.run()
case "transcode":
    TranscodeBench.run(Array(arguments.dropFirst()))
case "request":
    RequestBench.run(Array(arguments.dropFirst()))
case "jwt":
    JWTBench.run(Array(arguments.dropFirst()))
case "probe":
    TranscodeProbe.run(Array(arguments.dropFirst()))
default:
    print("usage: EdgeBench routes | EdgeBench transcode [--seconds S] [--runs N] [--case KEY --iterations N] | EdgeBench probe j2w|w2j MESSAGE < input | EdgeBench request [--case get|post|list|all] [--iterations N] | EdgeBench jwt --jwks FILE --tokens FILE")
}
