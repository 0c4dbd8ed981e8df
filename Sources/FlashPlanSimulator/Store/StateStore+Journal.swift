import FlashPlanModel
import Foundation
import GRDB

extension StateStore {
    /// Records a journal row that has no storage effect (a failed or skipped action).
    ///
    /// Rows for applied actions are written by `SimulatorBackend.perform(_:at:journal:)`
    /// in the transaction of the operation itself.
    public func record(_ entry: JournalEntry) throws {
        try StateFileError.guarding(path) { try write { db in try JournalTable.insert(entry, db) } }
    }

    /// The journal in the order it was written, for one apply or for all.
    public func journalEntries(applyID: String? = nil) throws -> [JournalEntry] {
        try StateFileError.guarding(path) { try writer.read { db in try JournalTable.entries(applyID: applyID, db) } }
    }
}

/// Reads and writes the `journal` table.
enum JournalTable {
    static func insert(_ entry: JournalEntry, _ db: Database) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT INTO journal (apply_id, action_id, address, outcome, message, at) VALUES (?, ?, ?, ?, ?, ?)")
        try statement.execute(arguments: [
            entry.applyID, entry.actionID, entry.address, entry.outcome.rawValue, entry.message,
            entry.at.timeIntervalSince1970,
        ])
    }

    static func entries(applyID: String?, _ db: Database) throws -> [JournalEntry] {
        let rows: [Row]
        if let applyID {
            rows = try Row.fetchAll(
                db, sql: "SELECT apply_id, action_id, address, outcome, message, at FROM journal WHERE apply_id = ? ORDER BY id",
                arguments: [applyID])
        } else {
            rows = try Row.fetchAll(db, sql: "SELECT apply_id, action_id, address, outcome, message, at FROM journal ORDER BY id")
        }
        return rows.map { row in
            JournalEntry(
                applyID: row[0], actionID: row[1], address: row[2],
                outcome: JournalEntry.Outcome(rawValue: row[3]) ?? .failed, message: row[4],
                at: Date(timeIntervalSince1970: row[5]))
        }
    }
}
