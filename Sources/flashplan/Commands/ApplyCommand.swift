import ArgumentParser
import Dispatch
import FlashPlanEngine
import FlashPlanApp
import FlashPlanModel
import Foundation
import Logging
import Synchronization

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Carry out a plan: provisioning, snapshots, pruning, replication, clones.",
        discussion: """
            Without PLANFILE it plans, shows the plan and asks for 'yes' (on a terminal; \
            otherwise it refuses unless --auto-approve). With PLANFILE it applies exactly \
            that saved plan, and refuses it when the state changed since (stale). \
            One apply runs per state at a time. Exit codes: 0 done, 1 nothing applied \
            (bad input, lock held, stale plan), 3 partly applied, 130/143 interrupted.
            """)

    @Argument(help: ArgumentHelp("A plan saved by 'flashplan plan --out FILE'.", valueName: "planfile"))
    var planFile: String?

    @OptionGroup var config: ConfigOptions
    @OptionGroup var state: StateOptions
    @OptionGroup var clock: ClockOptions

    @Flag(help: "Apply without asking (for timers and scripts).")
    var autoApprove = false

    @Flag(help: "With --auto-approve, also carry out destructive actions (resync, destroy, unmap); without it they are held.")
    var allowDestructive = false

    @Flag(help: "Confirm a clock that runs before flashplan's last apply or newest backup, or more than 31 days after its last apply: prune by age anyway.")
    var allowClockJump = false

    @Option(help: ArgumentHelp("How long to wait for another apply's lock: a whole number and a unit (ms, s, m, h), e.g. 30s, 2m; 0 to not wait; at most 24h.", valueName: "duration"))
    var lockTimeout: String = "30s"

    @Option(help: ArgumentHelp("Refuse a saved plan made longer ago than this (backup names carry the plan's time), e.g. 1h, 30m; at most 24h.", valueName: "duration"))
    var planMaxAge: String = "1h"

    @Option(help: "How many actions may run at once.")
    var parallelism: Int = 4

    @Option(name: .customLong("scope"), help: ArgumentHelp("On a state in PostgreSQL, apply only the actions whose arrays are all in this site (site=NAME), while other sites' runners apply theirs; a transfer to another site also takes that site's lease.", valueName: "site=NAME"))
    var scopes: [String] = []

    /// The one `--scope` (repeating it is refused: the last one would silently win).
    var scope: String? { scopes.first }

    @Option(help: ArgumentHelp("Write Prometheus metrics here (node_exporter textfile collector).", valueName: "file"))
    var metricsFile: String?

    @Option(help: "Log format on standard error: text or json (for journald).")
    var logFormat: LogFormatArgument = .text

    func validate() throws {
        _ = try lockTimeoutSeconds()
        _ = try planMaxAgeSeconds()
        guard parallelism >= 1 else { throw ValidationError("--parallelism must be at least 1") }
        guard scopes.count <= 1 else {
            throw ValidationError("--scope is given \(scopes.count) times; a runner applies one site (start one runner per site)")
        }
        if let scope {
            guard scope.hasPrefix("site="), scope.count > 5, !scope.dropFirst(5).contains(where: { $0.isWhitespace || $0.isNewline }) else {
                throw ValidationError("--scope \(String(reflecting: scope)) is not a scope: write site=NAME, NAME a site of the configuration's arrays")
            }
            guard planFile == nil else {
                throw ValidationError("--scope restricts a plan apply makes; a saved plan is applied whole: apply it without --scope")
            }
            guard state.path.hasPrefix("postgresql://") || state.path.hasPrefix("postgres://") else {
                throw ValidationError("--scope needs a state shared by several runners (--state postgresql://…); a state file has one lock for all sites")
            }
        }
    }

    /// The longest `--lock-timeout`: a timer waiting longer than a day for a lock should fail and be seen.
    static let maximumLockTimeout: TimeInterval = 24 * 3600

    func lockTimeoutSeconds() throws -> TimeInterval {
        try usage { () throws(FlagValueError) in
            try DurationParser.seconds(lockTimeout, flag: "--lock-timeout", maximum: Self.maximumLockTimeout)
        }
    }

    func planMaxAgeSeconds() throws -> TimeInterval {
        try usage { () throws(FlagValueError) in
            try DurationParser.seconds(planMaxAge, flag: "--plan-max-age", maximum: Self.maximumLockTimeout)
        }
    }

    func run() async throws {
        // The process ends with this command: the apply's large values need not be freed.
        ExitTeardown.shared.keepLargeValuesUntilExit()
        let stop = StopSignal()
        var request = ApplyRequest(
            configDirectory: config.directory, statePath: state.path, now: try clock.resolve(), planFile: planFile,
            autoApprove: autoApprove, allowDestructive: allowDestructive, lockTimeout: try lockTimeoutSeconds(), planMaxAge: try planMaxAgeSeconds(), parallelism: parallelism,
            metricsFile: metricsFile, interactive: isatty(STDIN_FILENO) == 1, color: Terminal.colorEnabled,
            progressBar: isatty(STDERR_FILENO) == 1 && logFormat == .text)
        request.allowClockJump = allowClockJump
        request.scopes = scope.map { [$0] } ?? []
        try await ActingConsole.run(label: "apply", logFormat: logFormat, stop: stop, cancelled: "Apply cancelled.") { console in
            await ApplyRunner.run(request, console: console, stop: stop, open: Backend.open, openReadOnly: Backend.openForPlanning)
        }
    }
}

/// The console of a command that asks and then acts (apply, backup, restore): log lines
/// on standard error in the chosen format, SIGINT/SIGTERM turned into a stop request
/// (at the approval prompt nothing has started, so they cancel at once: the kernel
/// releases the lock), and the outcome's exit code.
enum ActingConsole {
    static func run(
        label: String, logFormat: LogFormatArgument, stop: StopSignal, cancelled: String,
        _ body: (ApplyConsole) async -> ApplyOutcome
    ) async throws {
        let format = logFormat.value
        let logger = Logger(label: "flashplan.\(label)") { name in
            LogLineHandler(label: name, format: format) { FileHandle.standardError.write(Data($0.utf8)) }
        }
        let prompting = PromptFlag()
        let sources = SignalTrap.install(stop) { number in
            if prompting.isSet {
                FileHandle.standardOutput.write(Data("\n\n\(cancelled)\n".utf8))
                Foundation.exit(128 + number)
            }
            logger.warning("received signal \(number): finishing the running actions, starting no new ones")
        }
        defer { withExtendedLifetime(sources) {} }
        let console = ApplyConsole(
            write: { FileHandle.standardOutput.write(Data($0.utf8)) },
            progress: { FileHandle.standardError.write(Data($0.utf8)) },
            ask: { question in
                FileHandle.standardOutput.write(Data(question.utf8))
                prompting.set(true)
                defer { prompting.set(false) }
                return readLine()
            },
            logger: logger)
        let outcome = await body(console)
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}

enum LogFormatArgument: String, ExpressibleByArgument, CaseIterable {
    case text, json

    var value: LogLineHandler.Format { LogLineHandler.Format(rawValue: rawValue)! }
}

/// SIGINT/SIGTERM ask the apply to stop launching actions instead of killing it.
enum SignalTrap {
    /// `report` is told of each signal (through the logger, so that --log-format json stays JSON).
    static func install(_ stop: StopSignal, report: @escaping @Sendable (Int32) -> Void) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                report(number)
                stop.request(number)
            }
            source.resume()
            return source
        }
    }
}

/// Whether `apply` is waiting at its approval prompt.
final class PromptFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
    func set(_ on: Bool) { value.store(on, ordering: .sequentiallyConsistent) }
}
