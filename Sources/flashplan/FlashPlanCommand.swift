import ArgumentParser
import FlashPlanBuildInfo
import FlashPlanSimulator

/// The `flashplan` executable: each subcommand parses its flags into an options
/// value and hands it to the library. Nothing here decides anything.
@main
struct FlashPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flashplan",
        abstract: "Block-storage data protection as code: plan and apply snapshots, retention and replication.",
        discussion: """
            Reads every *.yaml/*.yml under the configuration directory (default ./policies),
            compares it with the storage state (default .flashplan/state.db, a simulated
            IBM FlashSystem/SVC backend) and plans or applies the difference.
            """,
        version: versionLine,
        subcommands: [
            ValidateCommand.self, PlanCommand.self, ApplyCommand.self, ScheduleCommand.self,
            StateCommand.self, SimCommand.self, SchemaCommand.self,
            BackupCommand.self, RestoreCommand.self, DiscoverCommand.self,
            StatusCommand.self, CheckCommand.self, HistoryCommand.self,
            SimulateCommand.self, DiffCommand.self,
        ]
    )
}

/// What `flashplan --version` prints: the version and the commit it was built from, so
/// that a report from an installed binary can be traced to its source. The commit is
/// "unknown" when the build did not pass one (see Package.swift).
let versionLine = "flashplan \(StateStore.toolVersion) (commit \(String(cString: flashplan_build_commit())))"
