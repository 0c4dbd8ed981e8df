import ArgumentParser
import FlashPlanApp
import FlashPlanModel
import FlashPlanSimulator
import Foundation

/// `flashplan status`: how well the estate is protected, now.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show how well the estate is protected: backups against their schedule, replication, pools, held work.",
        discussion: """
            Per resource group and label the newest backup and whether the RPO is met (a \
            label is late --grace after the schedule elapse it missed); per replication \
            destination its state and lag; clones and their parents; pools against their \
            thresholds; unmanaged backups; destructive actions an --auto-approve apply would \
            hold; the last apply. Reads the state read-only and never creates one.
            """)

    @OptionGroup var config: ConfigOptions
    @OptionGroup var state: StateOptions
    @OptionGroup var clock: ClockOptions
    @OptionGroup var judgement: GraceOptions

    @Option(help: "Output format: text or json.")
    var format: StatusFormatArgument = .text

    @Option(name: .customLong("pool-critical"), help: ArgumentHelp("Pool use from which a pool is critical (or its warning_threshold, if higher).", valueName: "percent"))
    var poolCritical: String = "90%"

    func validate() throws {
        _ = try usage { () throws(FlagValueError) in try PercentArgument.parse(poolCritical, flag: "--pool-critical") }
    }

    func run() throws {
        let request = StatusRequest(
            configDirectory: config.directory, statePath: state.path, now: try clock.resolve(), format: format.value,
            grace: try judgement.seconds(), poolCritical: try PercentArgument.parse(poolCritical, flag: "--pool-critical"))
        try emit(StatusRunner.run(request, open: Backend.openForStatus))
    }
}

/// `flashplan history`: past applies and their actions.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show past applies and their actions, from the journal in the state.",
        discussion: """
            --since takes a full ISO-8601 date-time with Z or an offset \
            (2026-11-21T10:00:00Z), or a duration back from now: a whole number and m, h \
            or d (30m, 12h, 7d). Reads the state read-only and never creates one.
            """)

    @OptionGroup var state: StateOptions
    @OptionGroup var clock: ClockOptions

    @Option(help: ArgumentHelp("Only applies that started at or after this time, or this long ago (7d).", valueName: "time|duration"))
    var since: String?

    @Option(help: "Output format: text or json.")
    var format: StatusFormatArgument = .text

    func validate() throws {
        if let since {
            let now = (try? clock.resolve()) ?? Date()
            _ = try usage { () throws(FlagValueError) in try SinceArgument.parse(since, now: now) }
        }
    }

    func run() throws {
        let now = try clock.resolve()
        let request = HistoryRequest(
            statePath: state.path, since: try since.map { value throws(FlagValueError) in try SinceArgument.parse(value, now: now) },
            format: format.value)
        try emit(HistoryRunner.run(request, open: Backend.openForStatus))
    }
}

/// `--grace 15m`: after a schedule elapse, how long a missing backup is not yet late.
struct GraceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("How long after a schedule elapse a missing backup counts as late (e.g. 15m; at most 24h).", valueName: "duration"))
    var grace: String = "15m"

    func validate() throws {
        _ = try usage { () throws(FlagValueError) in try DurationParser.seconds(grace, flag: "--grace", maximum: 86400) }
    }

    func seconds() throws -> TimeInterval { try DurationParser.seconds(grace, flag: "--grace", maximum: 86400) }
}

/// A percentage flag: `90%` or `90`, from 0 to 100.
enum PercentArgument {
    static func parse(_ text: String, flag: String) throws(FlagValueError) -> Double {
        let number = text.hasSuffix("%") ? String(text.dropLast()) : text
        guard let value = Double(number), value.isFinite, (0...100).contains(value),
            number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") })
        else {
            throw FlagValueError(flag: flag, value: text, reason: "it is not a percentage from 0 to 100", expected: "e.g. 90% or 85")
        }
        return value
    }
}

enum StatusFormatArgument: String, ExpressibleByArgument, CaseIterable {
    case text, json

    var value: StatusRequest.Format { StatusRequest.Format(rawValue: rawValue)! }
}

extension Backend {
    /// For status, check and history: read-only, and the state must exist (a missing
    /// state is an error naming the path; nothing is created).
    static func openForStatus(_ path: String) throws -> StatusSource {
        let store = try openReadOnly(path)
        return StatusSource(backend: store.backend, ledger: store, history: store)
    }
}
