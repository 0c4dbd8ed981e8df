import ArgumentParser

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schema", abstract: "(not yet built)")

    func run() throws { throw ValidationError("'schema' is not built yet") }
}
