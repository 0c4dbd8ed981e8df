import ArgumentParser
import Foundation

/// `--config DIR` (env FLASHPLAN_CONFIG, default ./policies).
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Configuration directory (env FLASHPLAN_CONFIG).", valueName: "dir"))
    var config: String?

    var directory: String { config ?? ProcessInfo.processInfo.environment["FLASHPLAN_CONFIG"] ?? "policies" }
}

/// `--state FILE` (env FLASHPLAN_STATE, default .flashplan/state.db).
struct StateOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("State database (env FLASHPLAN_STATE).", valueName: "file"))
    var state: String?

    var path: String { state ?? ProcessInfo.processInfo.environment["FLASHPLAN_STATE"] ?? ".flashplan/state.db" }
}

/// `--now T`: replaces the clock everywhere, for replay and tests.
struct ClockOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Use this ISO-8601 time instead of the clock.", valueName: "time"))
    var now: String?

    func resolve() throws -> Date {
        guard let now else { return Date() }
        guard let date = ISO8601.parse(now) else {
            throw ValidationError("--now '\(now)' is not an ISO-8601 time; write e.g. 2026-11-21T10:00:00Z")
        }
        return date
    }
}

enum ISO8601 {
    /// Accepts `2026-11-21T10:00:00Z`, with fractional seconds or an offset, and `2026-11-21` (midnight UTC).
    static func parse(_ text: String) -> Date? {
        let full = ISO8601DateFormatter()
        if let d = full.date(from: text) { return d }
        full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = full.date(from: text) { return d }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: text)
    }
}
