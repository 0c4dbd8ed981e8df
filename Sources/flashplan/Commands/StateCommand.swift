import ArgumentParser

struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "state", abstract: "(not yet built)")

    func run() throws { throw ValidationError("'state' is not built yet") }
}
