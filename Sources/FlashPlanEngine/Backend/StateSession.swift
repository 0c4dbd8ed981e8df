import FlashPlanModel

/// The storage behind a state path, with the ledger the executor writes to.
/// The executable opens it (today: the embedded simulator) and hands it to the engine.
public struct StateSession: Sendable {
    public var backend: any StorageBackend
    public var ledger: any ApplyLedger
    /// For a state shared by several runners (PostgreSQL): its leases, which take the
    /// place of the file lock. Nil for a state file.
    public var leasing: (any StateLeasing)?

    public init(backend: any StorageBackend, ledger: any ApplyLedger, leasing: (any StateLeasing)? = nil) {
        self.backend = backend
        self.ledger = ledger
        self.leasing = leasing
    }

    /// A backend that keeps its own journal serves as both.
    public init(_ backend: some StorageBackend & ApplyLedger) {
        self.backend = backend
        self.ledger = backend
    }
}
