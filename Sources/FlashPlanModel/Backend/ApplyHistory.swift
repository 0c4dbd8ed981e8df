import Foundation

/// One apply as the state's journal recorded it: when it started and ended, how it
/// ended, and the serial it advanced the state to.
public struct ApplyRun: Sendable, Hashable {
    public var id: String
    /// The serial the apply advanced the state to when it started.
    public var serial: Int
    /// What ran: `apply` (the only operation recorded today).
    public var operation: String
    public var started: Date
    /// Nil while it runs, or when it was killed before it could record its end.
    public var finished: Date?
    /// `success`, `partial`, `failed` or `interrupted`; nil when the end was never recorded.
    public var outcome: String?
    /// Who ran it: `user@host`; nil for applies recorded before flashplan kept it.
    public var who: String?

    public init(id: String, serial: Int, operation: String, started: Date, finished: Date?, outcome: String?, who: String? = nil) {
        self.who = who
        self.id = id
        self.serial = serial
        self.operation = operation
        self.started = started
        self.finished = finished
        self.outcome = outcome
    }
}

/// Reading the record of past applies, for `flashplan status` (the last one) and
/// `flashplan history` (all since a time). A read-only view: nothing here writes.
public protocol ApplyHistoryReader: Sendable {
    /// Applies that started at or after `since` (all when nil), oldest first.
    func applyRuns(since: Date?) throws -> [ApplyRun]

    /// The most recently started apply, if any.
    func lastApplyRun() throws -> ApplyRun?

    /// The journal rows of the applies that started at or after `since` (all when nil),
    /// in the order they were written.
    func journalEntries(since: Date?) throws -> [JournalEntry]
}
