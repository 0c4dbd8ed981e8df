import ArgumentParser
import FlashPlanApp
import FlashPlanModel
import Foundation

struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "For code review: what a configuration change does, now and over the coming days.",
        discussion: """
            Compares the configuration in --base (e.g. the main branch's policies/) with the \
            proposed one (--config), against the same state and --now: the difference of \
            intent field by field with file:line, the work only one of their plans would do \
            (destructive first), and both simulated over --days side by side. The state is \
            only read, never changed.
            """)

    @Option(help: ArgumentHelp("The configuration the change starts from.", valueName: "dir"))
    var base: String

    @OptionGroup var config: ConfigOptions
    @OptionGroup var state: StateOptions
    @OptionGroup var clock: ClockOptions

    @Option(help: "How many days to simulate both configurations (1-3650).")
    var days: Int = 30

    @Option(help: ArgumentHelp("Time between two runs of the timer in the simulations, e.g. 1h.", valueName: "duration"))
    var step: String = "1h"

    @Option(help: "Output format: text, json or markdown (a pull-request comment).")
    var format: DiffFormatArgument = .text

    func validate() throws {
        let seconds = try stepSeconds()
        if let refusal = SimulateRunner.refusal(days: days, step: seconds) { throw ValidationError(refusal) }
    }

    func stepSeconds() throws -> TimeInterval {
        try usage { () throws(FlagValueError) in try DurationParser.seconds(step, flag: "--step", maximum: 31 * 86400) }
    }

    func run() async throws {
        let request = DiffRequest(
            baseDirectory: base, configDirectory: config.directory, statePath: state.path, now: try clock.resolve(), days: days,
            step: try stepSeconds(), format: format.value)
        try emit(await DiffRunner.run(request, scratch: Backend.scratchCopy))
    }
}

enum DiffFormatArgument: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown

    var value: DiffRequest.Format { DiffRequest.Format(rawValue: rawValue)! }
}
