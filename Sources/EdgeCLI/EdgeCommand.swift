import ArgumentParser

@main
struct EdgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge",
        abstract: "A REST/JSON-to-gRPC transcoding gateway.",
        subcommands: [
            DemoCommand.self, ServeCommand.self, ValidateCommand.self, RoutesCommand.self, MatchCommand.self, ConvertCommand.self, OpenAPICommand.self,
        ]
    )
}
