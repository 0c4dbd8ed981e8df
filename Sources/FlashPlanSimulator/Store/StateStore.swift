import FlashPlanModel
import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The state database: the simulated storage plus the engine's lineage, serial and journal.
///
/// Opening a path for writing (`apply`, `sim`) creates the state on first use — migrated
/// under an unpredictable temporary name with mode 0600, in WAL mode, then linked into
/// place, with any directory it needs created 0700 — and brings an existing one (and its
/// `-wal`/`-shm`) to 0600. Opening it `.readOnly` (`plan`, `state`) never creates,
/// migrates, checkpoints or chmods anything: SQLite opens it `SQLITE_OPEN_READONLY`. A
/// state written by a newer flashplan is refused either way, untouched; a file that is
/// not a state is refused with what is wrong and how to recover (`StateFileError`, see
/// `StateFile`). Every write is one SQLite transaction, so a `kill -9` at any moment
/// leaves either the whole operation or none of it.
///
/// ```swift
/// let store = try StateStore(path: ".flashplan/state.db")
/// let serial = try store.beginApply(id: applyID, operation: "apply", now: now)
/// try store.backend.perform(.createHost(name: "h1", site: nil), at: now, journal: entry)
/// try store.finishApply(id: applyID, outcome: "done", now: now)
/// ```
public final class StateStore: Sendable {
    /// How a command uses the state.
    public enum Access: Sendable {
        /// `apply` (and `sim` events, on a state that exists): created when missing, migrated, written.
        case readWrite
        /// `plan`, `state list|show`: must exist; opened `SQLITE_OPEN_READONLY`; the files stay byte-for-byte as they were.
        case readOnly
    }

    /// Where the database lives; nil for an in-memory store.
    public let path: String?
    /// A UUID set when the state was created; it never changes. Empty for `StateStore.absent()`.
    public let lineage: String
    /// The simulated storage in this state.
    public let backend: SimulatorBackend

    let writer: any DatabaseWriter
    /// For a state in PostgreSQL: what carries each write of the in-memory copy there.
    let replica: PostgresReplica?

    init(name: String?, writer: any DatabaseWriter, lineage: String, replica: PostgresReplica?) {
        self.path = name
        self.writer = writer
        self.lineage = lineage
        self.replica = replica
        self.backend = SimulatorBackend(writer: writer, lineage: lineage, path: name, replica: replica)
    }

    /// Whether this state lives in PostgreSQL (`--state postgresql://…`).
    public var isPostgres: Bool { replica != nil }

    /// Opens the state at `path` — a file, or a `postgresql://` URL (see
    /// `PostgresLocation`); `.readWrite` creates it when missing.
    ///
    /// - Throws: `StateFileError` naming the path, what is wrong and how to recover.
    public convenience init(path: String, access: Access = .readWrite) throws {
        if PostgresLocation.isPostgres(path) {
            try self.init(postgres: try PostgresLocation(path), access: access)
            return
        }
        let path = URL(fileURLWithPath: path).path
        let writing = access == .readWrite
        if try !StateFile.inspect(path, writing: writing) {
            guard writing else {
                throw StateFileError(
                    path: path, problem: .missing, what: "does not exist (\(StateFile.errnoText(ENOENT)))",
                    remedy: "Check --state or FLASHPLAN_STATE (the default is .flashplan/state.db, relative to the current directory); a state is created by the first `flashplan apply`, never by plan, state or sim.")
            }
            try StateFile.create(path, configuration: Self.configuration(), migrator: StoreSchema.migrator)
            _ = try StateFile.inspect(path, writing: true)
        }
        var readonly = Self.configuration()
        readonly.readonly = true
        let (writer, lineage): (any DatabaseWriter, String) = try StateFileError.guarding(path) {
            // The schema is checked on a read-only connection first: a state this
            // flashplan cannot use is refused before anything could write to it.
            let probe = try DatabaseQueue(path: writing ? path : StateFile.readOnlyLocation(path), configuration: readonly)
            let lineage = try probe.read { db in try Self.checkSchema(db, path: path, writing: writing) }
            guard writing else { return (probe, lineage) }
            try probe.close()
            let pool = try DatabasePool(path: path, configuration: Self.configuration())
            try StoreSchema.migrator.migrate(pool)
            return (pool, lineage)
        }
        self.init(name: path, writer: writer, lineage: lineage, replica: nil)
    }

    /// A state this flashplan can use: a flashplan state, of no newer schema; when only
    /// reading, of no older one either (reading never migrates). Returns its lineage.
    static func checkSchema(_ db: Database, path: String, writing: Bool) throws -> String {
        let migrator = StoreSchema.migrator
        let known = migrator.migrations
        guard try db.tableExists("grdb_migrations"), try db.tableExists("state_meta") else {
            throw StateFileError(
                path: path, problem: .notAState,
                what: "is a SQLite database but not a flashplan state (it has no state_meta or grdb_migrations table)",
                remedy: "Check that --state names the flashplan state and not another database; flashplan will not add its tables to it.")
        }
        try checkMigrations(applied: try migrator.appliedIdentifiers(db), known: known, name: path, writing: writing)
        guard let lineage = try String.fetchOne(db, sql: "SELECT lineage FROM state_meta") else {
            throw StateFileError(
                path: path, problem: .corrupted, what: "has no lineage (its state_meta table is empty)",
                remedy: "\(StateFileError.restore); \(StateFileError.startOver).")
        }
        return lineage
    }

    /// This flashplan's version: `flashplan --version`, and named in errors about the state's schema.
    public static let toolVersion = "0.1.0"

    /// Empty storage and no lineage, in memory: what `plan` plans against when there is no
    /// state yet (a plan made so carries an empty lineage, which the state the first apply
    /// creates accepts at serial 0).
    public static func absent() throws -> StateStore {
        try StateStore(inMemoryLineage: "")
    }

    /// A private store that lives in memory (tests, `simulate` scratch copies).
    public convenience init() throws {
        try self.init(inMemoryLineage: nil)
    }

    /// An in-memory store; with `source`, a copy of that database (`scratchCopy()`).
    convenience init(inMemoryLineage: String?, copying source: (any DatabaseReader)? = nil) throws {
        let queue = try DatabaseQueue(configuration: Self.configuration())
        if let source {
            try source.backup(to: queue)
            // A copy of a PostgreSQL state's copy: its capture triggers are temporary and
            // stay behind, and its query_only flag is per connection.
        }
        try StoreSchema.migrator.migrate(queue)
        let lineage = try inMemoryLineage ?? queue.read { db in try String.fetchOne(db, sql: "SELECT lineage FROM state_meta")! }
        self.init(name: nil, writer: queue, lineage: lineage, replica: nil)
    }

    /// Runs `body` in one write transaction: on SQLite as is; for a PostgreSQL state,
    /// carried there in the same transaction (`PostgresReplica`).
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        if let replica { return try replica.write(writer, body) }
        return try writer.write(body)
    }

    /// An in-memory store (same as `init()`), named for call sites that read better with it.
    public static func inMemory() throws -> StateStore { try StateStore() }

    static func configuration() -> GRDB.Configuration {
        var configuration = GRDB.Configuration()
        configuration.label = "flashplan-state"
        // Another process (`flashplan sim`, a second apply waiting on the lock) may hold
        // the write lock for a moment: wait rather than fail.
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            // WAL with synchronous=NORMAL: a commit survives the process being killed
            // (it is in the WAL before the call returns); only an OS crash could lose the
            // last commits, never corrupt the file.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            if !db.configuration.readonly {
                // The writer does many small transactions (one per action): keep the pages
                // it revisits in memory and checkpoint (the only fsync with NORMAL) less
                // often. Readers keep SQLite's defaults so that a full read stays lean.
                try db.execute(sql: "PRAGMA cache_size = -32768")
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 8192")
            }
        }
        return configuration
    }

    /// The serial: advanced by every apply and every outside event.
    public var serial: Int {
        get throws { try StateFileError.guarding(path) { try writer.read { db in try Self.serial(db) } } }
    }

    /// Lineage and serial read together.
    public func reference() throws -> (lineage: String, serial: Int) {
        (lineage, try serial)
    }

    static func serial(_ db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT serial FROM state_meta")) ?? 0
    }

    /// Advances the serial by one inside the caller's transaction and returns the new value.
    static func advanceSerial(_ db: Database) throws -> Int {
        try db.cachedStatement(sql: "UPDATE state_meta SET serial = serial + 1").execute()
        return try serial(db)
    }
}
