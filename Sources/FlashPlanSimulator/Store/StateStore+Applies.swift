import FlashPlanModel
import Foundation
import GRDB

/// A plan made against another lineage or serial than the state's.
public struct StaleStateError: Error, Sendable, Hashable, CustomStringConvertible {
    public var expectedLineage: String
    public var expectedSerial: Int
    public var lineage: String
    public var serial: Int

    public init(expectedLineage: String, expectedSerial: Int, lineage: String, serial: Int) {
        self.expectedLineage = expectedLineage
        self.expectedSerial = expectedSerial
        self.lineage = lineage
        self.serial = serial
    }

    public var description: String {
        if expectedLineage.isEmpty, expectedLineage != lineage {
            return "the plan is stale: it was made when there was no state, and the state is now at serial \(serial); make a new plan"
        }
        if expectedLineage != lineage {
            return "the plan was made for state \(expectedLineage), but this state is \(lineage); make a new plan"
        }
        return "the plan is stale: it was made at serial \(expectedSerial) and the state is now at serial \(serial); make a new plan"
    }
}

/// One apply as recorded by `beginApply`/`finishApply`.
public struct ApplyRecord: Sendable, Hashable, Codable {
    public var id: String
    /// The serial the apply advanced the state to.
    public var serial: Int
    public var operation: String
    public var started: Date
    public var finished: Date?
    public var outcome: String?
}

extension StateStore {
    /// Starts an apply: checks (when given) that the state is still at the lineage and
    /// serial the plan was made against, advances the serial and records the apply, all in
    /// one transaction. Returns the new serial.
    ///
    /// - Throws: `StaleStateError` when `expecting` no longer matches.
    @discardableResult
    public func beginApply(
        id: String, expecting: (lineage: String, serial: Int)? = nil, operation: String, now: Date
    ) throws -> Int {
        try StateFileError.guarding(path) { try write { db in
            let current = try Self.serial(db)
            // A plan made when there was no state yet (empty lineage, serial 0) is for the
            // state the first apply creates, as long as nothing has changed it since.
            let lineageMatches = expecting?.lineage == lineage || (expecting?.lineage == "" && current == 0)
            if let expecting, !lineageMatches || expecting.serial != current {
                throw StaleStateError(
                    expectedLineage: expecting.lineage, expectedSerial: expecting.serial, lineage: lineage, serial: current)
            }
            let serial = try Self.advanceSerial(db)
            // Cached: `flashplan simulate` begins an apply at nearly every run of the timer.
            try db.cachedStatement(sql: "INSERT INTO apply (id, serial, operation, started, who) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [id, serial, operation, now.timeIntervalSince1970, Self.who])
            return serial
        } }
    }

    /// Starts an apply whose id is its serial in decimal (`"7"`). Returns the new serial.
    @discardableResult
    public func beginApply(operation: String, now: Date) throws -> Int {
        try StateFileError.guarding(path) { try write { db in
            let serial = try Self.advanceSerial(db)
            try db.execute(
                sql: "INSERT INTO apply (id, serial, operation, started, who) VALUES (?, ?, ?, ?, ?)",
                arguments: [String(serial), serial, operation, now.timeIntervalSince1970, Self.who])
            return serial
        } }
    }

    /// Records how an apply ended (`done`, `partial`, `failed`, `interrupted`, …) and
    /// advances the serial again (DESIGN §5): a plan made while the apply ran saw a state
    /// in the middle of it, and is stale once it has ended.
    public func finishApply(id: String, outcome: String, now: Date) throws {
        try StateFileError.guarding(path) { try write { db in
            try db.cachedStatement(sql: "UPDATE apply SET finished = ?, outcome = ? WHERE id = ?")
                .execute(arguments: [now.timeIntervalSince1970, outcome, id])
            if db.changesCount == 0 {
                throw BackendError(.notFound, "no apply with id '\(id)' was started in this state")
            }
            _ = try Self.advanceSerial(db)
        } }
    }

    /// The applies recorded so far, oldest first.
    public func applies() throws -> [ApplyRecord] {
        try StateFileError.guarding(path) { try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, serial, operation, started, finished, outcome FROM apply ORDER BY serial")
                .map { row in
                    ApplyRecord(
                        id: row[0], serial: row[1], operation: row[2], started: Date(timeIntervalSince1970: row[3]),
                        finished: (row[4] as Double?).map(Date.init(timeIntervalSince1970:)), outcome: row[5])
                }
        } }
    }
}

extension StateStore {
    /// `user@host` of this process, e.g. `root@stor-mgmt1`, or `root (sudo by alice)@stor-mgmt1`:
    /// what `history` shows as who ran an apply. From the kernel's ids, not from `$USER`,
    /// which anyone can set; `SUDO_USER` is only added when running as root through sudo.
    static let who: String = {
        let uid = geteuid()
        var user = getpwuid(uid).flatMap { $0.pointee.pw_name.map { String(cString: $0) } } ?? "uid \(uid)"
        if uid == 0, let sudo = ProcessInfo.processInfo.environment["SUDO_USER"], !sudo.isEmpty {
            user += " (sudo by \(sudo))"
        }
        var buffer = [CChar](repeating: 0, count: 256)
        let host = gethostname(&buffer, buffer.count) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unknown-host"
        return "\(user)@\(host)"
    }()
}
