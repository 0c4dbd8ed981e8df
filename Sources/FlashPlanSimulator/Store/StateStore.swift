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
/// Opening a path creates the file (and its parent directories) on first use with mode
/// 0600, in WAL mode, and runs the migrations. Every write is one SQLite transaction,
/// so a `kill -9` at any moment leaves either the whole operation or none of it.
///
/// ```swift
/// let store = try StateStore(path: ".flashplan/state.db")
/// let serial = try store.beginApply(id: applyID, operation: "apply", now: now)
/// try store.backend.perform(.createHost(name: "h1", site: nil), at: now, journal: entry)
/// try store.finishApply(id: applyID, outcome: "done", now: now)
/// ```
public final class StateStore: Sendable {
    /// Where the database lives; nil for an in-memory store.
    public let path: String?
    /// A UUID set when the state was created; it never changes.
    public let lineage: String
    /// The simulated storage in this state.
    public let backend: SimulatorBackend

    let writer: any DatabaseWriter

    /// Opens (creating when missing) the state database at `path`.
    public init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        let manager = FileManager.default
        try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !manager.fileExists(atPath: url.path) {
            // Created empty with 0600 before SQLite opens it: SQLite gives its -wal and
            // -shm files the mode of the database file, so they are private too.
            let fd = open(url.path, O_CREAT | O_WRONLY | O_EXCL, 0o600)
            if fd >= 0 { close(fd) }
        }
        let pool = try DatabasePool(path: url.path, configuration: Self.configuration())
        try StoreSchema.migrator.migrate(pool)
        self.path = url.path
        self.writer = pool
        self.lineage = try pool.read { db in try String.fetchOne(db, sql: "SELECT lineage FROM state_meta")! }
        self.backend = SimulatorBackend(writer: pool, lineage: lineage)
    }

    /// A private store that lives in memory (tests, `simulate` scratch copies).
    public init() throws {
        let queue = try DatabaseQueue(configuration: Self.configuration())
        try StoreSchema.migrator.migrate(queue)
        self.path = nil
        self.writer = queue
        self.lineage = try queue.read { db in try String.fetchOne(db, sql: "SELECT lineage FROM state_meta")! }
        self.backend = SimulatorBackend(writer: queue, lineage: lineage)
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
        get throws { try writer.read { db in try Self.serial(db) } }
    }

    /// Lineage and serial read together.
    public func reference() throws -> (lineage: String, serial: Int) {
        (lineage, try serial)
    }

    static func serial(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT serial FROM state_meta") ?? 0
    }

    /// Advances the serial by one inside the caller's transaction and returns the new value.
    static func advanceSerial(_ db: Database) throws -> Int {
        try db.execute(sql: "UPDATE state_meta SET serial = serial + 1")
        return try serial(db)
    }
}
