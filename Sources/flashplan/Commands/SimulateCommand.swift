import ArgumentParser
import FlashPlanApp
import FlashPlanModel
import Foundation

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Replay the timer for N days on a copy of the state and report the consequences.",
        discussion: """
            Runs plan and apply (as 'apply --auto-approve' from the timer) every --step from \
            --now to --now + --days against an in-memory copy of the state, and reports per \
            resource group and label the RPO compliance and backups kept, snapshots per \
            volume against the limit of 255, and pool use with the day each pool crosses its \
            warning threshold or fills. The state itself is only read, never changed.
            """)

    @OptionGroup var config: ConfigOptions
    @OptionGroup var state: StateOptions
    @OptionGroup var clock: ClockOptions

    @Option(help: "How many days to simulate (1-3650).")
    var days: Int

    @Option(help: ArgumentHelp("Time between two runs of the timer, e.g. 1h or 30m.", valueName: "duration"))
    var step: String = "1h"

    @Option(help: ArgumentHelp("Also write an SVG line chart of pool use and snapshots per volume to this file.", valueName: "file.svg"))
    var chart: String?

    @Option(help: "Output format: text, json or markdown (a pull-request comment).")
    var format: SimulateFormatArgument = .text

    @Flag(help: "Carry out destructive actions in the simulation (as apply --allow-destructive); by default they are held.")
    var allowDestructive = false

    func validate() throws {
        let seconds = try stepSeconds()
        if let refusal = SimulateRunner.refusal(days: days, step: seconds) { throw ValidationError(refusal) }
    }

    func stepSeconds() throws -> TimeInterval {
        try usage { () throws(FlagValueError) in try DurationParser.seconds(step, flag: "--step", maximum: 31 * 86400) }
    }

    func run() async throws {
        let request = SimulateRequest(
            configDirectory: config.directory, statePath: state.path, now: try clock.resolve(), days: days,
            step: try stepSeconds(), chart: chart, format: format.value, allowDestructive: allowDestructive)
        try emit(await SimulateRunner.run(request, scratch: Backend.scratchCopy))
    }
}

enum SimulateFormatArgument: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown

    var value: SimulateRequest.Format { SimulateRequest.Format(rawValue: rawValue)! }
}
