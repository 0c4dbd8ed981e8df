import ArgumentParser

struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schedule", abstract: "(not yet built)")

    func run() throws { throw ValidationError("'schedule' is not built yet") }
}
