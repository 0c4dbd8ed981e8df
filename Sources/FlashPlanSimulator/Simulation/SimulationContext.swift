import FlashPlanModel
import Foundation
import GRDB

/// One operation or event inside its transaction: the database connection and the
/// simulated time. Every rule of the simulator is a method of this type (see its
/// extensions), so that engine operations and outside events share the same code.
struct SimulationContext {
    let db: Database
    let now: Date
    let memo: TransactionMemo
    /// The backend's committed atoms, when the caller merges `memo.learnedAtoms` after commit.
    let atoms: AtomCache?

    /// `now` as stored: seconds since 1970.
    var time: Double { now.timeIntervalSince1970 }

    init(_ db: Database, now: Date, atoms: AtomCache? = nil, memo: TransactionMemo = TransactionMemo()) {
        self.db = db
        self.now = now
        self.atoms = atoms
        self.memo = memo
    }

    // MARK: Lookups

    /// The first row of a cached statement, read in place (no copy of the row).
    func first<T>(_ sql: String, _ arguments: StatementArguments, _ read: (Row) -> T) throws -> T? {
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        return try rows.next().map(read)
    }

    func arrayIfExists(_ name: String) throws -> ArrayRecord? {
        try first("SELECT \(ArrayRecord.columns) FROM storage_array a WHERE a.name = ?", [name]) { ArrayRecord(row: $0) }
    }

    func array(_ name: String) throws -> ArrayRecord {
        guard let array = try arrayIfExists(name) else {
            throw BackendError(.notFound, "array '\(name)' does not exist")
        }
        return array
    }

    func clusterID(_ name: String) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM cluster WHERE name = ?"), arguments: [name])
    }

    func extents(ofPool id: Int64) throws -> [PoolRecord.Extent] {
        if let extents = memo.extents[id] { return extents }
        let extents = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT e.capacity, \(ArrayRecord.columns) FROM pool_extent e
                    JOIN storage_array a ON a.id = e.array_id WHERE e.pool_id = ? ORDER BY e.position
                    """),
            arguments: [id]
        ).map { PoolRecord.Extent(array: ArrayRecord(row: $0, from: 1), capacity: UInt64($0[0] as Int64)) }
        memo.extents[id] = extents
        return extents
    }

    /// Forgets remembered extents after the topology changed (pool capacity, array status).
    func topologyChanged() {
        memo.extents.removeAll()
    }

    func poolIfExists(_ name: String) throws -> PoolRecord? {
        guard let pool = try first("SELECT \(PoolRecord.columns) FROM pool WHERE name = ?", [name], {
            PoolRecord(row: $0, extents: [])
        }) else { return nil }
        return try withExtents(pool)
    }

    func withExtents(_ pool: PoolRecord) throws -> PoolRecord {
        var pool = pool
        pool.extents = try extents(ofPool: pool.id)
        return pool
    }

    func pool(_ name: String) throws -> PoolRecord {
        guard let pool = try poolIfExists(name) else {
            throw BackendError(.notFound, "pool '\(name)' does not exist")
        }
        return pool
    }

    func pool(id: Int64) throws -> PoolRecord {
        let pool = try first("SELECT \(PoolRecord.columns) FROM pool WHERE id = ?", [id]) { PoolRecord(row: $0, extents: []) }!
        return try withExtents(pool)
    }

    func volumeIfExists(_ name: String) throws -> VolumeRecord? {
        try first("SELECT \(VolumeRecord.columns) FROM volume WHERE name = ?", [name], VolumeRecord.init(row:))
    }

    func volume(_ name: String) throws -> VolumeRecord {
        guard let volume = try volumeIfExists(name) else {
            throw BackendError(.notFound, "volume '\(name)' does not exist")
        }
        return volume
    }

    func volume(id: Int64) throws -> VolumeRecord {
        try first("SELECT \(VolumeRecord.columns) FROM volume WHERE id = ?", [id], VolumeRecord.init(row:))!
    }

    func volumeName(id: Int64) throws -> String {
        try String.fetchOne(db.cachedStatement(sql: "SELECT name FROM volume WHERE id = ?"), arguments: [id]) ?? "#\(id)"
    }

    func hostID(_ name: String) throws -> Int64 {
        guard let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM host WHERE name = ?"), arguments: [name])
        else { throw BackendError(.notFound, "host '\(name)' does not exist") }
        return id
    }

    /// The id of an interned string (label, tag, group, host list), adding it when new.
    func atom(_ text: String) throws -> Int64 {
        if let id = atoms?.id(text) ?? memo.learnedAtoms[text] { return id }
        let id: Int64
        if let found = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM atom WHERE text = ?"), arguments: [text]) {
            id = found
        } else {
            try db.cachedStatement(sql: "INSERT INTO atom (text) VALUES (?)").execute(arguments: [text])
            id = db.lastInsertedRowID
        }
        memo.learnedAtoms[text] = id
        return id
    }

    /// A list of host names as one interned string (a JSON array).
    func hostsAtom(_ hosts: [String]) throws -> Int64 {
        try atom(atoms?.encoding(of: hosts) ?? Self.encodeHosts(hosts))
    }

    static func encodeHosts(_ hosts: [String]) -> String {
        let data = try! JSONEncoder().encode(hosts)
        return String(decoding: data, as: UTF8.self)
    }

    static func decodeHosts(_ text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }

    // MARK: Space accounting

    /// Physical space the volume copies in `pool` take at `now`, from the pool's cache
    /// when it was computed for this same time, else recomputed (and cached).
    func volumeUse(of pool: PoolRecord) throws -> UInt64 {
        if pool.usedAt == time { return pool.used }
        let used = try recomputeVolumeUse(ofPool: pool.id)
        try db.cachedStatement(sql: "UPDATE pool SET used_at = ?, used = ? WHERE id = ?")
            .execute(arguments: [time, Int64(used), pool.id])
        return used
    }

    func recomputeVolumeUse(ofPool id: Int64) throws -> UInt64 {
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: "SELECT \(VolumeRecord.columns) FROM volume WHERE pool_id = ?1 OR mirror_pool_id = ?1"),
            arguments: [id])
        var total: UInt64 = 0
        while let row = try rows.next() {
            total += VolumeRecord(row: row).consumption(in: id, at: time)
        }
        return total
    }

    /// Physical use of the pool at `now`, outside data included.
    func used(_ pool: PoolRecord) throws -> UInt64 {
        try volumeUse(of: pool) + pool.outsideUsed
    }

    /// Keeps the pools' virtual sizes and (when computed for `now`) cached use in step with
    /// a change of one volume. Every change to a volume row goes through here.
    func account(before: VolumeRecord?, after: VolumeRecord?) throws {
        var pools: [Int64] = []
        for id in (before?.poolIDs ?? []) + (after?.poolIDs ?? []) where !pools.contains(id) { pools.append(id) }
        for id in pools {
            let usedDelta =
                Int64(after?.consumption(in: id, at: time) ?? 0) - Int64(before?.consumption(in: id, at: time) ?? 0)
            let virtualDelta = Int64(after?.virtualSize(in: id) ?? 0) - Int64(before?.virtualSize(in: id) ?? 0)
            if virtualDelta != 0 {
                try db.cachedStatement(sql: "UPDATE pool SET virtual = virtual + ? WHERE id = ?")
                    .execute(arguments: [virtualDelta, id])
            }
            // Only a cache computed for this very time can take the delta. A cache for
            // another time described the volumes as they were: drop it, so that an
            // operation at that time (a replay, `--now` in the past) recomputes.
            try db.cachedStatement(
                sql: """
                    UPDATE pool SET used = CASE WHEN used_at = ?1 THEN used + ?2 ELSE 0 END,
                        used_at = CASE WHEN used_at = ?1 THEN used_at ELSE NULL END
                    WHERE id = ?3 AND used_at IS NOT NULL AND NOT (used_at = ?1 AND ?2 = 0)
                    """
            ).execute(arguments: [time, usedDelta, id])
        }
    }

    /// Refuses when the pool cannot take `physical` more bytes and `virtual` more volume size.
    func requireRoom(in pool: PoolRecord, physical: UInt64, virtual: UInt64, for subject: String) throws {
        let capacity = pool.physical
        let used = try used(pool)
        if used >= capacity {
            throw BackendError(
                .limitExceeded,
                "pool '\(pool.name)' is full (\(bytes(used)) used of \(bytes(capacity))): it cannot take \(subject)")
        }
        if used + physical > capacity {
            throw BackendError(
                .limitExceeded,
                "pool '\(pool.name)' has \(bytes(capacity - used)) free of \(bytes(capacity)), but \(subject) needs \(bytes(physical))"
            )
        }
        if virtual > 0 {
            let ratio = Double(pool.virtual + virtual) / Double(max(capacity, 1)) * 100
            if ratio > pool.maxOvercommit + 1e-9 {
                throw BackendError(
                    .limitExceeded,
                    "pool '\(pool.name)' would be overcommitted by \(subject): \(bytes(pool.virtual + virtual)) of volumes on \(bytes(capacity)) is \(percent(ratio)), over its max_overcommit of \(percent(pool.maxOvercommit))"
                )
            }
        }
    }

    // MARK: Availability

    /// Refuses when the pool has an offline array (`subject` lives in the pool, when given).
    func requireAvailable(_ pool: PoolRecord, for subject: String? = nil) throws {
        if let array = pool.offlineArray {
            if let subject {
                throw BackendError(
                    .offline,
                    "\(subject) is offline: its pool '\(pool.name)' takes capacity from array '\(array.name)', which is offline")
            }
            throw BackendError(
                .offline, "pool '\(pool.name)' is offline: it takes capacity from array '\(array.name)', which is offline")
        }
    }

    /// Refuses unless some copy of the volume is on available arrays (reads, snapshots,
    /// mappings and clones are served by whichever copy is online).
    func requireOnline(_ volume: VolumeRecord) throws {
        let primary = try pool(id: volume.poolID)
        if primary.isAvailable { return }
        if let mirrorID = volume.mirrorPoolID, try pool(id: mirrorID).isAvailable { return }
        let array = primary.offlineArray!
        let mirrorNote = volume.mirrorPoolID == nil ? "" : " and so is its mirror copy"
        throw BackendError(
            .offline,
            "volume '\(volume.name)' is offline: its pool '\(primary.name)' takes capacity from array '\(array.name)', which is offline\(mirrorNote)"
        )
    }

    /// Refuses unless every copy of the volume is on available arrays (changes of the
    /// volume itself: resize, migrate, restore, destroy).
    func requireAllCopiesOnline(_ volume: VolumeRecord, to action: String) throws {
        for id in volume.poolIDs {
            let pool = try pool(id: id)
            if let array = pool.offlineArray {
                let which = id == volume.poolID ? "copy" : "mirror copy"
                throw BackendError(
                    .offline,
                    "cannot \(action) volume '\(volume.name)': its \(which) in pool '\(pool.name)' is on array '\(array.name)', which is offline"
                )
            }
        }
    }

    // MARK: Formatting

    func bytes(_ value: UInt64) -> String { ByteCount(bytes: value).description }

    func percent(_ value: Double) -> String { Percentage(value.rounded()).description }

    func date(_ seconds: Double) -> String { isoDate(seconds) }
}

/// Capacities of arrays are sold in decimal terabytes: show them that way.
func terabytes(_ bytes: UInt64) -> String {
    let value = Double(bytes) / 1e12
    var text = String(format: "%.3f", value)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text + " TB"
}

/// `2026-11-21T10:00:00Z`: how times appear in messages.
func isoDate(_ seconds: Double) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: Date(timeIntervalSince1970: seconds))
}
