import ArgumentParser

struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sim", abstract: "(not yet built)")

    func run() throws { throw ValidationError("'sim' is not built yet") }
}
