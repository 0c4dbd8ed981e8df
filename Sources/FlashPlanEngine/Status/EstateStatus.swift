import FlashPlanModel
import Foundation

/// What `flashplan status` shows and `flashplan check` judges: per group and label the
/// newest backup against its schedule, replication per destination, clones and their
/// parents, pools against their thresholds, unmanaged backups, destructive work an
/// unattended apply would hold, and how the last apply ended.
///
/// A pure function of (configuration, observed state, plan, last apply, now), like the
/// planner. Encoded with snake_case keys it is the JSON of `flashplan status --format
/// json`, described by `schemas/status.schema.json`.
public struct EstateStatus: Sendable, Hashable, Codable {
    /// The status JSON's `format_version`.
    public static let currentFormatVersion = 1

    /// The `format_version` of the JSON; a change that breaks readers bumps it.
    public var formatVersion = EstateStatus.currentFormatVersion
    public var now: Date
    public var state: StateReference
    /// The grace after each schedule elapse before a missing backup counts as late.
    public var graceSeconds: Double
    public var protection: [ProtectionStatus]
    public var replication: [ReplicationStatus]
    public var clones: [CloneStatus]
    public var pools: [PoolStatus]
    /// Every array with its state; an offline one with the pools on it and the volumes
    /// out of reach, which `status` shows first and `check` raises.
    public var arrays: [ArrayStatus]
    public var unmanaged: [UnmanagedBackups]
    /// Destructive actions the plan at `now` holds for consent under `--auto-approve`.
    public var held: [HeldAction]
    /// What an apply at `now` would do, counted as the plan's summary line counts it.
    public var pending: PlanSummary
    /// Errors the plan at `now` reports (they block what they concern).
    public var planErrors: [String]
    public var lastApply: LastApply?

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", now, state, graceSeconds = "grace_seconds", protection, replication, clones,
            pools, arrays, unmanaged, held, pending, planErrors = "plan_errors", lastApply = "last_apply"
    }

    /// One replication destination of a group: a mirror or vault in one pool, over the
    /// relationships of the group's volumes.
    public struct ReplicationStatus: Sendable, Hashable, Codable {
        public var group: String
        public var pool: String
        public var type: Replication.Kind
        public var mode: Replication.Mode
        /// The worst state of its relationships: `missing` (declared, not created yet),
        /// `broken`, `uninitialized`, `transferring`, `idle`.
        public var state: String
        /// How far the destination is behind: the time between the newest backup it holds
        /// and the newest backup of the source it should hold (0 when it has it); while it
        /// holds none, the age of that source backup. The largest over its volumes.
        public var lagSeconds: Double
        public var lastTransfer: Date?
        public var relationships: [RelationshipStatus]

        enum CodingKeys: String, CodingKey {
            case group, pool, type, mode, state, lagSeconds = "lag_seconds", lastTransfer = "last_transfer", relationships
        }
    }

    /// One relationship of a destination: a group volume and its copy in the pool.
    public struct RelationshipStatus: Sendable, Hashable, Codable {
        public var source: String
        public var destination: String
        public var state: String
        public var lastTransfer: Date?
        public var lagSeconds: Double
        /// The newest backup the destination holds.
        public var newestBackup: String?

        enum CodingKeys: String, CodingKey {
            case source, destination, state, lastTransfer = "last_transfer", lagSeconds = "lag_seconds", newestBackup = "newest_backup"
        }
    }

    /// A clone volume and the backup it was made from.
    public struct CloneStatus: Sendable, Hashable, Codable {
        public var name: String
        public var pool: String
        /// The volume and snapshot it was made from.
        public var parentVolume: String
        public var parentSnapshot: String
        /// When that backup was taken, if the snapshot is still there.
        public var parentCreated: Date?
        public var host: String?
        public var created: Date

        enum CodingKeys: String, CodingKey {
            case name, pool, parentVolume = "parent_volume", parentSnapshot = "parent_snapshot", parentCreated = "parent_created",
                host, created
        }
    }

    /// A pool's physical use against its warning and critical thresholds.
    public struct PoolStatus: Sendable, Hashable, Codable {
        public enum Level: String, Sendable, Hashable, Codable { case ok, warning, critical }

        public var name: String
        public var usedBytes: UInt64
        public var capacityBytes: UInt64
        /// Physical use, in percent of the physical capacity.
        public var usedPercent: Double
        public var warningThreshold: Double
        public var criticalThreshold: Double
        /// The level of its use alone: an offline pool shows under `offlineArrays`.
        public var level: Level
        /// The offline arrays it draws capacity from: while there is one, the pool is
        /// offline, whatever its use.
        public var offlineArrays: [String]

        enum CodingKeys: String, CodingKey {
            case name, usedBytes = "used_bytes", capacityBytes = "capacity_bytes", usedPercent = "used_percent",
                warningThreshold = "warning_threshold", criticalThreshold = "critical_threshold", level, offlineArrays = "offline_arrays"
        }
    }

    /// An array, and what its being out of service takes out of reach.
    public struct ArrayStatus: Sendable, Hashable, Codable {
        public var name: String
        public var status: ObservedArray.Status
        /// The pools that draw capacity from it.
        public var pools: [String]
        /// Volumes offline because of it (no copy on an available array).
        public var volumesOutOfReach: [String]
        /// The resource groups with a volume among those: their backups, transfers and
        /// clones cannot run until it is back.
        public var groupsAffected: [String]

        enum CodingKeys: String, CodingKey {
            case name, status, pools, volumesOutOfReach = "volumes_out_of_reach", groupsAffected = "groups_affected"
        }
    }

    /// A destructive action an unattended apply would hold for consent, as the plan has it.
    public struct HeldAction: Sendable, Hashable, Codable {
        public var id: String
        public var kind: String
        public var address: String
        public var reason: String
    }

    /// The most recently started apply, as the journal recorded it.
    public struct LastApply: Sendable, Hashable, Codable {
        public var id: String
        public var serial: Int
        public var operation: String
        public var started: Date
        public var finished: Date?
        /// Nil when the apply never recorded its end (killed, or still running).
        public var outcome: String?
    }

    /// The status at `now`. `plan` is the planner's plan at the same `now` (it knows
    /// unmanaged backups and the actions that need consent); `criticalPoolUse` is the
    /// pool use (percent) from which a pool is critical, or its warning threshold if
    /// that is higher.
    public static func evaluate(
        configuration: Configuration, observed: ObservedState, plan: Plan, lastApply: ApplyRun?, now: Date,
        grace: TimeInterval, criticalPoolUse: Double = 90
    ) -> EstateStatus {
        EstateStatus(
            now: now, state: StateReference(lineage: observed.lineage, serial: observed.serial), graceSeconds: grace,
            protection: ProtectionStatus.evaluate(configuration: configuration, observed: observed, now: now, grace: grace),
            replication: replication(configuration: configuration, observed: observed, now: now),
            clones: clones(observed),
            pools: pools(observed, criticalPoolUse: criticalPoolUse),
            arrays: arrays(configuration: configuration, observed: observed),
            unmanaged: plan.unmanaged,
            held: plan.consentNeeded.map {
                HeldAction(id: $0.id.description, kind: $0.kind.rawValue, address: $0.address.description, reason: $0.reason)
            },
            pending: plan.summary,
            planErrors: plan.diagnostics.filter { $0.severity == .error }.map(\.message),
            lastApply: lastApply.map {
                LastApply(id: $0.id, serial: $0.serial, operation: $0.operation, started: $0.started, finished: $0.finished, outcome: $0.outcome)
            })
    }

    /// Per declared destination (group, pool): the relationships of the group's volumes
    /// to it, and how far behind it is. Cost: one pass over the snapshots.
    static func replication(configuration: Configuration, observed: ObservedState, now: Date) -> [ReplicationStatus] {
        // Newest snapshot per (volume, group, label), from one pass over the snapshots.
        var newest: [String: ObservedSnapshot] = [:]
        for snapshot in observed.snapshots {
            let key = snapshot.volume + "\u{0}" + (snapshot.group ?? "") + "\u{0}" + snapshot.label
            if snapshot.created > (newest[key]?.created ?? .distantPast) { newest[key] = snapshot }
        }
        let relationships = Dictionary(observed.relationships.map { ($0.destination, $0) }, uniquingKeysWith: { a, _ in a })
        func newestOf(volume: String, group: String, labels: [String]) -> ObservedSnapshot? {
            labels.compactMap { newest[volume + "\u{0}" + group + "\u{0}" + $0] }.max { $0.created < $1.created }
        }
        var result: [ReplicationStatus] = []
        for group in configuration.resourceGroups.values.sorted(by: { $0.name < $1.name }) {
            let groupLabels = Array(Set(group.policies.compactMap { configuration.policies[$0.policy]?.label })).sorted()
            for destination in group.replicate {
                // A vault receives only the labels its retention lists; a mirror all of them.
                let labels = destination.type == .vault ? destination.retention.keys.sorted() : groupLabels
                var rows: [RelationshipStatus] = []
                for volume in group.volumes {
                    let target = destination.destinationVolume(of: volume)
                    let relationship = relationships[target].flatMap { $0.source == volume ? $0 : nil }
                    let source = newestOf(volume: volume, group: group.name, labels: labels)
                    let copy = newestOf(volume: target, group: group.name, labels: labels)
                    let lag: Double
                    switch (source, copy) {
                    case (let source?, let copy?): lag = max(0, source.created.timeIntervalSince(copy.created))
                    case (let source?, nil): lag = max(0, now.timeIntervalSince(source.created))
                    default: lag = 0
                    }
                    rows.append(RelationshipStatus(
                        source: volume, destination: target, state: relationship?.state.rawValue ?? "missing",
                        lastTransfer: relationship?.lastTransfer, lagSeconds: lag, newestBackup: copy?.name))
                }
                let order = ["missing", "broken", "uninitialized", "transferring", "idle"]
                let worst = rows.map(\.state).min { (order.firstIndex(of: $0) ?? 0) < (order.firstIndex(of: $1) ?? 0) } ?? "idle"
                result.append(ReplicationStatus(
                    group: group.name, pool: destination.to, type: destination.type, mode: destination.mode, state: worst,
                    lagSeconds: rows.map(\.lagSeconds).max() ?? 0, lastTransfer: rows.compactMap(\.lastTransfer).min(),
                    relationships: rows))
            }
        }
        return result
    }

    static func clones(_ observed: ObservedState) -> [CloneStatus] {
        let wanted = Set(observed.clones.map { $0.volume + "\u{0}" + $0.parentSnapshot })
        var created: [String: Date] = [:]
        for snapshot in observed.snapshots where wanted.contains(snapshot.volume + "\u{0}" + snapshot.name) {
            created[snapshot.volume + "\u{0}" + snapshot.name] = snapshot.created
        }
        return observed.clones.sorted { $0.name < $1.name }.map {
            CloneStatus(
                name: $0.name, pool: $0.pool, parentVolume: $0.volume, parentSnapshot: $0.parentSnapshot,
                parentCreated: created[$0.volume + "\u{0}" + $0.parentSnapshot], host: $0.host, created: $0.created)
        }
    }

    static func pools(_ observed: ObservedState, criticalPoolUse: Double) -> [PoolStatus] {
        let offline = Set(observed.arrays.filter { $0.status == .offline }.map(\.name))
        return observed.pools.sorted { $0.name < $1.name }.map { pool in
            let capacity = pool.physicalCapacity.bytes
            let used = pool.usedCapacity.bytes
            let percent = capacity == 0 ? (used == 0 ? 0 : 100) : Double(used) / Double(capacity) * 100
            let warning = pool.warningThreshold.value
            let critical = max(criticalPoolUse, warning)
            let level: PoolStatus.Level = percent >= critical ? .critical : percent >= warning ? .warning : .ok
            return PoolStatus(
                name: pool.name, usedBytes: used, capacityBytes: capacity, usedPercent: percent, warningThreshold: warning,
                criticalThreshold: critical, level: level,
                offlineArrays: Array(Set(pool.capacityFrom.map(\.array).filter { offline.contains($0) })).sorted())
        }
    }

    /// Each array; for one out of service, its pools, the volumes it takes out of reach
    /// (an offline volume is charged to every offline array under one of its copies) and
    /// the groups they belong to.
    static func arrays(configuration: Configuration, observed: ObservedState) -> [ArrayStatus] {
        var poolsOf: [String: Set<String>] = [:]
        var arraysOf: [String: Set<String>] = [:]
        for pool in observed.pools {
            for extent in pool.capacityFrom {
                poolsOf[extent.array, default: []].insert(pool.name)
                arraysOf[pool.name, default: []].insert(extent.array)
            }
        }
        let offline = Set(observed.arrays.filter { $0.status == .offline }.map(\.name))
        var outOfReach: [String: [String]] = [:]
        if !offline.isEmpty {
            for volume in observed.volumes where !volume.online {
                let pools = [volume.pool] + (volume.mirrorPool.map { [$0] } ?? [])
                for array in Set(pools.flatMap { arraysOf[$0] ?? [] }).intersection(offline) {
                    outOfReach[array, default: []].append(volume.name)
                }
            }
        }
        var groupsOf: [String: [String]] = [:]
        for group in configuration.resourceGroups.values {
            for volume in group.volumes { groupsOf[volume, default: []].append(group.name) }
        }
        return observed.arrays.sorted { $0.name < $1.name }.map { array in
            let volumes = (outOfReach[array.name] ?? []).sorted()
            return ArrayStatus(
                name: array.name, status: array.status, pools: (poolsOf[array.name] ?? []).sorted(), volumesOutOfReach: volumes,
                groupsAffected: Array(Set(volumes.flatMap { groupsOf[$0] ?? [] })).sorted())
        }
    }
}
