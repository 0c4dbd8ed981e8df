import ArgumentParser

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "(not yet built)")

    func run() throws { throw ValidationError("'plan' is not built yet") }
}
