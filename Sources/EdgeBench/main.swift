// Micro-benchmarks: `swift run -c release EdgeBench <name>`.
let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "routes":
    RouteBench.run()
default:
    print("usage: EdgeBench routes")
}
