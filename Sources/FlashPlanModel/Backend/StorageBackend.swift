import Foundation

/// The storage flashplan drives.
///
/// Every call takes `now` from its caller (the engine's clock or `--now`), never
/// from the wall clock, so that months can be replayed in seconds.
public protocol StorageBackend: Sendable {
    /// What the backend holds at `now` (pool use grows with simulated time).
    func observe(at now: Date) throws -> ObservedState

    /// Performs one operation. With a journal entry, the operation's effect and
    /// the entry commit together or not at all.
    func perform(_ operation: StorageOperation, at now: Date, journal: JournalEntry?) throws
}

/// One row of the engine's journal: what an apply did, action by action.
public struct JournalEntry: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable { case applied, failed, skipped }

    public var applyID: String
    public var actionID: String
    public var address: String
    public var outcome: Outcome
    public var message: String?
    public var at: Date

    public init(applyID: String, actionID: String, address: String, outcome: Outcome, message: String? = nil, at: Date) {
        self.applyID = applyID
        self.actionID = actionID
        self.address = address
        self.outcome = outcome
        self.message = message
        self.at = at
    }
}
