import FlashPlanModel
import Foundation

/// What `flashplan restore GROUP BACKUP [--host H] [--volume V] [--from POOL]` asks for.
public struct RestoreSelection: Sendable, Hashable {
    public var group: String
    /// The backup's name, or its address as plans print it (`backup.GROUP/NAME`).
    public var backup: String
    /// Only the volumes of this host.
    public var host: String?
    /// Only this volume (the primary volume's name, or the name of its copy).
    public var volume: String?
    /// Restore the copy held in this pool (a mirror or vault destination) instead of the primary copy.
    public var fromPool: String?

    public init(group: String, backup: String, host: String? = nil, volume: String? = nil, fromPool: String? = nil) {
        self.group = group
        self.backup = backup
        self.host = host
        self.volume = volume
        self.fromPool = fromPool
    }
}

/// A restore that may not or cannot be done: nothing is changed.
public struct RestoreRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the objects.
    public var message: String
    /// How to go on.
    public var remedy: String
    /// The name the user gave that matched nothing, and what it may have meant (for a
    /// did-you-mean, which the application layer words).
    public var unknown: String?
    public var candidates: [String]

    public init(_ message: String, remedy: String, unknown: String? = nil, candidates: [String] = []) {
        self.message = message
        self.remedy = remedy
        self.unknown = unknown
        self.candidates = candidates
    }

    public var description: String { "\(message). \(remedy)" }
}

/// Plans a restore: a reverse FlashCopy of each selected snapshot of a backup onto the
/// volume holding it (DESIGN §7; docs/restore.md).
///
/// A pure function of (configuration, observed, now, selection), like the planner.
/// From the primary copy, each primary volume gets its own snapshot's data back. With
/// `--from POOL`, the copy in that pool is restored onto its own volume (the volume the
/// hosts fail over to): SVC FlashCopy works inside one cluster, so a snapshot held on
/// the DR cluster can be restored only onto the DR volume, never straight onto a volume
/// of the primary site.
public enum RestorePlanner {
    /// - Throws: `RestoreRefusal` for an unknown group, backup, host, volume or pool, a
    ///   host the backup was not made for, a volume that also holds data of a host the
    ///   backup is not valid for, and a copy that is offline.
    public static func plan(
        configuration: Configuration, observed: ObservedState, now: Date, selection: RestoreSelection
    ) throws(RestoreRefusal) -> Plan {
        let group = try resolveGroup(selection.group, configuration: configuration, observed: observed)
        let name = try backupName(selection.backup, group: group)
        let e = Escaping.escape
        let snapshots = observed.snapshots.filter { $0.group == group && $0.name == name }
        guard !snapshots.isEmpty else {
            let ofGroup = observed.snapshots.filter { $0.group == group }
            let names = Set(ofGroup.map(\.name)).sorted()
            let newest = ofGroup.max { ($0.created, $0.name) < ($1.created, $1.name) }?.name
            throw RestoreRefusal(
                "group '\(e(group))' has no backup '\(e(name))'",
                remedy: newest.map { "`flashplan state show group.\(e(group))` summarises its backups; the newest is '\(e($0))'." }
                    ?? "The group has no backups in the state; take one with `flashplan backup \(e(group)) --policy P`.",
                unknown: name, candidates: names)
        }
        let volumes = Dictionary(observed.volumes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let sources = Dictionary(observed.relationships.map { ($0.destination, $0) }, uniquingKeysWith: { a, _ in a })
        let pools = Dictionary(observed.pools.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })

        /// One snapshot of the backup and where it lives.
        struct Copy {
            var snapshot: ObservedSnapshot
            /// The volume holding it: the primary volume, or a destination.
            var holder: String
            /// The primary volume whose data it is.
            var source: String
            var relationship: ObservedRelationship?
            var pool: String
        }
        let copies = snapshots.map { snapshot in
            let relationship = sources[snapshot.volume]
            return Copy(
                snapshot: snapshot, holder: snapshot.volume, source: relationship?.source ?? snapshot.volume,
                relationship: relationship, pool: volumes[snapshot.volume]?.pool ?? "")
        }
        func whereCopiesAre() -> String {
            let byPool = Dictionary(grouping: copies, by: \.pool)
            return byPool.keys.sorted().map { pool in
                let kinds = Set(byPool[pool]!.map { $0.relationship.map { $0.type.rawValue } ?? "primary" }).sorted()
                return "\(e(pool)) (\(kinds.joined(separator: ", ")))"
            }.joined(separator: ", ")
        }

        let hosts = Set(snapshots.flatMap(\.hosts)).sorted()
        if let host = selection.host, !hosts.contains(host) {
            throw RestoreRefusal(
                "backup '\(e(name))' of group '\(e(group))' was not made for host '\(e(host))': it is valid for \(list(hosts))",
                remedy: "A backup restores only to the hosts it was made for (another host's data on its volumes cannot be restored from it); choose one of those hosts.",
                unknown: host, candidates: hosts)
        }

        var chosen: [Copy]
        if let pool = selection.fromPool {
            guard pools[pool] != nil else {
                throw RestoreRefusal(
                    "there is no pool '\(e(pool))' in the state", remedy: "Backup '\(e(name))' has copies in \(whereCopiesAre()).",
                    unknown: pool, candidates: pools.keys.sorted())
            }
            chosen = copies.filter { $0.pool == pool }
            guard !chosen.isEmpty else {
                throw RestoreRefusal(
                    "backup '\(e(name))' of group '\(e(group))' has no copy in pool '\(e(pool))'",
                    remedy: "Its copies are in \(whereCopiesAre()); name one of those pools with --from.",
                    unknown: pool, candidates: Set(copies.map(\.pool)).sorted())
            }
        } else {
            chosen = copies.filter { $0.relationship == nil }
            guard !chosen.isEmpty else {
                throw RestoreRefusal(
                    "backup '\(e(name))' of group '\(e(group))' has no primary copy any more (pruned or deleted outside flashplan)",
                    remedy: "Its copies are in \(whereCopiesAre()); restore one of them with --from POOL.")
            }
        }
        if let volume = selection.volume {
            let matching = chosen.filter { $0.source == volume || $0.holder == volume }
            guard !matching.isEmpty else {
                throw RestoreRefusal(
                    "backup '\(e(name))' of group '\(e(group))' has no snapshot of volume '\(e(volume))'\(selection.fromPool.map { " in pool '\(e($0))'" } ?? "")",
                    remedy: "Its volumes are \(list(Set(chosen.map(\.source)).sorted())).",
                    unknown: volume, candidates: Set(chosen.map(\.source)).sorted())
            }
            chosen = matching
        }
        if let host = selection.host {
            chosen = chosen.filter { $0.snapshot.hosts.contains(host) }
            guard !chosen.isEmpty else {
                throw RestoreRefusal(
                    "backup '\(e(name))' of group '\(e(group))' holds no volume of host '\(e(host))'\(selection.volume.map { " among volume '\(e($0))'" } ?? "")",
                    remedy: "`flashplan state show host.\(e(host))` lists its volumes.")
            }
        }

        let offlineArrays = Set(observed.arrays.filter { $0.status == .offline }.map(\.name))
        var actions: [PlanAction] = []
        for copy in chosen.sorted(by: { $0.holder < $1.holder }) {
            // The data on a volume belongs to the hosts mapped to it now: restoring it rolls
            // every one of them back, so each must be one the backup is valid for.
            let mapped = volumes[copy.source]?.hosts ?? []
            let others = mapped.filter { !copy.snapshot.hosts.contains($0) }
            guard others.isEmpty else {
                throw RestoreRefusal(
                    "volume '\(e(copy.source))' also holds data of host\(others.count == 1 ? "" : "s") \(list(others)), for which backup '\(e(name))' is not valid (it was made for \(list(copy.snapshot.hosts))): restoring it would roll \(others.count == 1 ? "that host" : "those hosts") back too",
                    remedy: selection.volume == nil
                        ? "Restore the other volumes one by one with --volume, and this one by hand once the owners of \(list(others)) agree."
                        : "Restore it by hand once the owners of \(list(others)) agree; flashplan will not.")
            }
            guard let holder = volumes[copy.holder] else { continue }
            let arrays = (pools[holder.pool]?.arrays ?? []) + (holder.mirrorPool.flatMap { pools[$0]?.arrays } ?? [])
            guard holder.online else {
                throw RestoreRefusal(
                    "volume '\(e(copy.holder))' is offline (no copy of it is on an available array): its snapshot '\(e(name))' cannot be restored now",
                    remedy: selection.fromPool == nil
                        ? "Restore a copy on another array with --from POOL; backup '\(e(name))' has copies in \(whereCopiesAre())."
                        : "Bring its array back online (`flashplan state show pool.\(e(copy.pool))`), or restore a copy in another pool.")
            }
            // A reverse FlashCopy rewrites every copy of a mirrored volume: the simulator
            // (like a careful operator) wants them all online.
            let offline = arrays.filter { offlineArrays.contains($0) }
            guard offline.isEmpty else {
                throw RestoreRefusal(
                    "volume '\(e(copy.holder))' has a copy on offline array \(list(offline)): a restore rewrites every copy of a mirrored volume, so it needs them all online",
                    remedy: "Bring the array back online and restore then, or restore a copy in another pool with --from POOL (copies in \(whereCopiesAre())).")
            }
            var reason = "restore volume \(e(copy.holder)) to backup \(e(name)) (label \(e(copy.snapshot.label)), taken \(copy.snapshot.created.iso8601)) for \(list(copy.snapshot.hosts)): its current data is overwritten; newer backups are kept"
            if let host = selection.host {
                let alsoRolledBack = mapped.filter { $0 != host }
                if !alsoRolledBack.isEmpty {
                    reason += "; the volume also holds data of \(list(alsoRolledBack)) (the backup is valid for \(alsoRolledBack.count == 1 ? "it" : "them") too), which is rolled back as well"
                }
            }
            var after = ["content": String(copy.snapshot.content), "backup": e(Address.backup(group: group, name: name).description)]
            if let relationship = copy.relationship {
                reason += "; this is the \(relationship.type.rawValue) copy of \(e(copy.source)) in pool \(e(copy.pool)): \(Address.relationship(destination: copy.holder)) is stopped so that no update overwrites it, and stays broken until a resync (which discards the restore and needs consent)"
                after["relationship"] = "broken"
            }
            actions.append(PlanAction(
                kind: .restore, address: .snapshot(volume: copy.holder, name: name), group: group, reason: reason,
                before: ["content": String(holder.content)], after: after,
                operation: .restoreSnapshot(volume: copy.holder, name: name), destructive: true,
                arrays: Array(Set(arrays)).sorted()))
        }
        return Plan(
            now: now, state: StateReference(lineage: observed.lineage, serial: observed.serial),
            configDigest: configuration.digest, actions: actions, retention: [], drift: [], diagnostics: [], capacity: [],
            targets: [group])
    }

    /// The group as declared, or as its backups in the state name it (a group no longer
    /// declared still owns its backups, DESIGN §4).
    static func resolveGroup(_ text: String, configuration: Configuration, observed: ObservedState) throws(RestoreRefusal) -> String {
        let name: String
        if case .group(let group)? = Address(text) { name = group } else { name = text }
        if configuration.resourceGroups[name] != nil || observed.snapshots.contains(where: { $0.group == name }) { return name }
        let known = Set(configuration.resourceGroups.keys).union(observed.snapshots.compactMap(\.group)).sorted()
        throw RestoreRefusal(
            "there is no resource group '\(Escaping.escape(name))' (declared or holding backups)",
            remedy: "Groups: \(list(known)).", unknown: name, candidates: known)
    }

    /// The backup's name from `NAME` or `backup.GROUP/NAME`.
    static func backupName(_ text: String, group: String) throws(RestoreRefusal) -> String {
        guard text.hasPrefix("backup.") else { return text }
        let address: Address
        do { address = try Address(parsing: text) } catch {
            throw RestoreRefusal(error.description, remedy: "Give the backup's name, or its address backup.GROUP/NAME as plans print it.")
        }
        guard case .backup(let named, let name) = address else {
            throw RestoreRefusal("'\(Escaping.escape(text))' is not a backup address", remedy: "Write backup.GROUP/NAME.")
        }
        guard named == group else {
            throw RestoreRefusal(
                "the address \(address) names a backup of group '\(Escaping.escape(named))', not of '\(Escaping.escape(group))'",
                remedy: "Give the group the backup belongs to.")
        }
        return name
    }

    static func list(_ names: [String]) -> String {
        names.isEmpty ? "no host" : names.map { "'\(Escaping.escape($0))'" }.joined(separator: ", ")
    }
}
