import FlashPlanModel
import Foundation
import GRDB

/// The store reads back its `apply` and `journal` tables for `status` and `history`.
extension StateStore: ApplyHistoryReader {
    public func applyRuns(since: Date?) throws -> [ApplyRun] {
        try StateFileError.guarding(path) { try writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, serial, operation, started, finished, outcome, who FROM apply WHERE started >= ? ORDER BY serial",
                arguments: [since?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude]
            ).map(Self.applyRun)
        } }
    }

    public func lastApplyRun() throws -> ApplyRun? {
        try StateFileError.guarding(path) { try writer.read { db in
            try Row.fetchOne(db, sql: "SELECT id, serial, operation, started, finished, outcome, who FROM apply ORDER BY serial DESC LIMIT 1")
                .map(Self.applyRun)
        } }
    }

    public func journalEntries(since: Date?) throws -> [JournalEntry] {
        guard let since else { return try journalEntries(applyID: nil) }
        return try StateFileError.guarding(path) { try writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT apply_id, action_id, address, outcome, message, at FROM journal
                    WHERE apply_id IN (SELECT id FROM apply WHERE started >= ?) ORDER BY id
                    """,
                arguments: [since.timeIntervalSince1970]
            ).map { row in
                JournalEntry(
                    applyID: row[0], actionID: row[1], address: row[2],
                    outcome: JournalEntry.Outcome(rawValue: row[3]) ?? .failed, message: row[4],
                    at: Date(timeIntervalSince1970: row[5]))
            }
        } }
    }

    private static func applyRun(_ row: Row) -> ApplyRun {
        ApplyRun(
            id: row[0], serial: row[1], operation: row[2], started: Date(timeIntervalSince1970: row[3]),
            finished: (row[4] as Double?).map(Date.init(timeIntervalSince1970:)), outcome: row[5], who: row[6])
    }
}
