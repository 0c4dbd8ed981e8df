import ArgumentParser
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
        version: StateStore.toolVersion,
        subcommands: [
            ValidateCommand.self, PlanCommand.self, ApplyCommand.self, ScheduleCommand.self,
            StateCommand.self, SimCommand.self, SchemaCommand.self, SimulateCommand.self, DiffCommand.self,
        ]
    )
}
