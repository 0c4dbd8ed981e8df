import ArgumentParser
import FlashPlanEngine
import FlashPlanApp
import Foundation

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would change, and why.",
        discussion: """
            Compares the configuration with the storage state and prints every action: \
            + create, ~ change, - delete/prune, > transfer; then what changed outside \
            flashplan, and a one-line summary. Exit codes: 0 no changes, 1 error, \
            2 changes (with --detailed-exitcode).
            """)

    @OptionGroup var config: ConfigOptions
    @OptionGroup var state: StateOptions
    @OptionGroup var clock: ClockOptions

    @Option(help: ArgumentHelp("Also write the plan (JSON) to this file, for 'flashplan apply FILE'.", valueName: "file"))
    var out: String?

    @Option(help: "Output format: text, json or markdown (a pull-request comment).")
    var format: PlanFormatArgument = .text

    @Flag(help: "Exit 2 when there are changes, 0 when there are none.")
    var detailedExitcode = false

    @Option(name: .customLong("target"), help: ArgumentHelp("Only this resource group's work (repeatable).", valueName: "group"))
    var targets: [String] = []

    @Option(name: .customLong("exclude"), help: ArgumentHelp("Not this resource group's work (repeatable).", valueName: "group"))
    var excludes: [String] = []

    @Flag(help: "Confirm a clock that runs before flashplan's last apply or newest backup, or more than 31 days after its last apply: prune by age anyway.")
    var allowClockJump = false

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    func run() throws {
        // The process ends with this command: the plan's large values need not be freed.
        ExitTeardown.shared.keepLargeValuesUntilExit()
        let request = PlanRequest(
            configDirectory: config.directory, statePath: state.path, now: try clock.resolve(), format: format.value,
            out: out, detailedExitCode: detailedExitcode, options: PlanOptions(targets: targets, excludes: excludes, allowClockJump: allowClockJump),
            color: Terminal.colorEnabled, strict: strict)
        try emit(PlanRunner.run(request, open: Backend.openForPlanning))
    }
}

enum PlanFormatArgument: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown

    var value: PlanRequest.Format { PlanRequest.Format(rawValue: rawValue)! }
}
