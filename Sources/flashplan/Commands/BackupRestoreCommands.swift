import ArgumentParser
import FlashPlanApp
import FlashPlanEngine
import FlashPlanModel
import Foundation
import Logging

/// The flags `backup` and `restore` share with `apply`.
struct OperationOptions: ParsableArguments {
    @OptionGroup var config: ConfigOptions
    @OptionGroup var state: StateOptions
    @OptionGroup var clock: ClockOptions

    @Flag(help: "Carry it out without asking (on a terminal it asks for 'yes'; without one it refuses unless this is given).")
    var autoApprove = false

    @Option(help: ArgumentHelp("How long to wait for another apply's lock: a whole number and a unit (ms, s, m, h), e.g. 30s; 0 to not wait; at most 24h.", valueName: "duration"))
    var lockTimeout: String = "30s"

    @Option(help: "Log format on standard error: text or json (for journald).")
    var logFormat: LogFormatArgument = .text

    func validate() throws { _ = try lockTimeoutSeconds() }

    func lockTimeoutSeconds() throws -> TimeInterval {
        try usage { () throws(FlagValueError) in
            try DurationParser.seconds(lockTimeout, flag: "--lock-timeout", maximum: ApplyCommand.maximumLockTimeout)
        }
    }

    /// Runs `body` with the console, the logger and the signals `apply` has.
    func run(_ label: String, _ body: (OperationRequest, ApplyConsole, StopSignal) async -> ApplyOutcome) async throws {
        let stop = StopSignal()
        let request = OperationRequest(
            configDirectory: config.directory, statePath: state.path, now: try clock.resolve(), autoApprove: autoApprove,
            lockTimeout: try lockTimeoutSeconds(), interactive: isatty(STDIN_FILENO) == 1, color: Terminal.colorEnabled,
            progressBar: isatty(STDERR_FILENO) == 1 && logFormat == .text)
        try await ActingConsole.run(
            label: label, logFormat: logFormat, stop: stop, cancelled: "\(label.capitalized) cancelled. Nothing was changed."
        ) { console in
            await body(request, console, stop)
        }
    }
}

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Take a backup of a resource group now, with one of its policies.",
        discussion: """
            The backup is named, labelled, replicated (mirror and vault updates) and retained \
            exactly like a scheduled one of that policy; it is the only way a policy of \
            frequency none ever runs. The plan is shown first and needs 'yes' (or \
            --auto-approve). Runs under the apply lock and is journaled. Exit codes as apply: \
            0 done, 1 nothing applied, 3 partly applied, 130/143 interrupted.
            """)

    @Argument(help: ArgumentHelp("The resource group (or its address group.NAME).", valueName: "group"))
    var group: String

    @Option(help: ArgumentHelp("The group's policy whose backup to take.", valueName: "policy"))
    var policy: String

    @OptionGroup var options: OperationOptions

    func run() async throws {
        try await options.run("backup") { request, console, stop in
            await BackupRunner.run(group: group, policy: policy, request: request, console: console, stop: stop, open: Backend.open)
        }
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup onto its volumes (reverse FlashCopy), from the primary copy or a mirror/vault copy.",
        discussion: """
            BACKUP is the backup's name or its address (backup.GROUP/NAME, as plans print it). \
            Without --host or --volume every volume of the backup is restored. Refused, with \
            nothing changed, for a host the backup was not made for and for a volume that also \
            holds data of a host the backup is not valid for. --from POOL restores the copy \
            held in that pool onto its own volume (after the loss of the primary array; see \
            docs/restore.md). Restoring overwrites live data: the plan is shown first and needs \
            'yes'; under --auto-approve it is carried out, and said so. Newer backups are kept. \
            Runs under the apply lock and is journaled. Exit codes as apply.
            """)

    @Argument(help: ArgumentHelp("The resource group (or its address group.NAME).", valueName: "group"))
    var group: String

    @Argument(help: ArgumentHelp("The backup: its name, or backup.GROUP/NAME.", valueName: "backup"))
    var backup: String

    @Option(help: ArgumentHelp("Only the volumes of this host.", valueName: "host"))
    var host: String?

    @Option(help: ArgumentHelp("Only this volume.", valueName: "volume"))
    var volume: String?

    @Option(name: .customLong("from"), help: ArgumentHelp("Restore the copy held in this pool (a mirror or vault destination).", valueName: "pool"))
    var fromPool: String?

    @OptionGroup var options: OperationOptions

    func run() async throws {
        let selection = RestoreSelection(group: group, backup: backup, host: host, volume: volume, fromPool: fromPool)
        try await options.run("restore") { request, console, stop in
            await RestoreRunner.run(selection, request: request, console: console, stop: stop, open: Backend.open)
        }
    }
}
