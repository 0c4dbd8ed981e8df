import FlashPlanModel
import Foundation

/// Measures the simulator on a seeded fleet (DESIGN §8): seeding, `observe` of the whole
/// state, and operations through `perform` with journal rows, as an apply would.
///
/// `flashplan-bench` calls `run`; figures are only meaningful in a release build.
public enum SimulatorBenchmark {
    /// The figures of one run.
    public struct Result: Sendable {
        /// The database measured.
        public var path: String
        public var snapshots: Int
        public var seedSeconds: Double
        /// Best of the `observe` runs.
        public var observeSeconds: Double
        public var operations: Int
        public var operationsSeconds: Double
    }

    /// Seeds a fleet in a fresh database under `directory` (a temporary one by default,
    /// removed afterwards unless `keep`; `Result.path` says where it is),
    /// then times `observe` (best of `observeRuns`) and `operations` snapshot creations
    /// plus as many deletions through `perform`, each with its journal row.
    public static func measure(
        volumes: Int = 10_000, groups: Int = 1_000, snapshotsPerVolume: Int = 100, observeRuns: Int = 3,
        operations: Int = 10_000, directory: URL? = nil, keep: Bool = false
    ) throws -> Result {
        let base = directory ?? URL(fileURLWithPath: NSTemporaryDirectory())
        let folder = base.appendingPathComponent("flashplan-sim-bench-\(UUID().uuidString)")
        defer { if !keep { try? FileManager.default.removeItem(at: folder) } }
        let path = folder.appendingPathComponent("state.db").path
        let store = try StateStore(path: path)
        let now = Date(timeIntervalSince1970: 1_795_255_200)  // 2026-11-21T10:00:00Z
        let backend = store.backend

        let seed = try seconds { try backend.seedFleet(volumes: volumes, groups: groups, snapshotsPerVolume: snapshotsPerVolume, now: now) }
        var best = Double.infinity
        var count = 0
        for _ in 0..<max(1, observeRuns) {
            let (time, state) = try timed { try backend.observe(at: now) }
            best = min(best, time)
            count = state.snapshots.count
        }

        // An apply's worth of work: a new snapshot on `operations` volumes, then the
        // oldest snapshot of each pruned.
        let applyID = "bench"
        _ = try store.beginApply(id: applyID, operation: "bench", now: now)
        let touched = min(operations, volumes)
        let oldestName = snapshotsPerVolume > 0 ? oldestStamp(snapshotsPerVolume: snapshotsPerVolume, now: now) : nil
        let operationsTime = try seconds {
            for index in 0..<touched {
                let volume = SimulatorBackend.Fleet.volume(index)
                let group = index % groups
                let name = "\(SimulatorBackend.Fleet.group(group))_bench_\(index)"
                try backend.perform(
                    .createSnapshot(SnapshotSpec(volume: volume, name: name, label: "hourly", group: SimulatorBackend.Fleet.group(group))),
                    at: now,
                    journal: JournalEntry(applyID: applyID, actionID: "s\(index)", address: "snapshot.\(volume)/\(name)", outcome: .applied, at: now))
            }
            if let oldestName {
                for index in 0..<touched {
                    let volume = SimulatorBackend.Fleet.volume(index)
                    let group = index % groups
                    let name = SimulatorBackend.Fleet.group(group) + "_" + SimulatorBackend.Fleet.host(group) + "_" + oldestName
                    try backend.perform(
                        .deleteSnapshot(volume: volume, name: name), at: now,
                        journal: JournalEntry(applyID: applyID, actionID: "p\(index)", address: "snapshot.\(volume)/\(name)", outcome: .applied, at: now))
                }
            }
        }
        try store.finishApply(id: applyID, outcome: "done", now: now)
        return Result(
            path: path, snapshots: count, seedSeconds: seed, observeSeconds: best,
            operations: touched * (oldestName == nil ? 1 : 2), operationsSeconds: operationsTime)
    }

    /// Runs `measure` and renders its figures, one per line.
    public static func run(
        volumes: Int = 10_000, groups: Int = 1_000, snapshotsPerVolume: Int = 100, keep: Bool = false
    ) -> String {
        do {
            let result = try measure(volumes: volumes, groups: groups, snapshotsPerVolume: snapshotsPerVolume, keep: keep)
            return [
                String(format: "simulator seed (%d snapshots)      %8.3f s", result.snapshots, result.seedSeconds),
                String(format: "simulator observe (%d snapshots)   %8.3f s  (target < 1 s: %@)", result.snapshots, result.observeSeconds, result.observeSeconds < 1 ? "met" : "MISSED"),
                String(format: "simulator perform (%d ops + journal) %6.3f s  (%.0f µs/op)", result.operations, result.operationsSeconds, result.operationsSeconds / Double(max(result.operations, 1)) * 1e6),
            ].joined(separator: "\n") + (keep ? "\nstate kept at \(result.path)" : "")
        } catch {
            return "simulator benchmark failed: \(error)"
        }
    }

    static func oldestStamp(snapshotsPerVolume: Int, now: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "MM-dd-yyyy_HH.mm.ss"
        return formatter.string(from: now.addingTimeInterval(-Double(snapshotsPerVolume) * 3600))
    }

    static func seconds(_ body: () throws -> Void) throws -> Double {
        try timed(body).0
    }

    static func timed<T>(_ body: () throws -> T) throws -> (Double, T) {
        let start = DispatchTime.now().uptimeNanoseconds
        let value = try body()
        return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, value)
    }
}
