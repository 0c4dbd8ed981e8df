import FlashPlanModel
import Foundation
import GRDB

/// A deterministic stream of journaled operations and outside events, for crash tests:
/// `flashplan sim workload` runs it until killed, and `check` verifies afterwards that
/// the state holds exactly what the journal says was done.
///
/// Step `i` (counted from the journal, so a restarted run carries on where the killed
/// one stopped) works on volume `wl<i % volumes>`: it deletes the volume's oldest
/// workload snapshot every third round (when it has three or more) or when it has six,
/// and otherwise takes snapshot `w<i>`; every seventh step also injects an outside event
/// (fill-pool), which advances the serial in its own transaction.
public enum SimulatorWorkload {
    public static let applyID = "workload"
    static let pool = "wlpool"

    static func volume(_ index: Int) -> String { "wl\(index)" }

    /// Creates the workload's array, cluster, pool and volumes when missing.
    public static func prepare(_ store: StateStore, volumes: Int, now: Date) throws {
        let state = try store.backend.observe(at: now)
        guard !state.pools.contains(where: { $0.name == pool }) else { return }
        var operations: [StorageOperation] = [
            .installCluster(name: "wlsvc", site: nil, ioGroups: 1),
            .installArray(name: "wlfs", model: .flashSystem820, capacity: .tb(24), site: nil),
            .createPool(
                name: pool, cluster: "wlsvc", capacityFrom: [Pool.Extent(array: "wlfs", capacity: .tb(24))],
                warningThreshold: Percentage(80), maxOvercommit: Percentage(300), easyTier: false),
        ]
        for index in 0..<volumes {
            operations.append(.createVolume(VolumeSpec(name: volume(index), pool: pool, size: .gib(64))))
        }
        try store.backend.performAll(operations, at: now)
    }

    /// Runs until `operations` steps are journaled in total. Returns the steps done by this call.
    @discardableResult
    public static func run(_ store: StateStore, volumes: Int, operations: Int, now: Date) throws -> Int {
        try prepare(store, volumes: volumes, now: now)
        let start = try store.journalEntries(applyID: applyID).count
        try store.beginApply(id: "\(applyID)-\(UUID().uuidString)", operation: "workload", now: now)
        let backend = store.backend
        var step = start
        while step < operations {
            let volume = volume(step % volumes)
            let at = now.addingTimeInterval(Double(step))
            let mine = try backend.observe(at: at).snapshots.filter { $0.volume == volume && $0.name.hasPrefix("w") }
            let operation: StorageOperation
            let message: String
            let address: String
            let round = step / volumes
            if mine.count >= 6 || (round % 3 == 2 && mine.count >= 3) {
                operation = .deleteSnapshot(volume: volume, name: mine[0].name)
                message = "delete"
                address = "snapshot.\(volume)/\(mine[0].name)"
            } else {
                operation = .createSnapshot(SnapshotSpec(volume: volume, name: "w\(step)", label: "hourly", hosts: [], group: "wl"))
                message = "create"
                address = "snapshot.\(volume)/w\(step)"
            }
            try backend.perform(
                operation, at: at,
                journal: JournalEntry(
                    applyID: applyID, actionID: String(step), address: address, outcome: .applied, message: message, at: at))
            if step % 7 == 6 {
                try backend.inject(.fillPool(pool: pool, percent: Percentage(Double(50 + step % 40))), at: at)
            }
            step += 1
        }
        return step - start
    }

    /// Every disagreement between the journal and the state, plus the store's own
    /// consistency problems. Empty when consistent.
    public static func check(_ store: StateStore, now: Date) throws -> [String] {
        var problems = try store.consistencyProblems()
        let journal = try store.journalEntries(applyID: applyID)
        var expected: Set<String> = []
        for (index, entry) in journal.enumerated() {
            if entry.actionID != String(index) {
                problems.append("journal row \(index) is step \(entry.actionID): a step is missing or repeated")
            }
            let snapshot = String(entry.address.dropFirst("snapshot.".count))
            if entry.message == "create" {
                if !expected.insert(snapshot).inserted { problems.append("journal creates \(snapshot) twice") }
            } else if expected.remove(snapshot) == nil {
                problems.append("journal deletes \(snapshot), which it never created")
            }
        }
        let actual = Set(
            try store.backend.observe(at: now).snapshots.filter { $0.name.hasPrefix("w") }.map { "\($0.volume)/\($0.name)" })
        for missing in expected.subtracting(actual).sorted() {
            problems.append("journal says \(missing) exists, the state does not hold it")
        }
        for extra in actual.subtracting(expected).sorted() {
            problems.append("the state holds \(extra), the journal never created it (or deleted it)")
        }
        return problems
    }
}
