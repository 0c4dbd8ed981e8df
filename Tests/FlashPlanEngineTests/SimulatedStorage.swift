import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

@testable import FlashPlanEngine
@testable import FlashPlanApp

/// The simulator in memory, seeded with a hand-made `ObservedState`, so that the planner's
/// property tests can run their plans through the real executor and the real simulated
/// storage instead of (or beside) `ObservedState.applying`.
struct SimulatedStorage {
    let store: StateStore
    let backend: SimulatorBackend

    /// A state the simulator cannot hold as given; the seed is skipped for this reason.
    struct Unrepresentable: Error, CustomStringConvertible {
        /// Short, to count skipped seeds by.
        var reason: String
        var detail: String = ""
        var description: String { detail.isEmpty ? reason : "\(reason): \(detail)" }
    }

    /// Builds `state` with storage operations, each at the time the state says the object
    /// was created (the simulator stamps creation times with the call's `now`), then the
    /// outside events (broken relationships, offline arrays) at `now`.
    ///
    /// Seeding is faithful: what the simulator observes afterwards has the same snapshots,
    /// relationships (but for `lastTransfer`) and clones; a clone listed without its volume
    /// gains one (the simulator always makes a clone's volume).
    ///
    /// - Throws: `Unrepresentable` for what the simulator cannot show (a relationship
    ///   `transferring`: transfers are instantaneous there), or what it refuses to build.
    static func seeded(with state: ObservedState, now: Date) throws -> SimulatedStorage {
        if let relationship = state.relationships.first(where: { $0.state == .transferring }) {
            throw Unrepresentable(reason: "a relationship transferring (never observed in the simulator)", detail: relationship.destination)
        }
        if let array = state.arrays.first(where: { $0.status == .degraded }) {
            throw Unrepresentable(reason: "a degraded array", detail: array.name)
        }
        let store = try StateStore.inMemory()
        let storage = SimulatedStorage(store: store, backend: SimulatorBackend(store: store))
        do {
            try storage.build(state, now: now)
        } catch let error as BackendError {
            throw Unrepresentable(reason: "simulator refused to seed (\(error.kind.rawValue))", detail: error.message)
        }
        return storage
    }

    private func build(_ state: ObservedState, now: Date) throws {
        let clonesByVolume = Set(state.clones.map(\.name))
        let earliest = ([now] + state.volumes.map(\.created) + state.snapshots.map(\.created) + state.clones.map(\.created)).min()!

        // Infrastructure first, at the earliest time anything was created.
        var infrastructure: [StorageOperation] = []
        for array in state.arrays {
            infrastructure.append(.installArray(name: array.name, model: array.model, capacity: array.capacity, site: array.site))
        }
        for cluster in state.clusters {
            infrastructure.append(.installCluster(name: cluster.name, site: cluster.site, ioGroups: cluster.ioGroups))
        }
        for pool in state.pools {
            infrastructure.append(.createPool(
                name: pool.name, cluster: pool.cluster, capacityFrom: pool.capacityFrom, warningThreshold: pool.warningThreshold,
                maxOvercommit: pool.maxOvercommit, easyTier: pool.easyTier))
        }
        for host in state.hosts { infrastructure.append(.createHost(name: host.name, site: host.site)) }
        try backend.performAll(infrastructure, at: earliest)

        // Then a timeline: volumes (and their mappings), relationships once both ends exist,
        // snapshots, clones; at equal times in that order.
        var timeline: [(at: Date, order: Int, operations: [StorageOperation])] = []
        var created: [String: Date] = [:]
        for volume in state.volumes where !clonesByVolume.contains(volume.name) {
            let spec = VolumeSpec(
                name: volume.name, pool: volume.pool, size: volume.size, accessProtocol: volume.accessProtocol, thin: volume.thin,
                compressed: volume.compressed, mirrorPool: volume.mirrorPool, changeRate: volume.changeRate, role: volume.role)
            timeline.append((volume.created, 0, [.createVolume(spec)] + volume.hosts.map { .mapHost(volume: volume.name, host: $0) }))
            created[volume.name] = volume.created
        }
        for relationship in state.relationships {
            let at = max(created[relationship.source] ?? earliest, created[relationship.destination] ?? earliest)
            var operations: [StorageOperation] = [.createRelationship(
                source: relationship.source, destination: relationship.destination, type: relationship.type,
                mode: relationship.mode, group: relationship.group)]
            if relationship.state != .uninitialized { operations.append(.initializeRelationship(destination: relationship.destination)) }
            timeline.append((at, 1, operations))
        }
        for snapshot in state.snapshots {
            timeline.append((snapshot.created, 2, [.createSnapshot(SnapshotSpec(
                volume: snapshot.volume, name: snapshot.name, label: snapshot.label, hosts: snapshot.hosts, tag: snapshot.tag,
                group: snapshot.group, immutableUntil: snapshot.immutableUntil))]))
        }
        for clone in state.clones {
            timeline.append((clone.created, 3, [.createClone(name: clone.name, volume: clone.volume, snapshot: clone.parentSnapshot, host: clone.host)]))
        }
        // A stable sort: equal times and orders keep the state's order.
        let sorted = timeline.enumerated().sorted { ($0.element.at, $0.element.order, $0.offset) < ($1.element.at, $1.element.order, $1.offset) }
        for (_, step) in sorted { try backend.performAll(step.operations, at: step.at) }

        for relationship in state.relationships where relationship.state == .broken {
            try backend.inject(.breakRelationship(destination: relationship.destination), at: now)
        }
        for array in state.arrays where array.status == .offline {
            try backend.inject(.arrayOffline(array: array.name), at: now)
        }
    }

    func observe(_ now: Date) throws -> ObservedState { try backend.observe(at: now) }

    /// Runs `plan` with the executor, as `flashplan apply` does (one action at a time, so
    /// that a failure replays the same way).
    func apply(_ plan: Plan, at now: Date) async throws -> ApplyReport {
        let id = UUID().uuidString
        _ = try store.beginApply(id: id, expecting: (plan.state.lineage, plan.state.serial), operation: "apply", now: now)
        let report = await Executor(backend: backend, ledger: store, parallelism: 1).run(plan, applyID: id, now: now)
        try store.finishApply(id: id, outcome: report.outcome, now: now)
        return report
    }
}

/// What two observed states disagree on, in the objects a plan changes: snapshots (volume,
/// name, label, group, creation time, hosts, tag, immutability), relationships (with their
/// `lastTransfer` unless told not to), clones, and volumes (name, pool, size, role, hosts).
/// Empty when they agree.
func storageDifferences(
    _ expected: ObservedState, _ actual: ObservedState, expectedName: String = "model", actualName: String = "simulator",
    lastTransfer: Bool = true
) -> [String] {
    var differences: [String] = []
    func compare<Key: Hashable & Comparable, Value: Equatable>(_ what: String, _ a: [(Key, Value)], _ b: [(Key, Value)]) {
        let left = Dictionary(a, uniquingKeysWith: { x, _ in x })
        let right = Dictionary(b, uniquingKeysWith: { x, _ in x })
        for key in Set(left.keys).union(right.keys).sorted() {
            switch (left[key], right[key]) {
            case (let l?, nil): differences.append("\(what) \(key): only in the \(expectedName): \(l)")
            case (nil, let r?): differences.append("\(what) \(key): only in the \(actualName): \(r)")
            case (let l?, let r?) where l != r: differences.append("\(what) \(key): \(expectedName) \(l), \(actualName) \(r)")
            default: break
            }
        }
    }
    struct SnapshotFacts: Equatable, CustomStringConvertible {
        var label: String, group: String?, created: Date, hosts: [String], tag: String?, immutableUntil: Date?
        var description: String {
            "\(label) group \(group ?? "-") created \(created.iso8601) hosts \(hosts)\(tag.map { " tag \($0)" } ?? "")"
                + (immutableUntil.map { " immutable until \($0.iso8601)" } ?? "")
        }
    }
    func snapshots(_ state: ObservedState) -> [(String, SnapshotFacts)] {
        state.snapshots.map {
            ("\($0.volume)/\($0.name)", SnapshotFacts(
                label: $0.label, group: $0.group, created: $0.created, hosts: $0.hosts.sorted(), tag: $0.tag, immutableUntil: $0.immutableUntil))
        }
    }
    compare("snapshot", snapshots(expected), snapshots(actual))
    func relationships(_ state: ObservedState) -> [(String, String)] {
        state.relationships.map {
            let transfer = lastTransfer ? " last transfer \($0.lastTransfer?.iso8601 ?? "never")" : ""
            return ($0.destination, "\($0.source) → \($0.destination) \($0.type) \($0.mode) \($0.state) group \($0.group ?? "-")\(transfer)")
        }
    }
    compare("relationship", relationships(expected), relationships(actual))
    func clones(_ state: ObservedState) -> [(String, String)] {
        state.clones.map {
            ($0.name, "of \($0.volume)/\($0.parentSnapshot) in \($0.pool) host \($0.host ?? "-") created \($0.created.iso8601)")
        }
    }
    compare("clone", clones(expected), clones(actual))
    func volumes(_ state: ObservedState) -> [(String, String)] {
        state.volumes.map { ($0.name, "\($0.role) in \($0.pool) \($0.size) hosts \($0.hosts.sorted())") }
    }
    compare("volume", volumes(expected), volumes(actual))
    return differences
}
