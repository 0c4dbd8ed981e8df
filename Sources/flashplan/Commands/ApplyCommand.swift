import ArgumentParser

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply", abstract: "(not yet built)")

    func run() throws { throw ValidationError("'apply' is not built yet") }
}
