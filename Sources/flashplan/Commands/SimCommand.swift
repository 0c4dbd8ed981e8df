import ArgumentParser
import FlashPlanModel
import FlashPlanSimulator
import Foundation

/// `flashplan sim …`: what happens to the simulated storage outside flashplan.
struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Inject outside events into the simulated storage (each advances the serial).",
        subcommands: [
            ArrayOffline.self, ArrayOnline.self, ModuleFail.self, DeleteSnapshot.self, Snapshot.self, Resize.self,
            Break.self, FillPool.self, FailNext.self, Write.self, Workload.self, Benchmark.self,
        ]
    )

    /// `--state` and `--now`, shared by every event.
    struct EventOptions: ParsableArguments {
        @OptionGroup var state: StateOptions
        @OptionGroup var clock: ClockOptions

        func inject(_ event: SimulatorEvent) throws {
            // Every event acts on something the state holds, so on a state that does not
            // exist it can only be refused; creating one first would leave a stray empty
            // state behind a typo in --state, which a later apply takes for empty storage.
            if PostgresLocation.isPostgres(state.path) {
                // Read-only first: a missing PostgreSQL state is refused without creating it.
                _ = try StateStore(path: state.path, access: .readOnly)
                let store = try StateStore(path: state.path)
                let serial = try store.backend.inject(event, at: try clock.resolve())
                print("\(event) (serial \(serial))")
                return
            }
            let path = URL(fileURLWithPath: state.path).path
            guard FileManager.default.fileExists(atPath: path) else {
                throw StateFileError(
                    path: path, problem: .missing, what: "does not exist",
                    remedy: "Check --state or FLASHPLAN_STATE; `flashplan sim` events act on the storage of an existing state, which the first `flashplan apply` creates.")
            }
            let store = try StateStore(path: path)
            let serial = try store.backend.inject(event, at: try clock.resolve())
            print("\(event) (serial \(serial))")
        }
    }

    struct ArrayOffline: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "array-offline", abstract: "Take an array offline: pools with capacity on it go offline.")
        @Argument(help: "The array.") var array: String
        @OptionGroup var options: EventOptions
        func run() throws { try options.inject(.arrayOffline(array: array)) }
    }

    struct ArrayOnline: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "array-online", abstract: "Bring an array back online (mirrored copies then resync).")
        @Argument(help: "The array.") var array: String
        @OptionGroup var options: EventOptions
        func run() throws { try options.inject(.arrayOnline(array: array)) }
    }

    struct ModuleFail: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "module-fail",
            abstract: "Fail a flash module: a 720/820 runs degraded on its hot spare, a 710/810 goes offline.")
        @Argument(help: "The array.") var array: String
        @OptionGroup var options: EventOptions
        func run() throws { try options.inject(.moduleFailure(array: array)) }
    }

    struct DeleteSnapshot: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete-snapshot", abstract: "Delete a snapshot by hand.")
        @Argument(help: "The volume.") var volume: String
        @Argument(help: "The snapshot.") var name: String
        @OptionGroup var options: EventOptions
        func run() throws { try options.inject(.deleteSnapshot(volume: volume, name: name)) }
    }

    struct Snapshot: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a snapshot by hand (valid for the hosts the volume is mapped to).")
        @Argument(help: "The volume.") var volume: String
        @Argument(help: "The snapshot's name.") var name: String
        @Option(name: .long, help: "Its retention label.") var label: String = "manual"
        @OptionGroup var options: EventOptions
        func run() throws { try options.inject(.createSnapshot(volume: volume, name: name, label: label)) }
    }

    struct Resize: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resize a volume by hand.")
        @Argument(help: "The volume.") var volume: String
        @Argument(help: "The new size, e.g. 2TiB.") var size: String
        @OptionGroup var options: EventOptions
        func run() throws {
            guard let bytes = ByteCount(parsing: size) else {
                throw ValidationError("'\(size)' is not a size; write e.g. 512GiB, 2TiB or 1.5TB")
            }
            try options.inject(.resizeVolume(volume: volume, size: bytes))
        }
    }

    struct Break: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Break the relationship with this destination (updates are refused until a resync).")
        @Argument(help: "The relationship's destination volume.") var destination: String
        @OptionGroup var options: EventOptions
        func run() throws { try options.inject(.breakRelationship(destination: destination)) }
    }

    struct FillPool: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fill-pool", abstract: "Write data from outside until the pool is this full.")
        @Argument(help: "The pool.") var pool: String
        @Argument(help: "How full, e.g. 95%.") var percent: String
        @OptionGroup var options: EventOptions
        func run() throws {
            guard let value = Percentage(parsing: percent.hasSuffix("%") ? percent : percent + "%") else {
                throw ValidationError("'\(percent)' is not a percentage; write e.g. 95%")
            }
            try options.inject(.fillPool(pool: pool, percent: value))
        }
    }

    struct FailNext: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fail-next", abstract: "Make the next N operations touching an array fail.")
        @Argument(help: "How many operations.") var count: Int
        @Argument(help: "The array.") var array: String
        @OptionGroup var options: EventOptions
        func run() throws { try options.inject(.failNext(count: count, array: array)) }
    }

    struct Write: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A host writes to a volume: it then holds a new content version, which no backup has yet.")
        @Argument(help: "The volume.") var volume: String
        @OptionGroup var options: EventOptions
        func run() throws { try options.inject(.writeVolume(volume: volume)) }
    }

    /// For crash tests: journaled operations in a loop (see `SimulatorWorkload`).
    struct Workload: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run journaled operations in a loop (crash tests).", shouldDisplay: false)
        @Option(name: .long, help: "Volumes to spread the operations over.") var volumes: Int = 4
        @Option(name: .long, help: "Steps to reach in total (counted from the journal).") var operations: Int = 1000
        @OptionGroup var options: EventOptions
        func run() throws {
            let store = try StateStore(path: options.state.path)
            let done = try SimulatorWorkload.run(
                store, volumes: volumes, operations: operations, now: try options.clock.resolve())
            print("workload: \(done) steps")
        }
    }

    /// For measuring the simulator alone (a release build): seeding, observe, perform.
    struct Benchmark: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the simulator on a seeded fleet (use a release build).", shouldDisplay: false)
        @Option(name: .long, help: "Volumes.") var volumes: Int = 10_000
        @Option(name: .long, help: "Resource groups.") var groups: Int = 1_000
        @Option(name: .long, help: "Snapshots per volume.") var snapshots: Int = 100
        @Flag(name: .long, help: "Keep the seeded state and print where it is.") var keep = false
        func run() throws {
            print(SimulatorBenchmark.run(volumes: volumes, groups: groups, snapshotsPerVolume: snapshots, keep: keep))
        }
    }
}
