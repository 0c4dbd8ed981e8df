import ArgumentParser
import FlashPlanModel
import Foundation

/// `--config DIR` (env FLASHPLAN_CONFIG, default ./policies).
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Configuration directory (env FLASHPLAN_CONFIG).", valueName: "dir"))
    var config: String?

    var directory: String { config ?? ProcessInfo.processInfo.environment["FLASHPLAN_CONFIG"] ?? "policies" }
}

/// `--state FILE` (env FLASHPLAN_STATE, default .flashplan/state.db).
struct StateOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("State database: a file, or postgresql://USER@HOST/DB?schema=NAME for several runners (env FLASHPLAN_STATE).", valueName: "file"))
    var state: String?

    var path: String { state ?? ProcessInfo.processInfo.environment["FLASHPLAN_STATE"] ?? ".flashplan/state.db" }
}

/// `--now T`: replaces the clock everywhere, for replay and tests. A full ISO-8601
/// date-time with `Z` or an offset (see `CommandLineTime`); anything else is refused
/// before the command does anything.
struct ClockOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Use this time instead of the clock: a full ISO-8601 date-time with Z or an offset, e.g. 2026-10-25T02:30:00+02:00.",
        valueName: "time"))
    var now: String?

    func validate() throws {
        if let now { _ = try usage { () throws(FlagValueError) in try CommandLineTime.parse(now, flag: "--now") } }
    }

    func resolve() throws -> Date {
        guard let now else { return Date() }
        return try CommandLineTime.parse(now, flag: "--now")
    }
}

/// A refused flag value as a usage error (exit 64, with the usage line), like argument
/// parsing's own; for `validate()`, which runs before a command does anything.
func usage<T>(_ body: () throws(FlagValueError) -> T) throws(ValidationError) -> T {
    do {
        return try body()
    } catch {
        throw ValidationError(error.description)
    }
}
