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
///
/// ## The rules it enforces (DOMAIN.md, DESIGN §6)
///
/// - **Arrays** are installed only with a capacity their model is sold with (710: 1–5 TB,
///   810: 2–10 TB, 720: 6–12 TB, 820: 12–24 TB); **clusters** have 1–4 I/O groups.
/// - **Pools** take capacity from arrays; the pools on one array never add up past its
///   capacity. A pool is offline when any array it takes capacity from is offline (SVC
///   stripes extents over all managed disks).
/// - **Space** (`SpaceModel`): thick volumes take their size; thin ones what was written
///   (20%); compression halves it; a volume's snapshots hold the old version of every
///   block overwritten since the oldest of them, `size × (1 − e^(−rate·days))`, never more
///   than its size; clones start empty and grow the same way. An operation that
///   adds data or volume size to a pool is refused when the pool is full or would
///   overflow, or when virtual/physical would pass `max_overcommit`.
/// - **Snapshots**: at most 255 per volume; none of SMB shares; one with clones, or
///   immutable until a later time, cannot be deleted.
/// - **Availability**: a volume is online while some copy of it (primary or mirror copy)
///   is in an online pool. Snapshots, renames, deletions, mappings and relationship
///   transfers need one online copy; resize, migrate, restore and destroy need every
///   copy; a clone needs the pool of its snapshot's volume. After an array comes back,
///   mirrored volumes on it report `copiesInSync == false` for `mirrorResyncDuration`
///   (10 simulated minutes). A module failure leaves a 720/820 degraded (still serving;
///   a second one takes it offline) and takes a 710/810 offline.
/// - **Relationships** (mirror/vault): fan-out only (no cascades), destination at least
///   as large as its source; `uninitialized` → initialize → `idle`; updates need `idle`
///   and copy the named snapshots (same name, label, hosts, tag, group, creation time,
///   immutability) and delete the dropped ones; `sim break` → `broken`; resync → `idle`.
///   Transfers are instantaneous, so `transferring` is never observed.
/// - **Injected faults** (`sim fail-next N ARRAY`): the next N operations touching the
///   array fail with `injectedFailure` before doing anything.
/// - **Volumes** cannot be destroyed while they have clones, relationships or unexpired
///   immutable snapshots; their other snapshots go with them. A migrated volume takes
///   its snapshots (and their space) along; clones made earlier stay where they are. A
///   mirror copy added with `addMirrorCopy` is reported in sync at once.
/// - **Time**: nothing happens between calls; every rule is evaluated at the `now` given,
///   and an operation at an earlier time than a previous one is evaluated as of that time.
public final class SimulatorBackend: StorageBackend, Sendable {
    let writer: any DatabaseWriter
    /// The lineage of the state this backend lives in.
    public let lineage: String
    let atoms = AtomCache()
    /// The state file, named in the errors SQLite raises (`StateFileError`); nil in memory.
    let path: String?
    /// For a state in PostgreSQL: what carries each write there (`PostgresReplica`).
    let replica: PostgresReplica?

    init(writer: any DatabaseWriter, lineage: String, path: String?, replica: PostgresReplica? = nil) {
        self.writer = writer
        self.lineage = lineage
        self.path = path
        self.replica = replica
    }

    /// The backend of `store` (the same as `store.backend`).
    public convenience init(store: StateStore) {
        self.init(writer: store.writer, lineage: store.lineage, path: store.path, replica: store.replica)
    }

    /// Runs `body` in one write transaction, carried to PostgreSQL for a state kept there.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        if let replica { return try replica.write(writer, body) }
        return try writer.write(body)
    }

    /// The whole state at `now`, sorted: arrays, clusters, pools, hosts, volumes,
    /// relationships (by destination) and clones by name; snapshots by volume, then
    /// creation time, then name.
    public func observe(at now: Date) throws -> ObservedState {
        try StateFileError.guarding(path) {
            try replica?.catchUp(writer)
            return try read { db in try StateReader(db: db, now: now, lineage: lineage).read() }
        }
    }

    /// Runs `body` in one read transaction.
    ///
    /// `DatabaseQueue.read` guards its block with `PRAGMA query_only` on, then off, and
    /// SQLite expires every prepared statement of the connection at each such flag pragma
    /// (`OP_Expire`): after each observation every statement the simulator has cached
    /// would be compiled again at its next use — two fifths of the time `flashplan
    /// simulate` spent carrying out its plans. A queue (an in-memory store, a scratch copy,
    /// a state opened read-only) runs one block at a time on its one connection, so a
    /// deferred transaction there sees what `read` would; the block only reads
    /// (`StateReader` runs SELECTs). A pool reads on connections of its own.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        guard let queue = writer as? DatabaseQueue else { return try writer.read(body) }
        return try queue.unsafeRead { db in
            var value: T?
            try db.inTransaction(.deferred) {
                value = try body(db)
                return .commit
            }
            return value!
        }
    }

    /// Performs one operation, with its journal row in the same transaction.
    ///
    /// - Throws: `BackendError` naming the object and the limit when the simulated
    ///   storage refuses. A fault injected with `sim fail-next` is reported as
    ///   `BackendError.Kind.injectedFailure`; its countdown is committed, the
    ///   operation and the journal row are not.
    public func perform(_ operation: StorageOperation, at now: Date, journal: JournalEntry?) throws {
        let injected: BackendError? = try transaction(at: now) { context in
            if let failure = try context.consumeInjectedFailure(for: operation) {
                return failure
            }
            try context.perform(operation)
            if let journal { try JournalTable.insert(journal, context.db) }
            return nil
        }
        if let injected { throw injected }
    }

    /// Performs several operations in one transaction: all of them or none (seeding
    /// tests, replaying fixtures). Faults injected with `sim fail-next` are not consulted.
    public func performAll(_ operations: [StorageOperation], at now: Date) throws {
        try transaction(at: now) { context in
            for operation in operations { try context.perform(operation) }
        }
    }

    /// Runs `body` in one write transaction at `now`; the atoms it learned become known to
    /// later transactions once it has committed.
    func transaction<T>(at now: Date, _ body: (SimulationContext) throws -> T) throws -> T {
        let memo = TransactionMemo()
        let value = try StateFileError.guarding(path) {
            try write { db in
                try body(SimulationContext(db, now: now, atoms: atoms, memo: memo))
            }
        }
        atoms.merge(memo.learnedAtoms)
        return value
    }
}
