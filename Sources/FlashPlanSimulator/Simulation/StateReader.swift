import FlashPlanModel
import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// Reads the whole simulated state in one read transaction.
///
/// Every statement is a cached one: `simulate` reads a scratch state hundreds of times, and
/// compiling the same dozen statements on each read was half of its observing.
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

    /// Marks each broken relationship that flashplan's own restore stopped: the newest
    /// applied journal entry touching its destination is a restore onto it (a resync or a
    /// re-creation after it means the break that followed came from elsewhere, since only
    /// an idle relationship can be broken by hand). Read only while a relationship is
    /// broken: it scans the journal, which grows with every apply.
    private func attributeRestoreStops(_ relationships: inout [ObservedRelationship]) throws {
        // Newest first, stopping once every broken destination has its answer: the journal
        // grows with every apply, and the entry that decides is usually a recent one.
        var open = Set(relationships.filter { $0.state == .broken }.map(\.destination))
        var latest: [String: ObservedRelationship.RestoreStop?] = [:]
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT action_id, address, at FROM journal WHERE outcome = 'applied'
                    AND (action_id LIKE 'restore:snapshot.%' OR action_id LIKE 'resync-relationship:relationship.%'
                        OR action_id LIKE 'create-relationship:relationship.%')
                    ORDER BY id DESC
                    """))
        while !open.isEmpty, let row = try rows.next() {
            let action: String = row[0]
            let address: String = row[1]
            if action.hasPrefix("restore:") {
                let target = address.dropFirst("snapshot.".count)
                guard let slash = target.lastIndex(of: "/") else { continue }
                let destination = String(target[..<slash])
                guard open.remove(destination) != nil else { continue }
                latest[destination] = ObservedRelationship.RestoreStop(
                    backup: String(target[target.index(after: slash)...]), at: Date(timeIntervalSince1970: row[2]))
            } else {
                let destination = String(address.dropFirst("relationship.".count))
                guard open.remove(destination) != nil else { continue }
                latest[destination] = .some(nil)
            }
        }
        for index in relationships.indices where relationships[index].state == .broken {
            relationships[index].stoppedByRestore = latest[relationships[index].destination] ?? nil
        }
    }

    /// The arrays and the pools with their extents, each by name: what `read()` and
    /// `refreshTimeDependent` derive pool use and availability from.
    func arraysAndPools() throws -> (arrays: [ArrayRecord], pools: [PoolRecord]) {
        var arrays: [ArrayRecord] = []
        var byID: [Int64: ArrayRecord] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT \(ArrayRecord.columns) FROM storage_array a ORDER BY a.name")) {
            let array = ArrayRecord(row: row)
            byID[array.id] = array
            arrays.append(array)
        }
        var extents: [Int64: [PoolRecord.Extent]] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT pool_id, array_id, capacity FROM pool_extent ORDER BY pool_id, position")) {
            guard let array = byID[row[1]] else { continue }
            extents[row[0], default: []].append(PoolRecord.Extent(array: array, capacity: UInt64(row[2] as Int64)))
        }
        let pools = try Row.fetchAll(db.cachedStatement(sql: "SELECT \(PoolRecord.columns) FROM pool ORDER BY name")).map { row in
            PoolRecord(row: row, extents: extents[row[0]] ?? [])
        }
        return (arrays, pools)
    }

    func read() throws -> ObservedState {
        var state = ObservedState(lineage: lineage, serial: try StateStore.serial(db))
        // Every journal row belongs to an apply and carries its time, so the newest apply
        // is also the newest journal entry (without scanning the journal).
        state.lastActivity = try Double.fetchOne(
            db.cachedStatement(sql: "SELECT MAX(started) FROM apply WHERE operation <> ?"), arguments: [ObservedState.clockUnconfirmedOperation]
        ).map { Date(timeIntervalSince1970: $0) }

        let (arrays, pools) = try arraysAndPools()
        state.arrays = arrays.map(\.observed)

        var clusters: [Int64: String] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT id, name, site, io_groups FROM cluster ORDER BY name")) {
            clusters[row[0]] = row[1]
            state.clusters.append(ObservedCluster(name: row[1], site: row[2], ioGroups: row[3]))
        }

        let poolIndex = Dictionary(uniqueKeysWithValues: pools.enumerated().map { ($1.id, $0) })

        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT name, site FROM host ORDER BY name")) {
            state.hosts.append(ObservedHost(name: row[0], site: row[1]))
        }

        // Volumes, with the space they take in each pool.
        var volumeHosts: [Int64: [String]] = [:]
        for row in try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT vh.volume_id, h.name FROM volume_host vh JOIN host h ON h.id = vh.host_id ORDER BY vh.volume_id, h.name"))
        {
            volumeHosts[row[0], default: []].append(row[1])
        }
        var used = [UInt64](repeating: 0, count: pools.count)
        var virtual = [UInt64](repeating: 0, count: pools.count)
        var volumeNames: [Int64: String] = [:]
        let volumes = try Row.fetchCursor(db.cachedStatement(sql: "SELECT \(VolumeRecord.columns) FROM volume ORDER BY name"))
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
            db.cachedStatement(
            sql: """
                SELECT s.name, d.name, r.type, r.mode, r.state, r.last_transfer, r.group_name FROM relationship r
                JOIN volume s ON s.id = r.source_id JOIN volume d ON d.id = r.destination_id ORDER BY d.name
                """))
        {
            state.relationships.append(
                ObservedRelationship(
                    source: row[0], destination: row[1], type: Replication.Kind(rawValue: row[2]) ?? .mirror,
                    mode: Replication.Mode(rawValue: row[3]) ?? .async,
                    state: ObservedRelationship.State(rawValue: row[4]) ?? .uninitialized,
                    lastTransfer: (row[5] as Double?).map(Date.init(timeIntervalSince1970:)), group: row[6]))
        }
        if state.relationships.contains(where: { $0.state == .broken }) {
            try attributeRestoreStops(&state.relationships)
        }

        for row in try Row.fetchAll(
            db.cachedStatement(
            sql: """
                SELECT v.name, p.name, pool.name, c.parent_snapshot, c.host, c.created FROM clone c
                JOIN volume v ON v.id = c.volume_id JOIN volume p ON p.id = c.parent_volume_id
                JOIN pool ON pool.id = v.pool_id ORDER BY v.name
                """))
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
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT id, text FROM atom ORDER BY id")) {
            let id = Int(row[0] as Int64)
            if atoms.count <= id {
                atoms.append(contentsOf: repeatElement("", count: id + 1 - atoms.count))
            }
            atoms[id] = row[1]
        }

        // The per-volume counts, not COUNT(*) (which would scan an index of a million entries).
        let count = try Int.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(SUM(snapshot_count), 0) FROM volume")) ?? 0
        // Two stages on two cores: this thread steps SQLite and copies each row's columns
        // into a batch (no String, no allocation per row); the assembler turns batches
        // into `ObservedSnapshot`s meanwhile. One read transaction, so one consistent
        // state; about half the time of doing both on one thread.
        // A small state is assembled on this thread: starting a thread per read would cost
        // more than it saves (`simulate` reads a small scratch state once a step).
        let assembler = SnapshotAssembler(
            atoms: atoms, volumeNames: volumeNames, capacity: count, threaded: count >= SnapshotAssembler.threadedFrom)
        let statement = try db.cachedStatement(
            sql: """
                SELECT s.volume_id, s.name, s.label_id, s.created, s.hosts_id, IFNULL(s.tag_id, 0), IFNULL(s.group_id, 0),
                    IFNULL(s.immutable_until, -1e300), s.content
                FROM volume v JOIN snapshot s ON s.volume_id = v.id ORDER BY v.name, s.created, s.name
                """)
        let sqlite = statement.sqliteStatement
        var batch = SnapshotBatch()
        do {
            defer { assembler.finish(batch) }
            let rows = try Row.fetchCursor(statement)
            while try rows.next() != nil {
                if let bytes = sqlite3_column_text(sqlite, 1) {
                    batch.names.append(contentsOf: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(sqlite, 1))))
                }
                // NULLs come as 0 (no atom has id 0) and -1e300, sparing a type check per column.
                batch.rows.append(
                    SnapshotBatch.Row(
                        volumeID: sqlite3_column_int64(sqlite, 0), nameEnd: batch.names.count, label: sqlite3_column_int64(sqlite, 2),
                        created: sqlite3_column_double(sqlite, 3), hosts: sqlite3_column_int64(sqlite, 4),
                        tag: sqlite3_column_int64(sqlite, 5), group: sqlite3_column_int64(sqlite, 6),
                        until: sqlite3_column_double(sqlite, 7), content: sqlite3_column_int64(sqlite, 8)))
                if batch.rows.count == SnapshotBatch.size {
                    assembler.add(batch)
                    batch = SnapshotBatch()
                }
            }
        }
        return assembler.result()
    }
}

/// Snapshot rows as SQLite returned them: numbers, and every name's bytes in one buffer.
struct SnapshotBatch: Sendable {
    /// Rows per batch: large enough that handing one over costs nothing, small enough
    /// that the assembler starts early.
    static let size = 8192

    struct Row: Sendable {
        var volumeID: Int64
        /// Where this row's name ends in `names` (it starts where the previous one ends).
        var nameEnd: Int
        var label: Int64
        var created: Double
        var hosts: Int64
        var tag: Int64
        var group: Int64
        var until: Double
        var content: Int64
    }

    var rows: [Row] = []
    var names: [UInt8] = []

    init() {
        rows.reserveCapacity(Self.size)
        names.reserveCapacity(Self.size * 40)
    }
}

/// Builds `ObservedSnapshot`s from batches, in the order the batches are added: on a
/// thread of its own for a large state, on the reader's for a small one.
final class SnapshotAssembler: @unchecked Sendable {
    // The queue of batches, and whether the reader is done; `ready` counts batches.
    private let queue = Mutex<(batches: [SnapshotBatch], finished: Bool)>(([], false))
    private let ready = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    // Only the assembling thread touches these until `done` is signalled.
    private var snapshots: [ObservedSnapshot] = []
    private var hostLists: [[String]?]
    private let atoms: [String]
    private let volumeNames: [Int64: String]

    /// From this many snapshots on, batches are assembled on a thread of their own.
    static let threadedFrom = 50_000

    private let threaded: Bool
    private var currentVolumeID: Int64 = -1
    private var currentVolume = ""

    init(atoms: [String], volumeNames: [Int64: String], capacity: Int, threaded: Bool = true) {
        self.atoms = atoms
        self.volumeNames = volumeNames
        self.hostLists = Array(repeating: nil, count: atoms.count)
        self.threaded = threaded
        snapshots.reserveCapacity(capacity)
        if threaded { Thread.detachNewThread { [self] in assembleAll() } }
    }

    func add(_ batch: SnapshotBatch) {
        guard threaded else { return assemble(batch) }
        queue.withLock { $0.batches.append(batch) }
        ready.signal()
    }

    /// Adds the last batch (possibly empty) and ends the stream.
    func finish(_ batch: SnapshotBatch) {
        guard threaded else { return assemble(batch) }
        queue.withLock {
            $0.batches.append(batch)
            $0.finished = true
        }
        ready.signal()
    }

    /// Every snapshot, once the last batch is assembled.
    func result() -> [ObservedSnapshot] {
        if threaded { done.wait() }
        return snapshots
    }

    private func assembleAll() {
        while true {
            ready.wait()
            let (batch, last) = queue.withLock { state in
                (state.batches.removeFirst(), state.finished && state.batches.isEmpty)
            }
            assemble(batch)
            if last { break }
        }
        done.signal()
    }

    private func assemble(_ batch: SnapshotBatch) {
        var start = 0
        batch.names.withUnsafeBufferPointer { names in
            for row in batch.rows {
                if row.volumeID != currentVolumeID {
                    currentVolumeID = row.volumeID
                    currentVolume = volumeNames[row.volumeID] ?? ""
                }
                let name = String(decoding: UnsafeBufferPointer(rebasing: names[start..<row.nameEnd]), as: UTF8.self)
                start = row.nameEnd
                snapshots.append(
                    ObservedSnapshot(
                        volume: currentVolume, name: name, label: text(row.label),
                        created: Date(timeIntervalSince1970: row.created), hosts: hosts(row.hosts),
                        tag: row.tag == 0 ? nil : text(row.tag), group: row.group == 0 ? nil : text(row.group),
                        immutableUntil: row.until == -1e300 ? nil : Date(timeIntervalSince1970: row.until),
                        content: Int(row.content)))
            }
        }
    }

    private func text(_ id: Int64) -> String {
        let index = Int(id)
        return index >= 0 && index < atoms.count ? atoms[index] : ""
    }

    private func hosts(_ id: Int64) -> [String] {
        let index = Int(id)
        guard index >= 0, index < hostLists.count else { return [] }
        if let list = hostLists[index] { return list }
        let list = SimulationContext.decodeHosts(text(id))
        hostLists[index] = list
        return list
    }
}
