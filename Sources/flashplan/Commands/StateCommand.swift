import ArgumentParser
import FlashPlanApp
import FlashPlanModel
import FlashPlanSimulator
import Foundation

/// `flashplan state list|show`: what the backend holds.
struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Show what the storage backend holds; copy a state file into PostgreSQL.",
        subcommands: [List.self, Show.self, Migrate.self]
    )

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a state file into PostgreSQL, for several runners (docs/multi-site.md).",
            discussion: """
                Copies the state named by --state (a file, only read) into the PostgreSQL
                schema named by --to, which must not hold a state yet: the same lineage and
                serial, so plans saved against the file stay valid, every row in one
                transaction. Then point the runners' --state (or FLASHPLAN_STATE) at the URL.
                Stop the timers that use the file first: changes made to it afterwards are
                not carried over.
                """)

        @OptionGroup var state: StateOptions
        @Option(help: ArgumentHelp("The PostgreSQL state to create: postgresql://USER@HOST:PORT/DATABASE?schema=NAME.", valueName: "url"))
        var to: String

        func validate() throws {
            guard to.hasPrefix("postgresql://") || to.hasPrefix("postgres://") else {
                throw ValidationError("--to \(String(reflecting: to)) is not a postgresql:// URL")
            }
            guard !(state.path.hasPrefix("postgresql://") || state.path.hasPrefix("postgres://")) else {
                throw ValidationError("--state names a PostgreSQL state already; migrate copies a state file into PostgreSQL")
            }
        }

        func run() throws {
            do {
                // Under the file's apply lock: a copy taken while an apply writes the file
                // would be half of that apply, and the file would then go on without it.
                let lock = try StateLock.acquire(statePath: state.path, operation: "state migrate", timeout: 30) { holder in
                    FileHandle.standardError.write(Data("Waiting for the state lock, held by \(holder?.description ?? "another process")…\n".utf8))
                }
                defer { withExtendedLifetime(lock) {} }
                let store = try Backend.openReadOnly(state.path)
                let migration = try store.migrate(to: to)
                var text = "Copied state \(migration.lineage) at serial \(migration.serial) from \(state.path) to \(migration.destination):\n"
                for (table, count) in migration.rows where count > 0 { text += "  \(table): \(count) row\(count == 1 ? "" : "s")\n" }
                text += "The file was left as it was. Point --state (or FLASHPLAN_STATE) at the URL from now on.\n"
                FileHandle.standardOutput.write(Data(text.utf8))
            } catch {
                FileHandle.standardError.write(Data("Error: \(error)\nNothing was migrated.\n".utf8))
                throw ExitCode(1)
            }
        }
    }


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
