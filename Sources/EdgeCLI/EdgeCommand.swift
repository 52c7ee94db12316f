import ArgumentParser

@main
struct EdgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge",
        abstract: "A REST/JSON-to-gRPC transcoding gateway.",
        subcommands: [RoutesCommand.self, MatchCommand.self]
    )
}
