import FlashPlanModel
import Foundation
import GRDB

extension StateStore {
    /// Checks the invariants the simulator keeps across transactions and returns every
    /// violation found (empty: consistent). Used after crash tests and by `sim check`.
    ///
    /// - SQLite's `integrity_check` and `foreign_key_check`;
    /// - each volume's snapshot count and oldest snapshot time match its snapshots;
    /// - each pool's virtual size matches its volume copies, and its cached use (when
    ///   computed) matches a recomputation at the time it was computed for;
    /// - the serial equals the applies plus the outside events recorded.
    public func consistencyProblems() throws -> [String] {
        try writer.read { db in
            var problems: [String] = []
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            if integrity != ["ok"] { problems.append("integrity_check: \(integrity.joined(separator: "; "))") }
            let foreignKeys = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
            if !foreignKeys.isEmpty { problems.append("foreign_key_check: \(foreignKeys.count) rows violate a foreign key") }

            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT v.name, v.snapshot_count, v.oldest_snapshot, COUNT(s.name), MIN(s.created)
                    FROM volume v LEFT JOIN snapshot s ON s.volume_id = v.id GROUP BY v.id
                    HAVING v.snapshot_count != COUNT(s.name) OR v.oldest_snapshot IS NOT MIN(s.created)
                    """)
            {
                let name: String = row[0]
                problems.append(
                    "volume '\(name)' records \(row[1] as Int) snapshots (oldest \(String(describing: row[2] as Double?))) but holds \(row[3] as Int) (oldest \(String(describing: row[4] as Double?)))"
                )
            }
            for row in try Row.fetchAll(db, sql: "SELECT id, name, virtual, used_at, used FROM pool") {
                let (id, name, virtual): (Int64, String, Int64) = (row[0], row[1], row[2])
                let sizes =
                    try Int64.fetchOne(
                        db,
                        sql: "SELECT COALESCE(SUM(size * ((pool_id = ?1) + (mirror_pool_id IS ?1))), 0) FROM volume WHERE pool_id = ?1 OR mirror_pool_id = ?1",
                        arguments: [id]) ?? 0
                if sizes != virtual { problems.append("pool '\(name)' records \(virtual) bytes of volumes but holds \(sizes)") }
                if let usedAt = row[3] as Double? {
                    let context = SimulationContext(db, now: Date(timeIntervalSince1970: usedAt))
                    let recomputed = try context.recomputeVolumeUse(ofPool: id)
                    let cached = UInt64(max(0, row[4] as Int64))
                    if recomputed != cached {
                        problems.append("pool '\(name)' caches \(cached) bytes used at \(isoDate(usedAt)) but its volumes use \(recomputed)")
                    }
                }
            }
            let serial = try Self.serial(db)
            let applies = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM apply") ?? 0
            let events = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event") ?? 0
            if serial != applies + events {
                problems.append("serial \(serial) but \(applies) applies and \(events) outside events were recorded")
            }
            return problems
        }
    }
}
