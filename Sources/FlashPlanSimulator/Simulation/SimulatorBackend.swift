import FlashPlanModel
import Foundation
import GRDB

/// The simulated IBM FlashSystem arrays behind SAN Volume Controller clusters, kept in
/// the state database.
///
/// Every `perform` is one SQLite transaction holding the operation's effect and, when
/// given, its journal row: both commit or neither does. Every call takes `now` from the
/// caller; pool use grows with the simulated time between calls (see `SpaceModel`).
///
/// Obtain one from a `StateStore` (`store.backend`); it shares the store's database.
public final class SimulatorBackend: StorageBackend, Sendable {
    let writer: any DatabaseWriter
    /// The lineage of the state this backend lives in.
    public let lineage: String

    init(writer: any DatabaseWriter, lineage: String) {
        self.writer = writer
        self.lineage = lineage
    }

    /// The backend of `store` (the same as `store.backend`).
    public convenience init(store: StateStore) {
        self.init(writer: store.writer, lineage: store.lineage)
    }

    /// The whole state at `now`, sorted: arrays, clusters, pools, hosts, volumes,
    /// relationships (by destination) and clones by name; snapshots by volume, then
    /// creation time, then name.
    public func observe(at now: Date) throws -> ObservedState {
        try writer.read { db in try StateReader(db: db, now: now, lineage: lineage).read() }
    }

    /// Performs one operation, with its journal row in the same transaction.
    ///
    /// - Throws: `BackendError` naming the object and the limit when the simulated
    ///   storage refuses. A fault injected with `sim fail-next` is reported as
    ///   `BackendError.Kind.injectedFailure`; its countdown is committed, the
    ///   operation and the journal row are not.
    public func perform(_ operation: StorageOperation, at now: Date, journal: JournalEntry?) throws {
        let injected: BackendError? = try writer.write { db in
            let context = SimulationContext(db, now: now)
            if let failure = try context.consumeInjectedFailure(for: operation) {
                return failure
            }
            try context.perform(operation)
            if let journal { try JournalTable.insert(journal, db) }
            return nil
        }
        if let injected { throw injected }
    }

    /// Performs several operations in one transaction: all of them or none (seeding
    /// tests, replaying fixtures). Faults injected with `sim fail-next` are not consulted.
    public func performAll(_ operations: [StorageOperation], at now: Date) throws {
        try writer.write { db in
            let context = SimulationContext(db, now: now)
            for operation in operations { try context.perform(operation) }
        }
    }
}
