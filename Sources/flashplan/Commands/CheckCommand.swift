import ArgumentParser
import FlashPlanApp
import FlashPlanModel
import Foundation

/// `flashplan check`: the status judged as a monitoring plugin (Nagios, Icinga,
/// Checkmk…): one summary line with performance data, exit 0 OK, 1 WARNING, 2 CRITICAL,
/// 3 UNKNOWN.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Judge the status as a monitoring plugin: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
        discussion: """
            Prints one line, FLASHPLAN STATE - summary | perfdata, then one line per \
            problem. WARNING: a label late by more than --rpo-warning, a pool at its \
            warning threshold, replication lag above --lag-warning or a relationship not \
            initialized, held destructive actions, a last apply that did not succeed, plan \
            errors. CRITICAL: a label late by more than --rpo-critical or never backed up, a \
            pool at --pool-critical, lag above --lag-critical, a broken relationship. \
            UNKNOWN: the state or the configuration cannot be read, or a flag is wrong.
            """)

    @OptionGroup var config: ConfigOptions
    @OptionGroup var state: StateOptions
    @OptionGroup var clock: ClockOptions
    @OptionGroup var judgement: GraceOptions

    @Option(name: .customLong("rpo-warning"), help: ArgumentHelp("WARNING when a label is later than this (after the grace): a duration, or a number of schedule intervals written with a point (0.5).", valueName: "duration|intervals"))
    var rpoWarning: String = "0"
    @Option(name: .customLong("rpo-critical"), help: ArgumentHelp("CRITICAL when a label is later than this (a duration, or intervals such as 1.0).", valueName: "duration|intervals"))
    var rpoCritical: String = "1h"
    @Option(name: .customLong("pool-warning"), help: ArgumentHelp("WARNING from this pool use (default: each pool's warning_threshold).", valueName: "percent"))
    var poolWarning: String?
    @Option(name: .customLong("pool-critical"), help: ArgumentHelp("CRITICAL from this pool use.", valueName: "percent"))
    var poolCritical: String = "90%"
    @Option(name: .customLong("lag-warning"), help: ArgumentHelp("WARNING when a replication destination lags more than this.", valueName: "duration"))
    var lagWarning: String = "0"
    @Option(name: .customLong("lag-critical"), help: ArgumentHelp("CRITICAL when it lags more than this.", valueName: "duration"))
    var lagCritical: String = "24h"

    /// The longest lateness or lag a threshold may name: a year.
    static let maximumDuration: TimeInterval = 366 * 86400

    func validate() throws {
        _ = try usage { () throws(FlagValueError) in try thresholds() }
    }

    func thresholds() throws(FlagValueError) -> CheckThresholds {
        var thresholds = CheckThresholds()
        thresholds.rpoWarning = try Self.lateness(rpoWarning, flag: "--rpo-warning")
        thresholds.rpoCritical = try Self.lateness(rpoCritical, flag: "--rpo-critical")
        thresholds.poolWarning = try poolWarning.map { value throws(FlagValueError) in try PercentArgument.parse(value, flag: "--pool-warning") }
        thresholds.poolCritical = try PercentArgument.parse(poolCritical, flag: "--pool-critical")
        thresholds.lagWarning = try Self.duration(lagWarning, flag: "--lag-warning")
        thresholds.lagCritical = try Self.duration(lagCritical, flag: "--lag-critical")
        return thresholds
    }

    /// A duration (`duration`), or a number of schedule intervals written with a decimal
    /// point, `0.5` or `2.0` (at most 1000).
    static func lateness(_ text: String, flag: String) throws(FlagValueError) -> CheckThresholds.Lateness {
        guard text.contains(".") else { return .seconds(try duration(text, flag: flag)) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }), let value = Double(text), value <= 1000
        else {
            throw FlagValueError(
                flag: flag, value: text, reason: "it is neither a duration nor a number of intervals",
                expected: "a duration (0, 45m, 2h, 1d) or a number of schedule intervals with a point (0.5, 1.0)")
        }
        return .intervals(value)
    }

    /// A duration as `--lock-timeout` takes it (`30m`, `2h`), or whole days (`7d`).
    static func duration(_ text: String, flag: String) throws(FlagValueError) -> TimeInterval {
        if text.hasSuffix("d"), !text.dropLast().isEmpty, text.dropLast().allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard let days = Int(text.dropLast()), days <= 366 else {
                throw FlagValueError(flag: flag, value: text, reason: "it is longer than 366 days", expected: DurationParser.example)
            }
            return TimeInterval(days) * 86400
        }
        return try DurationParser.seconds(text, flag: flag, maximum: maximumDuration)
    }

    func run() throws {
        let outcome: CommandOutcome
        do {
            let request = StatusRequest(
                configDirectory: config.directory, statePath: state.path, now: try clock.resolve(), grace: try judgement.seconds())
            outcome = CheckRunner.run(request, thresholds: try thresholds(), open: Backend.openForStatus)
        } catch {
            outcome = CheckRunner.unknown("\(error)")
        }
        try emit(outcome)
    }

    /// True when `arguments` (without the program name) run `check`: its usage errors
    /// exit 3 (UNKNOWN), as the plugin guidelines ask, not 64.
    static func isInvocation(_ arguments: [String]) -> Bool { arguments.first == "check" }
}

extension FlashPlanCommand {
    /// As ArgumentParser's own `main`, except that anything `check` cannot do — a flag it
    /// does not know, a value it refuses, any error — is UNKNOWN (exit 3) with one line on
    /// standard output, as a monitoring plugin must; every other command is unchanged.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if CheckCommand.isInvocation(arguments), !(error is ExitCode), exitCode(for: error) != .success {
                let message = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
                write("FLASHPLAN UNKNOWN - \(Escaping.escape(message))\n", to: .standardOutput)
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(CheckState.unknown.rawValue)
            }
            exit(withError: error)
        }
    }
}
