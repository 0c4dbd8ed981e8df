import Foundation
import GRDB
import PostgresNIO

extension StateStore {
    /// The tables flashplan keeps beside the state's own in PostgreSQL.
    static let postgresBookkeeping = [
        "CREATE TABLE flashplan_migrations (identifier text PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())",
        // Every write transaction's row changes, for the other runners' copies to catch up.
        "CREATE TABLE flashplan_change (seq bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), changes text NOT NULL)",
        "CREATE TABLE flashplan_replication (id integer PRIMARY KEY CHECK (id = 1), pruned_through bigint NOT NULL)",
        "INSERT INTO flashplan_replication (id, pruned_through) VALUES (1, 0)",
        // One row per scope ever leased: who holds it, until when, and its fencing token.
        """
        CREATE TABLE flashplan_lease (
            scope text PRIMARY KEY, token bigint NOT NULL, backend_pid integer, holder text NOT NULL,
            acquired timestamptz NOT NULL, expires timestamptz NOT NULL)
        """,
    ]

    /// Opens the state kept in PostgreSQL at `location` (see `PostgresReplica`):
    /// `.readWrite` creates the schema's tables when missing and upgrades an older
    /// schema; `.readOnly` changes nothing (it reads in a `READ ONLY` transaction). A
    /// state of a newer schema is refused either way, as a file is.
    convenience init(postgres location: PostgresLocation, access: Access) throws {
        let client = try PostgresClient(location)
        let name = location.description
        let migrator = StoreSchema.migrator
        let known = migrator.migrations
        // The copy: every migration applied, so its catalogue is what PostgreSQL must hold.
        let queue = try DatabaseQueue(configuration: Self.configuration())
        try migrator.migrate(queue)
        let tables = try queue.read { db in try PostgresReplica.catalogue(db) }
        let schema = PostgresReplica.quoted(location.schema)
        try client.execute("SET search_path TO \(schema)")
        let exists = try client.holdsState(location.schema)
        if !exists {
            guard access == .readWrite else {
                throw StateFileError(
                    path: name, problem: .missing, what: "does not exist (schema \(location.schema) holds no flashplan state)",
                    remedy: "Check --state or FLASHPLAN_STATE; a state is created by the first `flashplan apply` (or `flashplan state migrate --to`), never by plan, state or sim.")
            }
        }
        if access == .readWrite {
            // A runner's role may read and write the tables but not create or alter them
            // (docs/multi-site.md): the schema is only prepared when it is missing or older.
            let applied = exists
                ? Set(try client.query("SELECT identifier FROM flashplan_migrations").map { try $0.decode(String.self) }) : []
            try Self.checkMigrations(applied: applied, known: known, name: name, writing: true)
            if !exists || !known.allSatisfy(applied.contains) {
                try Self.preparePostgres(client, location: location, queue: queue, tables: tables, known: known)
            }
        } else {
            let applied = Set(try client.query("SELECT identifier FROM flashplan_migrations").map { try $0.decode(String.self) })
            try Self.checkMigrations(applied: applied, known: known, name: name, writing: false)
        }
        let replica = PostgresReplica(client: client, tables: tables, writable: access == .readWrite)
        try StateFileError.guarding(name) {
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                try db.inTransaction {
                    try replica.load(into: db)
                    return .commit
                }
                try db.execute(sql: "PRAGMA foreign_keys = ON")
                if access == .readWrite {
                    try replica.install(db)
                } else {
                    try db.execute(sql: "PRAGMA query_only = 1")
                }
            }
        }
        let lineage = try queue.read { db in try String.fetchOne(db, sql: "SELECT lineage FROM state_meta") }
        guard let lineage else {
            throw StateFileError(
                path: name, problem: .corrupted, what: "has no lineage (its state_meta table is empty)",
                remedy: "\(StateFileError.restore); \(StateFileError.startOver).")
        }
        self.init(name: name, writer: queue, lineage: lineage, replica: replica)
    }

    /// Refuses a newer schema (both ways) and an older one when only reading.
    static func checkMigrations(applied: Set<String>, known: [String], name: String, writing: Bool) throws {
        let unknown = applied.subtracting(known).sorted()
        if !unknown.isEmpty {
            throw StateFileError(
                path: name, problem: .newerSchema,
                what: "was written by a newer flashplan: its schema is version \(applied.count) (migrations \(unknown.joined(separator: ", ")) are unknown here), and this flashplan \(StateStore.toolVersion) knows schema version \(known.count) (\(known.joined(separator: ", ")))",
                remedy: "It was left untouched. Use the flashplan that wrote it (or a newer one); an older flashplan must not write a state it does not understand.")
        }
        let missing = known.filter { !applied.contains($0) }
        if !writing, !missing.isEmpty {
            throw StateFileError(
                path: name, problem: .olderSchema,
                what: "was written by an older flashplan: its schema is version \(applied.count) and this flashplan \(StateStore.toolVersion) reads version \(known.count) (missing \(missing.joined(separator: ", ")))",
                remedy: "Reading never upgrades a state: run `flashplan apply` (or a `flashplan sim` event) once with this flashplan to upgrade it, after taking a backup.")
        }
    }

    /// Creates the state's tables (first use) or brings an older schema up to this
    /// flashplan's, in one transaction under the schema's advisory lock, so that two
    /// runners starting together create it once.
    private static func preparePostgres(
        _ client: PostgresClient, location: PostgresLocation, queue: DatabaseQueue, tables: [PostgresReplica.Table], known: [String]
    ) throws {
        let name = location.description
        try client.transaction {
            try Self.lockSchema(client, location)
            if try !client.holdsState(location.schema) {
                // The rows the migrations wrote (the lineage and serial 0).
                try createTables(client, from: queue, tables: tables, migrations: known)
            } else {
                let applied = Set(try client.query("SELECT identifier FROM flashplan_migrations").map { try $0.decode(String.self) })
                try checkMigrations(applied: applied, known: known, name: name, writing: true)
                if applied.count < known.count {
                    // An older schema: add what later migrations added (tables, then columns
                    // with their defaults, which give existing rows the values SQLite's
                    // ALTER TABLE gives them).
                    let present = Set(try client.query(
                        "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = $1",
                        [location.schema.databaseValue]).map { try $0.decode(String.self) })
                    for table in tables {
                        if !present.contains(where: { $0.hasPrefix(table.name + ".") }) {
                            try client.execute(PostgresReplica.createStatement(table))
                            continue
                        }
                        for index in table.columns.indices where !present.contains("\(table.name).\(table.columns[index])") {
                            try client.execute(
                                "ALTER TABLE \(PostgresReplica.quoted(table.name)) ADD COLUMN \(PostgresReplica.column(table, index))")
                        }
                    }
                    for identifier in known where !applied.contains(identifier) {
                        try client.execute("INSERT INTO flashplan_migrations (identifier) VALUES ($1)", [identifier.databaseValue])
                    }
                }
            }
        }
    }
}

extension StateStore {
    /// Creates the state's tables, unique indexes and bookkeeping in the client's open
    /// transaction and copies every row of `source` into them (500 rows a statement,
    /// pipelined), recording `migrations` as applied.
    static func createTables(
        _ client: PostgresClient, from source: any DatabaseReader, tables: [PostgresReplica.Table], migrations: [String]
    ) throws {
        for table in tables { try client.execute(PostgresReplica.createStatement(table)) }
        for statement in try source.read({ db in try PostgresReplica.uniqueIndexes(db, tables: tables) }) {
            try client.execute(statement)
        }
        for statement in postgresBookkeeping { try client.execute(statement) }
        for identifier in migrations {
            try client.execute("INSERT INTO flashplan_migrations (identifier) VALUES ($1)", [identifier.databaseValue])
        }
        try source.read { db in
            for table in tables {
                let columns = table.columns.map(PostgresReplica.quoted).joined(separator: ", ")
                let width = table.columns.count
                let perStatement = max(1, min(500, 65535 / width))
                var batch: [DatabaseValue] = []
                var statements: [(String, [DatabaseValue])] = []
                func flush() throws {
                    guard !batch.isEmpty else { return }
                    let rows = batch.count / width
                    let tuples = (0..<rows).map { row in
                        "(" + (0..<width).map { column in
                            "$\(row * width + column + 1)::\(PostgresReplica.postgresType(table.types[column]))"
                        }.joined(separator: ", ") + ")"
                    }.joined(separator: ", ")
                    statements.append(("INSERT INTO \(PostgresReplica.quoted(table.name)) (\(columns)) VALUES \(tuples)", batch))
                    batch = []
                    if statements.count >= 16 {
                        try client.pipeline(statements)
                        statements = []
                    }
                }
                let cursor = try Row.fetchCursor(db, sql: "SELECT \(columns) FROM \(PostgresReplica.quoted(table.name))")
                while let row = try cursor.next() {
                    for index in 0..<width { batch.append(row[index] as DatabaseValue) }
                    if batch.count >= perStatement * width { try flush() }
                }
                try flush()
                if !statements.isEmpty { try client.pipeline(statements) }
            }
        }
    }

    /// What `flashplan state migrate --to` did.
    public struct Migration: Sendable {
        public var lineage: String
        public var serial: Int
        /// Rows copied, by table.
        public var rows: [(table: String, count: Int)]
        public var destination: String
    }

    /// Copies this state (a file, of this flashplan's schema) into PostgreSQL at `url`,
    /// whose schema must not hold a state yet: the same lineage and serial (so plans saved
    /// against it stay valid), every table row for row, in one transaction. The file is
    /// only read, and stays as it was.
    ///
    /// - Throws: `StateFileError` when the destination holds a state already (refused,
    ///   untouched) or cannot be used.
    public func migrate(to url: String) throws -> Migration {
        let location = try PostgresLocation(url)
        let client = try PostgresClient(location)
        let name = location.description
        let tables = try writer.read { db in try PostgresReplica.catalogue(db) }
        let migrations = try writer.read { db in try StoreSchema.migrator.appliedIdentifiers(db) }
        let schema = PostgresReplica.quoted(location.schema)
        let counts = try client.transaction {
            try Self.lockSchema(client, location)
            try client.execute("SET LOCAL search_path TO \(schema)")
            if try client.holdsState(location.schema) {
                let held = try client.query("SELECT lineage, serial FROM state_meta").first.map { try $0.decode((String, Int).self) }
                throw StateFileError(
                    path: name, problem: .notWritable,
                    what: "already holds a state (lineage \(held?.0 ?? "unknown"), serial \(held?.1 ?? 0)); nothing was copied",
                    remedy: "Migrate into another schema (?schema=NAME), or drop that schema first if it is really not needed (after a backup: pg_dump -n \(location.schema)).")
            }
            try Self.createTables(client, from: writer, tables: tables, migrations: StoreSchema.migrator.migrations.filter(migrations.contains))
            return try tables.map { table in
                (table: table.name, count: try client.query("SELECT count(*)::bigint FROM \(PostgresReplica.quoted(table.name))").first?.decode(Int.self) ?? 0)
            }
        }
        let (lineage, serial) = try reference()
        return Migration(lineage: lineage, serial: serial, rows: counts, destination: name)
    }
}

extension StateStore {
    /// In the client's open transaction: the schema's advisory lock, so that two runners
    /// (or a migrate and a runner) creating or upgrading it do so one after the other,
    /// then the schema itself when it is missing.
    static func lockSchema(_ client: PostgresClient, _ location: PostgresLocation) throws {
        try client.execute(
            "SELECT pg_advisory_xact_lock(hashtext('flashplan:' || $1::text), hashtext('schema'))", [location.schema.databaseValue])
        try createSchemaIfMissing(client, location)
    }

    /// `CREATE SCHEMA` only when it is missing: an existing schema made by the database
    /// owner needs no CREATE privilege on the database (`IF NOT EXISTS` would).
    static func createSchemaIfMissing(_ client: PostgresClient, _ location: PostgresLocation) throws {
        let present = try client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [location.schema.databaseValue])
        if present.isEmpty { try client.execute("CREATE SCHEMA \(PostgresReplica.quoted(location.schema))") }
    }
}
