import ArgumentParser
import FlashPlanModel
import FlashPlanSimulator
import Foundation

/// `flashplan state list|show`: what the backend holds.
struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Show what the storage backend holds.",
        subcommands: [List.self, Show.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every array, cluster, pool, host, volume, snapshot, relationship and clone.")

        @OptionGroup var state: StateOptions
        @OptionGroup var clock: ClockOptions
        @Option(name: .long, help: "Output format: text or json.")
        var format: StateInspector.Format = .text

        func run() throws {
            let store = try Backend.openReadOnly(state.path)
            let observed = try store.backend.observe(at: try clock.resolve())
            switch format {
            case .json:
                try StateInspector.writeJSON(observed) { FileHandle.standardOutput.write(Data($0.utf8)) }
            case .text:
                FileHandle.standardOutput.write(Data(StateInspector.text(observed).utf8))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one object.",
            discussion: """
                ADDRESS is array.NAME, cluster.NAME, pool.NAME, host.NAME, volume.NAME,
                snapshot.VOLUME/NAME, relationship.DESTINATION or clone.NAME.
                """)

        @Argument(help: "The object's address as plans print it, e.g. volume.db01, backup.rg1/rg1_host1_11-21-2026_10.00.00, snapshot.db01_dr/rg1_host1_11-21-2026_10.00.00, relationship.db01_dr.")
        var address: String
        @OptionGroup var state: StateOptions
        @OptionGroup var clock: ClockOptions
        @Option(name: .long, help: "Output format: text or json.")
        var format: StateInspector.Format = .text

        func run() throws {
            let parsed = try Address(parsing: address)
            let store = try Backend.openReadOnly(state.path)
            let observed = try store.backend.observe(at: try clock.resolve())
            print(try StateInspector.show(parsed, in: observed, format: format), terminator: "")
        }
    }
}

extension StateInspector.Format: ExpressibleByArgument {}
