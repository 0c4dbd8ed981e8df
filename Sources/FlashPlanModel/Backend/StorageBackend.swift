import Foundation

/// The storage flashplan drives.
///
/// Every call takes `now` from its caller (the engine's clock or `--now`), never
/// from the wall clock, so that months can be replayed in seconds.
public protocol StorageBackend: Sendable {
    /// What the backend holds at `now` (pool use grows with simulated time).
    func observe(at now: Date) throws -> ObservedState

    /// What the backend holds at `now`, when `earlier` was observed after the backend's
    /// last change (nothing performed since, no apply begun or finished, no event). A
    /// backend may then read only what depends on the time; by default it observes anew.
    func observe(at now: Date, unchangedSince earlier: ObservedState) throws -> ObservedState

    /// Performs one operation. With a journal entry, the operation's effect and
    /// the entry commit together or not at all.
    func perform(_ operation: StorageOperation, at now: Date, journal: JournalEntry?) throws

    /// Performs several operations as one: all of them and the journal entry commit,
    /// or none does. A backup of a group's volumes is taken this way, like an SVC
    /// FlashCopy consistency group, so that a crash never leaves half a backup.
    func perform(_ operations: [StorageOperation], at now: Date, journal: JournalEntry?) throws
}

extension StorageBackend {
    public func observe(at now: Date, unchangedSince earlier: ObservedState) throws -> ObservedState {
        try observe(at: now)
    }

    /// Fallback for backends that cannot group operations: one after the other,
    /// the journal entry with the last. A backend that can must implement it atomically.
    public func perform(_ operations: [StorageOperation], at now: Date, journal: JournalEntry?) throws {
        for (index, operation) in operations.enumerated() {
            try perform(operation, at: now, journal: index == operations.count - 1 ? journal : nil)
        }
    }
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
