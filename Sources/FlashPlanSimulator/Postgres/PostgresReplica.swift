import Foundation
import GRDB
import GRDBSQLite
import NIOCore
import PostgresNIO

/// A state kept in PostgreSQL, worked on through an in-memory SQLite copy.
///
/// The simulated storage is SQL written for SQLite (`SimulationContext`, `StateReader`);
/// rather than a second copy of every statement for another dialect, a runner loads the
/// state's tables from PostgreSQL into an in-memory SQLite database with the same schema,
/// and every write transaction on that copy is carried to PostgreSQL row by row, in one
/// PostgreSQL transaction that commits before the SQLite one does:
///
/// 1. `begin`: `BEGIN`; `pg_advisory_xact_lock` on the state's write key (writers of one
///    state commit one after another, so the change log's order is the commit order); the
///    fencing check of the runner's leases (`PostgresLease`); the rows other runners
///    committed since this copy last caught up are applied to it (`flashplan_change`).
/// 2. The body runs on SQLite; temporary triggers hand every inserted, updated and deleted
///    row to `flashplan_capture`, which records it here.
/// 3. `push`: each row change as an `INSERT`/`UPDATE`/`DELETE` by primary key, one
///    `flashplan_change` row with all of them for the other runners, `COMMIT`. Only then
///    does SQLite commit. Anything failing on the way rolls back both.
///
/// So each action's effect, its journal row and the fencing check commit in one
/// PostgreSQL transaction: PostgreSQL is the state, the copy a cache of it. A commit whose
/// answer never came (the server restarted, the network cut) leaves the copy unknown: the
/// session is marked broken, every later write refuses, and the next run loads afresh.
final class PostgresReplica: @unchecked Sendable {
    /// A table of the state and how its rows are keyed.
    struct Table: Sendable {
        var name: String
        var columns: [String]
        var types: [String]
        /// Indexes into `columns` of the primary key.
        var key: [Int]
        var notNull: [Bool]
        var defaults: [String?]
    }

    /// One row change, as recorded by the triggers and carried in `flashplan_change`.
    struct Change: Codable, Sendable {
        var table: String
        /// `i`nsert, `u`pdate or `d`elete.
        var op: String
        /// The old primary key (update, delete).
        var key: [Value]?
        /// The new row (insert, update).
        var row: [Value]?
    }

    /// A SQLite value carried exactly (a double by its bits).
    enum Value: Codable, Sendable, Hashable {
        case null, int(Int64), double(Double), text(String)

        init(_ value: DatabaseValue) {
            switch value.storage {
            case .null: self = .null
            case .int64(let int): self = .int(int)
            case .double(let double): self = .double(double)
            case .string(let string): self = .text(string)
            case .blob(let data): self = .text(String(decoding: data, as: UTF8.self))
            }
        }

        var databaseValue: DatabaseValue {
            switch self {
            case .null: return .null
            case .int(let int): return int.databaseValue
            case .double(let double): return double.databaseValue
            case .text(let text): return text.databaseValue
            }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null; return }
            let text = try container.decode(String.self)
            switch text.first {
            case "i": self = .int(Int64(text.dropFirst()) ?? 0)
            case "d": self = .double(Double(bitPattern: UInt64(text.dropFirst(), radix: 16) ?? 0))
            default: self = .text(String(text.dropFirst()))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .null: try container.encodeNil()
            case .int(let int): try container.encode("i\(int)")
            case .double(let double): try container.encode("d" + String(double.bitPattern, radix: 16))
            case .text(let text): try container.encode("s" + text)
            }
        }
    }

    let client: PostgresClient
    let tables: [String: Table]
    /// Tables in creation order (the order rows are loaded in).
    let order: [String]
    /// The newest change log entry this copy holds.
    private(set) var caughtUp: Int64 = 0
    private var pending: [Change] = []
    private var capturing = false
    private var inTransaction = false
    private var caughtUpBefore: Int64 = 0
    /// The change log was pruned by this runner already.
    private var pruned = false
    /// The leases whose fencing tokens every write checks (empty: a `sim` event, which is
    /// the outside world and takes no lease).
    var fence: [(scope: String, token: Int64)] = []
    let writeKey: String

    /// Opened for writing: capture installed, catching up allowed.
    let writable: Bool

    init(client: PostgresClient, tables: [Table], writable: Bool) {
        self.client = client
        self.writable = writable
        self.tables = Dictionary(uniqueKeysWithValues: tables.map { ($0.name, $0) })
        self.order = tables.map(\.name)
        self.writeKey = "write"
    }

    // MARK: - The catalogue

    /// The tables of a migrated SQLite state (GRDB's bookkeeping aside), with columns,
    /// declared types, primary keys and defaults, in creation order.
    static func catalogue(_ db: Database) throws -> [Table] {
        let names = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations' ORDER BY rowid")
        return try names.map { name in
            let rows = try Row.fetchAll(db, sql: "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid", arguments: [name])
            let columns: [String] = rows.map { $0[0] }
            let keyed = rows.enumerated().compactMap { index, row -> (Int, Int)? in
                let pk: Int = row[4]
                return pk > 0 ? (pk, index) : nil
            }.sorted { $0.0 < $1.0 }.map(\.1)
            return Table(
                name: name, columns: columns, types: rows.map { ($0[1] as String).uppercased() }, key: keyed,
                notNull: rows.map { $0[2] as Int != 0 }, defaults: rows.map { $0[3] as String? })
        }
    }

    /// The PostgreSQL type of a SQLite declared type (the affinity rules of SQLite §3.1).
    static func postgresType(_ declared: String) -> String {
        if declared.contains("INT") { return "bigint" }
        if declared.contains("CHAR") || declared.contains("CLOB") || declared.contains("TEXT") { return "text" }
        if declared.contains("REAL") || declared.contains("FLOA") || declared.contains("DOUB") { return "double precision" }
        return "text"
    }

    /// `CREATE TABLE` for `table` in PostgreSQL: the same columns, types by affinity, NOT
    /// NULL, defaults and primary key. Foreign keys and cascades stay in the SQLite copy,
    /// which enforces them before anything reaches PostgreSQL (a cascade's deletions are
    /// captured as row changes like any other).
    static func createStatement(_ table: Table) -> String {
        var parts = table.columns.indices.map { column(table, $0) }
        if !table.key.isEmpty {
            parts.append("PRIMARY KEY (\(table.key.map { quoted(table.columns[$0]) }.joined(separator: ", ")))")
        }
        return "CREATE TABLE \(quoted(table.name)) (\(parts.joined(separator: ", ")))"
    }

    static func column(_ table: Table, _ index: Int) -> String {
        var text = "\(quoted(table.columns[index])) \(postgresType(table.types[index]))"
        if table.notNull[index] { text += " NOT NULL" }
        if let value = table.defaults[index] { text += " DEFAULT \(value)" }
        return text
    }

    static func quoted(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// Unique indexes of the SQLite schema, recreated in PostgreSQL (`atom.text`,
    /// `snapshot (volume_id, name)`, names): two runners can never make duplicates.
    static func uniqueIndexes(_ db: Database, tables: [Table]) throws -> [String] {
        var statements: [String] = []
        for table in tables {
            for index in try Row.fetchAll(db, sql: "SELECT name, \"unique\", origin FROM pragma_index_list(?)", arguments: [table.name]) {
                let name: String = index[0]
                let unique: Int = index[1]
                let origin: String = index[2]
                guard unique != 0, origin != "pk" else { continue }
                let columns = try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info(?) ORDER BY seqno", arguments: [name])
                let indexName = origin == "u" ? "\(table.name)_\(columns.joined(separator: "_"))_key" : name
                statements.append(
                    "CREATE UNIQUE INDEX \(quoted(indexName)) ON \(quoted(table.name)) (\(columns.map(quoted).joined(separator: ", ")))")
            }
        }
        return statements
    }

    // MARK: - Capturing the copy's changes

    /// Installs the capture function and the temporary triggers on the copy.
    func install(_ db: Database) throws {
        let function = DatabaseFunction("flashplan_capture", argumentCount: nil, pure: false) { [unowned self] values in
            self.capture(values)
            return nil
        }
        db.add(function: function)
        for name in order {
            let table = tables[name]!
            let new = table.columns.map { "NEW.\(Self.quoted($0))" }.joined(separator: ", ")
            let oldKey = table.key.map { "OLD.\(Self.quoted(table.columns[$0]))" }.joined(separator: ", ")
            let keyCount = table.key.count
            try db.execute(sql: """
                CREATE TEMP TRIGGER "fp_\(name)_i" AFTER INSERT ON main.\(Self.quoted(name)) BEGIN SELECT flashplan_capture('\(name)', 'i', 0, \(new)); END;
                CREATE TEMP TRIGGER "fp_\(name)_u" AFTER UPDATE ON main.\(Self.quoted(name)) BEGIN SELECT flashplan_capture('\(name)', 'u', \(keyCount), \(oldKey), \(new)); END;
                CREATE TEMP TRIGGER "fp_\(name)_d" AFTER DELETE ON main.\(Self.quoted(name)) BEGIN SELECT flashplan_capture('\(name)', 'd', \(keyCount), \(oldKey)); END;
                """)
        }
    }

    private func capture(_ values: [DatabaseValue]) {
        guard capturing, values.count >= 3,
              let table = String.fromDatabaseValue(values[0]), let op = String.fromDatabaseValue(values[1]),
              let keyCount = Int.fromDatabaseValue(values[2])
        else { return }
        let key = values[3..<(3 + keyCount)].map(Value.init)
        let row = values[(3 + keyCount)...].map(Value.init)
        pending.append(Change(table: table, op: op, key: op == "i" ? nil : Array(key), row: op == "d" ? nil : Array(row)))
    }

    // MARK: - Write transactions

    /// Brings the copy up to what other runners have committed (an empty write transaction
    /// does: `begin` catches up). Before observing, so that a plan sees the state as it is.
    func catchUp(_ writer: any DatabaseWriter) throws {
        guard writable else { return }
        try write(writer) { _ in }
    }

    /// Runs `body` in one SQLite transaction of `writer` carried to PostgreSQL (see the type).
    func write<T>(_ writer: any DatabaseWriter, _ body: (Database) throws -> T) throws -> T {
        try writer.write { db in
            try begin(db)
            do {
                capturing = true
                let value = try body(db)
                capturing = false
                try push()
                return value
            } catch {
                capturing = false
                abort()
                throw error
            }
        }
    }

    private func begin(_ db: Database) throws {
        client.session.lock()
        inTransaction = true
        pending = []
        caughtUpBefore = caughtUp
        do {
            // Three round trips: PostgresNIO sends one statement at a time. The lock comes
            // before the read of the change log in a statement of its own, because a
            // READ COMMITTED statement sees what had committed when it started.
            var binds: [DatabaseValue] = [caughtUp.databaseValue]
            var fenced = "0"
            var with = ""
            if !fence.isEmpty {
                let (update, fenceBinds) = PostgresLease.fenceStatement(fence, ttl: client.location.leaseTTL, firstParameter: 2)
                binds += fenceBinds
                with = "WITH fence AS (\(update) RETURNING 1) "
                fenced = "(SELECT count(*) FROM fence)"
            }
            let results = try client.pipeline([
                ("BEGIN", []),
                ("SELECT pg_advisory_xact_lock(hashtext('flashplan:' || current_schema()), hashtext($1))", [writeKey.databaseValue]),
                (
                    """
                    \(with)SELECT \(fenced)::bigint, (SELECT pruned_through FROM flashplan_replication), c.seq, c.changes
                    FROM (SELECT 1) AS one LEFT JOIN flashplan_change c ON c.seq > $1 ORDER BY c.seq
                    """, binds
                ),
            ])
            let rows = results[2].rows
            let first = try rows.first?.decode((Int64, Int64, Int64?, String?).self)
            let fencedCount = first?.0 ?? 0, pruned = first?.1 ?? 0
            if !fence.isEmpty, fencedCount != fence.count {
                throw PostgresLease.lost(client.location, fence: fence)
            }
            if pruned > caughtUp {
                throw StateFileError(
                    path: client.location.description, problem: .database,
                    what: "changed more while this run went on than its change log keeps (changes up to \(pruned) were pruned; this run had seen \(caughtUp))",
                    remedy: "Nothing more was changed by this run. Run it again: it loads the state afresh.")
            }
            try apply(rows, to: db)
        } catch {
            abort()
            throw error
        }
    }

    /// Applies change log rows other runners committed to the copy (not captured again).
    private func apply(_ rows: [PostgresRow], to db: Database) throws {
        let decoder = JSONDecoder()
        for row in rows {
            let (_, _, seq, text) = try row.decode((Int64, Int64, Int64?, String?).self)
            guard let seq, let text else { continue }
            let changes = try decoder.decode([Change].self, from: Data(text.utf8))
            for change in changes {
                guard let table = tables[change.table] else { continue }
                let (sql, arguments) = sqliteStatement(table, change)
                try db.cachedStatement(sql: sql).execute(arguments: StatementArguments(arguments))
            }
            caughtUp = seq
        }
    }

    private func sqliteStatement(_ table: Table, _ change: Change) -> (String, [DatabaseValue]) {
        let keyMatch = table.key.map { "\(Self.quoted(table.columns[$0])) = ?" }.joined(separator: " AND ")
        switch change.op {
        case "i":
            return ("INSERT OR REPLACE INTO \(Self.quoted(table.name)) VALUES (\(Array(repeating: "?", count: table.columns.count).joined(separator: ", ")))",
                    (change.row ?? []).map(\.databaseValue))
        case "u":
            let set = table.columns.map { "\(Self.quoted($0)) = ?" }.joined(separator: ", ")
            return ("UPDATE \(Self.quoted(table.name)) SET \(set) WHERE \(keyMatch)",
                    (change.row ?? []).map(\.databaseValue) + (change.key ?? []).map(\.databaseValue))
        default:
            return ("DELETE FROM \(Self.quoted(table.name)) WHERE \(keyMatch)", (change.key ?? []).map(\.databaseValue))
        }
    }

    private func postgresStatement(_ table: Table, _ change: Change) -> (String, [DatabaseValue]) {
        let values = (change.row ?? []).map(\.databaseValue)
        let keys = (change.key ?? []).map(\.databaseValue)
        func placeholder(_ index: Int, _ column: Int) -> String {
            "$\(index)::\(Self.postgresType(table.types[column]))"
        }
        switch change.op {
        case "i":
            let columns = table.columns.map(Self.quoted).joined(separator: ", ")
            let params = table.columns.indices.map { placeholder($0 + 1, $0) }.joined(separator: ", ")
            return ("INSERT INTO \(Self.quoted(table.name)) (\(columns)) VALUES (\(params))", values)
        case "u":
            let set = table.columns.indices.map { "\(Self.quoted(table.columns[$0])) = \(placeholder($0 + 1, $0))" }.joined(separator: ", ")
            let match = table.key.enumerated().map { offset, column in
                "\(Self.quoted(table.columns[column])) = \(placeholder(table.columns.count + offset + 1, column))"
            }.joined(separator: " AND ")
            return ("UPDATE \(Self.quoted(table.name)) SET \(set) WHERE \(match)", values + keys)
        default:
            let match = table.key.enumerated().map { offset, column in
                "\(Self.quoted(table.columns[column])) = \(placeholder(offset + 1, column))"
            }.joined(separator: " AND ")
            return ("DELETE FROM \(Self.quoted(table.name)) WHERE \(match)", keys)
        }
    }

    /// The net effect of `pending` on each table, by primary key: the rows that exist at
    /// the end (new or changed) and the keys that no longer do. PostgreSQL then receives
    /// one `DELETE` of all the gone keys and one upsert of all the final rows per table,
    /// each table's rows as one JSON array — two statements for the whole transaction
    /// rather than one per row. Deleting first, then upserting, ends in the copy's state
    /// whatever order the rows changed in (PostgreSQL has no foreign keys to mind).
    private func netEffect() -> (deleted: [String: [[Value]]], final: [String: [[Value]]]) {
        var effect: [String: [[Value]: [Value]?]] = [:]
        var order: [String: [[Value]]] = [:]
        func note(_ table: String, _ key: [Value], _ row: [Value]?) {
            if effect[table, default: [:]].updateValue(row, forKey: key) == nil { order[table, default: []].append(key) }
        }
        for change in pending {
            guard let table = tables[change.table] else { continue }
            switch change.op {
            case "i":
                let row = change.row ?? []
                note(change.table, table.key.map { row[$0] }, row)
            case "u":
                let row = change.row ?? []
                let newKey = table.key.map { row[$0] }
                if let old = change.key, old != newKey { note(change.table, old, nil) }
                note(change.table, newKey, row)
            default:
                note(change.table, change.key ?? [], nil)
            }
        }
        var deleted: [String: [[Value]]] = [:]
        var final: [String: [[Value]]] = [:]
        for (table, keys) in order {
            for key in keys {
                if let row = effect[table]?[key] ?? nil { final[table, default: []].append(row) } else { deleted[table, default: []].append(key) }
            }
        }
        return (deleted, final)
    }

    private func push() throws {
        defer {
            inTransaction = false
            client.session.unlock()
        }
        var statements: [(String, [DatabaseValue])] = []
        if !pending.isEmpty {
            let (deleted, final) = netEffect()
            var binds: [DatabaseValue] = []
            var parts: [String] = []
            for name in order where deleted[name] != nil {
                let table = tables[name]!
                binds.append(Self.json(deleted[name]!, columns: table.key.map { table.columns[$0] }).databaseValue)
                let keyColumns = table.key.map { "\(Self.quoted(table.columns[$0])) \(Self.postgresType(table.types[$0]))" }
                let match = table.key.map { "t.\(Self.quoted(table.columns[$0])) = k.\(Self.quoted(table.columns[$0]))" }
                parts.append(
                    "d\(parts.count) AS (DELETE FROM \(Self.quoted(name)) t USING json_to_recordset($\(binds.count)::json) AS k(\(keyColumns.joined(separator: ", "))) WHERE \(match.joined(separator: " AND ")))")
            }
            if !parts.isEmpty {
                statements.append(("WITH \(parts.joined(separator: ", ")) SELECT 1", binds))
            }
            binds = []
            parts = []
            for name in order where final[name] != nil {
                let table = tables[name]!
                binds.append(Self.json(final[name]!, columns: table.columns).databaseValue)
                let columns = table.columns.map(Self.quoted).joined(separator: ", ")
                let keys = table.key.map { Self.quoted(table.columns[$0]) }.joined(separator: ", ")
                let set = table.columns.indices.filter { !table.key.contains($0) }
                    .map { "\(Self.quoted(table.columns[$0])) = EXCLUDED.\(Self.quoted(table.columns[$0]))" }
                let conflict = set.isEmpty ? "DO NOTHING" : "DO UPDATE SET \(set.joined(separator: ", "))"
                parts.append(
                    "u\(parts.count) AS (INSERT INTO \(Self.quoted(name)) (\(columns)) SELECT \(columns) FROM json_populate_recordset(NULL::\(Self.quoted(name)), $\(binds.count)::json) ON CONFLICT (\(keys)) \(conflict))")
            }
            let encoded = String(decoding: try JSONEncoder().encode(pending), as: UTF8.self)
            binds.append(encoded.databaseValue)
            statements.append((
                "\(parts.isEmpty ? "" : "WITH \(parts.joined(separator: ", ")) ")INSERT INTO flashplan_change (changes) VALUES ($\(binds.count)) RETURNING seq",
                binds))
            if !pruned {
                // Once per runner (an apply is one): the change log keeps a day, far longer
                // than any runner's copy lives; `begin` refuses a copy older than that.
                statements.append((
                    """
                    WITH gone AS (DELETE FROM flashplan_change WHERE at < now() - interval '1 day' RETURNING seq)
                    UPDATE flashplan_replication SET pruned_through = greatest(pruned_through, coalesce((SELECT max(seq) FROM gone), 0))
                    """, []))
            }
        }
        statements.append(("COMMIT", []))
        do {
            let results = try client.pipeline(Array(statements.dropLast()))
            if let inserted = results.first(where: { $0.metadata.command == "INSERT" && !$0.rows.isEmpty }) {
                caughtUp = try inserted.rows.first?.decode(Int64.self) ?? caughtUp
                pruned = true
            }
        } catch {
            _ = try? client.pipeline([("ROLLBACK", [])])
            caughtUp = caughtUpBefore
            pending = []
            throw error
        }
        do {
            try client.pipeline([("COMMIT", [])])
        } catch {
            // The answer to COMMIT never came: it may or may not have committed, so this
            // copy can no longer be trusted. Nothing more is done by this session.
            client.markBroken(error)
            caughtUp = caughtUpBefore
            throw error
        }
        pending = []
    }

    /// Rows (or keys) as a JSON array of objects named by `columns`, exact: integers as
    /// written, doubles in Swift's shortest form that reads back to the same bits
    /// (PostgreSQL's float8 input rounds correctly), text escaped.
    static func json(_ rows: [[Value]], columns: [String]) -> String {
        let names = columns.map { jsonString($0) + ":" }
        var out = "["
        for (index, row) in rows.enumerated() {
            if index > 0 { out += "," }
            out += "{"
            for (column, value) in row.enumerated() {
                if column > 0 { out += "," }
                out += names[column]
                switch value {
                case .null: out += "null"
                case .int(let int): out += String(int)
                case .double(let double): out += "\(double)"
                case .text(let text): out += jsonString(text)
                }
            }
            out += "}"
        }
        return out + "]"
    }

    static func jsonString(_ text: String) -> String {
        var out = ""
        StateInspector.appendQuoted(text, to: &out)
        return out
    }


    private func abort() {
        guard inTransaction else { return }
        _ = try? client.pipeline([("ROLLBACK", [])])
        caughtUp = caughtUpBefore
        pending = []
        inTransaction = false
        client.session.unlock()
    }

    // MARK: - Loading

    /// Loads every table into `db` (a migrated, empty copy) from one snapshot of the
    /// database, and notes the change log position it corresponds to.
    ///
    /// Rows arrive in PostgreSQL's binary format and go straight into SQLite's C API
    /// (big-endian integers and IEEE doubles read off the wire, text bound as bytes):
    /// PostgresNIO's generic decoding and GRDB's argument arrays cost more than the
    /// network per row, and a state has a million snapshot rows.
    func load(into db: Database) throws {
        try client.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") {
            caughtUp = try client.query("SELECT coalesce(max(seq), 0)::bigint FROM flashplan_change").first?.decode(Int64.self) ?? 0
            for name in order {
                let table = tables[name]!
                try db.execute(sql: "DELETE FROM \(Self.quoted(name))")
                let columns = table.columns.map(Self.quoted).joined(separator: ", ")
                let insert = try db.makeStatement(
                    sql: "INSERT INTO \(Self.quoted(name)) (\(columns)) VALUES (\(Array(repeating: "?", count: table.columns.count).joined(separator: ", ")))")
                let kinds = table.types.map(Self.postgresType)
                let casts = table.columns.indices.map { "\(Self.quoted(table.columns[$0]))::\(kinds[$0])" }.joined(separator: ", ")
                // In primary-key order, so that SQLite appends to its B-tree rather than inserting
                // all over it (PostgreSQL reads its primary-key index to give that order).
                let order = table.key.map { Self.quoted(table.columns[$0]) }.joined(separator: ", ")
                try client.execute(
                    "DECLARE flashplan_load NO SCROLL CURSOR FOR SELECT \(casts) FROM \(Self.quoted(name))\(order.isEmpty ? "" : " ORDER BY \(order)")")
                let sqlite = insert.sqliteStatement
                let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
                while true {
                    let rows = try client.query("FETCH 50000 FROM flashplan_load")
                    if rows.isEmpty { break }
                    for row in rows {
                        var index: Int32 = 1
                        for cell in row {
                            if let bytes = cell.bytes {
                                switch kinds[Int(index) - 1] {
                                case "bigint":
                                    sqlite3_bind_int64(sqlite, index, bytes.getInteger(at: bytes.readerIndex, as: Int64.self) ?? 0)
                                case "double precision":
                                    let bits = bytes.getInteger(at: bytes.readerIndex, as: UInt64.self) ?? 0
                                    sqlite3_bind_double(sqlite, index, Double(bitPattern: bits))
                                default:
                                    bytes.withUnsafeReadableBytes { raw in
                                        _ = sqlite3_bind_text(
                                            sqlite, index, raw.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(raw.count), transient)
                                    }
                                }
                            } else {
                                sqlite3_bind_null(sqlite, index)
                            }
                            index += 1
                        }
                        let code = sqlite3_step(sqlite)
                        sqlite3_reset(sqlite)
                        guard code == SQLITE_DONE else {
                            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
                        }
                    }
                }
                try client.execute("CLOSE flashplan_load")
            }
        }
    }
}
