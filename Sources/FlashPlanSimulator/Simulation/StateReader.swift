import FlashPlanModel
import Foundation
import GRDB
import GRDBSQLite

/// Reads the whole simulated state in one read transaction.
///
/// Snapshots dominate (a million in the benchmark fleet), so they are read with one
/// statement whose order is the order wanted (volumes by name through `volume.name`'s
/// index, then each volume's snapshots through the primary key `(volume_id, created,
/// name)`: no sort), straight from SQLite's column API, with labels, tags, groups and
/// host lists interned so that equal strings share storage instead of being allocated
/// per row.
struct StateReader {
    /// After an array comes back, the copies of the mirrored volumes on it resync for
    /// this long (simulated seconds); until then `copiesInSync` is false.
    static let mirrorResyncDuration: Double = 600

    let db: Database
    let now: Date
    let lineage: String

    var time: Double { now.timeIntervalSince1970 }

    func read() throws -> ObservedState {
        var state = ObservedState(lineage: lineage, serial: try StateStore.serial(db))
        // Every journal row belongs to an apply and carries its time, so the newest apply
        // is also the newest journal entry (without scanning the journal).
        state.lastActivity = try Double.fetchOne(
            db, sql: "SELECT MAX(started) FROM apply WHERE operation <> ?", arguments: [ObservedState.clockUnconfirmedOperation]
        ).map { Date(timeIntervalSince1970: $0) }

        var arrays: [Int64: ArrayRecord] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT \(ArrayRecord.columns) FROM storage_array a ORDER BY a.name") {
            let array = ArrayRecord(row: row)
            arrays[array.id] = array
            state.arrays.append(array.observed)
        }

        var clusters: [Int64: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, name, site, io_groups FROM cluster ORDER BY name") {
            clusters[row[0]] = row[1]
            state.clusters.append(ObservedCluster(name: row[1], site: row[2], ioGroups: row[3]))
        }

        var extents: [Int64: [PoolRecord.Extent]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT pool_id, array_id, capacity FROM pool_extent ORDER BY pool_id, position") {
            guard let array = arrays[row[1]] else { continue }
            extents[row[0], default: []].append(PoolRecord.Extent(array: array, capacity: UInt64(row[2] as Int64)))
        }
        var pools: [PoolRecord] = []
        var poolIndex: [Int64: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT \(PoolRecord.columns) FROM pool ORDER BY name") {
            let pool = PoolRecord(row: row, extents: extents[row[0]] ?? [])
            poolIndex[pool.id] = pools.count
            pools.append(pool)
        }

        for row in try Row.fetchAll(db, sql: "SELECT name, site FROM host ORDER BY name") {
            state.hosts.append(ObservedHost(name: row[0], site: row[1]))
        }

        // Volumes, with the space they take in each pool.
        var volumeHosts: [Int64: [String]] = [:]
        for row in try Row.fetchAll(
            db,
            sql: "SELECT vh.volume_id, h.name FROM volume_host vh JOIN host h ON h.id = vh.host_id ORDER BY vh.volume_id, h.name")
        {
            volumeHosts[row[0], default: []].append(row[1])
        }
        var used = [UInt64](repeating: 0, count: pools.count)
        var virtual = [UInt64](repeating: 0, count: pools.count)
        var volumeNames: [Int64: String] = [:]
        let volumes = try Row.fetchCursor(db, sql: "SELECT \(VolumeRecord.columns) FROM volume ORDER BY name")
        while let row = try volumes.next() {
            let volume = VolumeRecord(row: row)
            volumeNames[volume.id] = volume.name
            for id in volume.poolIDs {
                guard let index = poolIndex[id] else { continue }
                used[index] += volume.consumption(in: id, at: time)
                virtual[index] += volume.virtualSize(in: id)
            }
            let primary = poolIndex[volume.poolID].map { pools[$0] }
            let mirror = volume.mirrorPoolID.flatMap { poolIndex[$0] }.map { pools[$0] }
            let online = (primary?.isAvailable ?? false) || (mirror?.isAvailable ?? false)
            state.volumes.append(
                ObservedVolume(
                    name: volume.name, pool: primary?.name ?? "", size: ByteCount(bytes: volume.size),
                    accessProtocol: volume.accessProtocol, thin: volume.thin, compressed: volume.compressed,
                    mirrorPool: mirror?.name, hosts: volumeHosts[volume.id] ?? [],
                    changeRate: Percentage(volume.changeRate), role: volume.role, online: online,
                    copiesInSync: copiesInSync(volume, primary: primary, mirror: mirror), created: Date(timeIntervalSince1970: volume.created), content: Int(volume.content)))
            state.volumes[state.volumes.count - 1].appliedSize = volume.appliedSize.map { ByteCount(bytes: $0) }
        }

        for (index, pool) in pools.enumerated() {
            state.pools.append(
                ObservedPool(
                    name: pool.name, cluster: clusters[pool.clusterID] ?? "",
                    capacityFrom: pool.extents.map { Pool.Extent(array: $0.array.name, capacity: ByteCount(bytes: $0.capacity)) },
                    warningThreshold: Percentage(pool.warningThreshold), maxOvercommit: Percentage(pool.maxOvercommit),
                    easyTier: pool.easyTier, physicalCapacity: ByteCount(bytes: pool.physical),
                    usedCapacity: ByteCount(bytes: used[index] + pool.outsideUsed),
                    virtualCapacity: ByteCount(bytes: virtual[index])))
        }

        state.snapshots = try readSnapshots(volumeNames: volumeNames)

        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT s.name, d.name, r.type, r.mode, r.state, r.last_transfer, r.group_name FROM relationship r
                JOIN volume s ON s.id = r.source_id JOIN volume d ON d.id = r.destination_id ORDER BY d.name
                """)
        {
            state.relationships.append(
                ObservedRelationship(
                    source: row[0], destination: row[1], type: Replication.Kind(rawValue: row[2]) ?? .mirror,
                    mode: Replication.Mode(rawValue: row[3]) ?? .async,
                    state: ObservedRelationship.State(rawValue: row[4]) ?? .uninitialized,
                    lastTransfer: (row[5] as Double?).map(Date.init(timeIntervalSince1970:)), group: row[6]))
        }

        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT v.name, p.name, pool.name, c.parent_snapshot, c.host, c.created FROM clone c
                JOIN volume v ON v.id = c.volume_id JOIN volume p ON p.id = c.parent_volume_id
                JOIN pool ON pool.id = v.pool_id ORDER BY v.name
                """)
        {
            state.clones.append(
                ObservedClone(
                    name: row[0], volume: row[1], pool: row[2], parentSnapshot: row[3], host: row[4],
                    created: Date(timeIntervalSince1970: row[5])))
        }
        return state
    }

    /// A mirrored volume's copies are in sync when both are online and no array under
    /// either came back less than `mirrorResyncDuration` ago (for a volume that existed
    /// while it was away).
    func copiesInSync(_ volume: VolumeRecord, primary: PoolRecord?, mirror: PoolRecord?) -> Bool {
        guard let mirror, let primary else { return true }
        guard primary.isAvailable, mirror.isAvailable else { return false }
        for extent in primary.extents + mirror.extents {
            if let back = extent.array.onlineSince, let away = extent.array.offlineSince, volume.created < back,
                away < back, time < back + Self.mirrorResyncDuration
            {
                return false
            }
        }
        return true
    }

    func readSnapshots(volumeNames: [Int64: String]) throws -> [ObservedSnapshot] {
        // Interned strings, indexed by atom id ("" where no atom has that id).
        var atoms: [String] = []
        var hostLists: [[String]?] = []
        for row in try Row.fetchAll(db, sql: "SELECT id, text FROM atom ORDER BY id") {
            let id = Int(row[0] as Int64)
            if atoms.count <= id {
                atoms.append(contentsOf: repeatElement("", count: id + 1 - atoms.count))
            }
            atoms[id] = row[1]
        }
        hostLists = Array(repeating: nil, count: atoms.count)
        func text(_ id: Int64) -> String {
            let index = Int(id)
            return index >= 0 && index < atoms.count ? atoms[index] : ""
        }
        func hosts(_ id: Int64) -> [String] {
            let index = Int(id)
            guard index < hostLists.count else { return [] }
            if let list = hostLists[index] { return list }
            let list = SimulationContext.decodeHosts(text(id))
            hostLists[index] = list
            return list
        }

        // The per-volume counts, not COUNT(*) (which would scan an index of a million entries).
        let count = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(snapshot_count), 0) FROM volume") ?? 0
        var snapshots: [ObservedSnapshot] = []
        snapshots.reserveCapacity(count)
        let statement = try db.makeStatement(
            sql: """
                SELECT s.volume_id, s.name, s.label_id, s.created, s.hosts_id, IFNULL(s.tag_id, 0), IFNULL(s.group_id, 0),
                    IFNULL(s.immutable_until, -1e300), s.content
                FROM volume v JOIN snapshot s ON s.volume_id = v.id ORDER BY v.name, s.created, s.name
                """)
        let sqlite = statement.sqliteStatement
        var currentVolumeID: Int64 = -1
        var currentVolume = ""
        let rows = try Row.fetchCursor(statement)
        while try rows.next() != nil {
            let volumeID = sqlite3_column_int64(sqlite, 0)
            if volumeID != currentVolumeID {
                currentVolumeID = volumeID
                currentVolume = volumeNames[volumeID] ?? ""
            }
            let name: String
            if let bytes = sqlite3_column_text(sqlite, 1) {
                name = String(
                    decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(sqlite, 1))), as: UTF8.self)
            } else {
                name = ""
            }
            // NULLs come as 0 (no atom has id 0) and -1e300, sparing a type check per column.
            let tagID = sqlite3_column_int64(sqlite, 5)
            let tag = tagID == 0 ? nil : text(tagID)
            let groupID = sqlite3_column_int64(sqlite, 6)
            let group = groupID == 0 ? nil : text(groupID)
            let until = sqlite3_column_double(sqlite, 7)
            let immutableUntil = until == -1e300 ? nil : Date(timeIntervalSince1970: until)
            snapshots.append(
                ObservedSnapshot(
                    volume: currentVolume, name: name, label: text(sqlite3_column_int64(sqlite, 2)),
                    created: Date(timeIntervalSince1970: sqlite3_column_double(sqlite, 3)),
                    hosts: hosts(sqlite3_column_int64(sqlite, 4)), tag: tag, group: group,
                    immutableUntil: immutableUntil, content: Int(sqlite3_column_int64(sqlite, 8))))
        }
        return snapshots
    }
}
