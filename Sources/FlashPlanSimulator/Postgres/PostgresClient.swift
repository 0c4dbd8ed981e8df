import Foundation
import GRDB
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// One PostgreSQL session, used synchronously.
///
/// The simulator is synchronous (GRDB runs every transaction in a closure on its own
/// queue), so each call sends its query on PostgresNIO's event loop and blocks the calling
/// thread until the answer arrives. That thread is never an event loop thread: the event
/// loops are NIO's own (`MultiThreadedEventLoopGroup.singleton`), not the Swift
/// concurrency pool, so waiting cannot starve them. One session at a time: a mutex keeps
/// the lease heartbeat from interleaving with a transaction.
final class PostgresClient: @unchecked Sendable {
    let location: PostgresLocation
    private let connection: PostgresConnection
    private let logger: Logger
    /// Serialises the whole of a transaction (or a single statement) on the session.
    let session = NSRecursiveLock()
    /// The server process serving this session (`pg_backend_pid()`), as recorded in leases.
    private(set) var backendPID: Int = 0
    private var broken: (any Error)?

    init(_ location: PostgresLocation) throws {
        self.location = location
        var logger = Logger(label: "flashplan.postgres")
        logger.logLevel = .critical
        self.logger = logger
        var configuration: PostgresConnection.Configuration
        if let host = location.host {
            let tls: PostgresConnection.Configuration.TLS
            do {
                switch location.tls {
                case .disable: tls = .disable
                case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
                case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
                }
            } catch {
                throw StateFileError(
                    path: location.description, problem: .unusable, what: "cannot set up TLS (\(error))",
                    remedy: "Check the system's CA certificates, or use sslmode=disable on a trusted network.")
            }
            configuration = .init(
                host: host, port: location.port, username: location.user, password: location.password,
                database: location.database, tls: tls)
        } else {
            let socket = (location.socketDirectory ?? "/var/run/postgresql") + "/.s.PGSQL.\(location.port)"
            configuration = .init(
                unixSocketPath: socket, username: location.user, password: location.password, database: location.database)
        }
        configuration.options.connectTimeout = .seconds(10)
        do {
            connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: logger
            ).wait()
        } catch {
            throw StateFileError(
                path: location.description, problem: .unreachable,
                what: "cannot be reached: \(Self.explain(error))",
                remedy: "Check that the server is running and that the URL's host, port, user, database (and PGPASSWORD) are right.")
        }
        backendPID = try query("SELECT pg_backend_pid()::bigint").first.map { try $0.decode(Int.self) } ?? 0
    }

    deinit { try? connection.close().wait() }

    /// Runs `sql` with `binds` and returns every row.
    func query(_ sql: String, _ binds: [DatabaseValue] = []) throws -> [PostgresRow] {
        session.lock()
        defer { session.unlock() }
        if let broken { throw broken }
        let bindings = Self.bindings(binds)
        do {
            try checkOpen()
            return try bounded(connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)).rows
        } catch {
            throw explain(error)
        }
    }

    /// Runs `body` in one transaction on this session (begun with `begin`), committed when
    /// it returns and rolled back when it throws.
    func transaction<T>(_ begin: String = "BEGIN", _ body: () throws -> T) throws -> T {
        session.lock()
        defer { session.unlock() }
        try execute(begin)
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            _ = try? query("ROLLBACK")
            throw error
        }
    }

    /// Whether `schema` holds a flashplan state (its `flashplan_migrations` table).
    func holdsState(_ schema: String) throws -> Bool {
        try query("SELECT to_regclass($1)::text", ["\(PostgresReplica.quoted(schema)).flashplan_migrations".databaseValue])
            .first.flatMap { try $0.decode(String?.self) } != nil
    }

    /// SQLite values as PostgreSQL parameters.
    static func bindings(_ binds: [DatabaseValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value.storage {
            case .null: bindings.appendNull()
            case .int64(let int): bindings.append(int)
            case .double(let double): bindings.append(double)
            case .string(let string): bindings.append(string)
            case .blob(let data): bindings.append(ByteBuffer(bytes: data))
            }
        }
        return bindings
    }

    /// Runs `sql`, ignoring rows.
    func execute(_ sql: String, _ binds: [DatabaseValue] = []) throws {
        _ = try query(sql, binds)
    }

    /// Sends all of `statements` without waiting for each answer (PostgresNIO pipelines
    /// them on the connection), then waits for them all: one round trip instead of one per
    /// statement. The first failure is thrown; otherwise every statement's result.
    @discardableResult
    func pipeline(_ statements: [(String, [DatabaseValue])]) throws -> [PostgresQueryResult] {
        session.lock()
        defer { session.unlock() }
        if let broken { throw broken }
        do { try checkOpen() } catch { throw cutOff(error) }
        var futures: [EventLoopFuture<PostgresQueryResult>] = []
        futures.reserveCapacity(statements.count)
        for (sql, binds) in statements {
            let bindings = Self.bindings(binds)
            futures.append(connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger))
        }
        var first: (any Error)?
        var results: [PostgresQueryResult] = []
        results.reserveCapacity(futures.count)
        for future in futures {
            do { results.append(try bounded(future)) } catch { if first == nil { first = error } }
        }
        if let first { throw explain(first) }
        return results
    }

    /// How long one statement may take before the session is given up: far longer than
    /// any statement of flashplan's takes (waiting for another runner's action to commit
    /// included), and no shorter than the lease, after which this runner may not act anyway.
    var deadline: TimeInterval { max(60, location.leaseTTL) }

    /// A closed session is not asked anything: PostgresNIO drops a query written to a
    /// closed channel without ever failing it, and a runner would wait for it forever.
    private func checkOpen() throws {
        if connection.isClosed { throw ClosedError(reason: "the server closed this runner's session (the server restarted, or the session was ended — as another runner does to take over a lease its holder stopped renewing)") }
    }

    struct ClosedError: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// The value of `future`, waiting at most `deadline`; past it the session is closed
    /// and the wait fails (a server or network that stopped answering).
    private func bounded<T: Sendable>(_ future: EventLoopFuture<T>) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        future.whenComplete { result in
            box.set(result)
            done.signal()
        }
        if done.wait(timeout: .now() + deadline) == .timedOut {
            let closing: EventLoopFuture<Void> = connection.close()
            _ = closing
            throw ClosedError(reason: "the server did not answer within \(Int(deadline)) s")
        }
        return try box.get()
    }

    private final class ResultBox<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var result: Result<T, any Error>?
        func set(_ value: Result<T, any Error>) { lock.lock(); result = value; lock.unlock() }
        func get() throws -> T {
            lock.lock()
            defer { lock.unlock() }
            return try result!.get()
        }
    }

    /// A failed statement as the runner reports it: the session cut off (then nothing more
    /// is asked of it), or a statement the server refused.
    private func explain(_ error: any Error) -> StateFileError {
        let closed = connection.isClosed || error is ClosedError
            || (error as? PSQLError).map { [.serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .connectionError].contains($0.code) } == true
        if closed { return cutOff(error) }
        return StateFileError(
            path: location.description, problem: .database, what: "refused a statement: \(Self.explain(error))",
            remedy: "Check the server's log and the role's privileges (docs/multi-site.md).")
    }

    private func cutOff(_ error: any Error) -> StateFileError {
        let explained = StateFileError(
            path: location.description, problem: .unreachable, what: "was cut off: \(Self.explain(error))",
            remedy: "Nothing more was changed by this run; what committed is in the state. Run again once the server answers.")
        broken = broken ?? explained
        return explained
    }

    /// Marks the session unusable (after a commit whose outcome is unknown).
    func markBroken(_ error: any Error) {
        session.lock()
        broken = broken ?? error
        session.unlock()
    }

    /// PostgreSQL's own words for an error (PostgresNIO's description hides them).
    static func explain(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return message + state
            }
            // PostgresNIO's own description of an error is a placeholder; its code and
            // what lies beneath say what happened.
            switch error.code {
            case .serverClosedConnection:
                return "the server closed this runner's session (the server restarted, or the session was ended — as another runner does to take over a lease its holder stopped renewing)"
                    + (error.underlying.map { " (\(explain($0)))" } ?? "")
            case .clientClosedConnection: return "the connection was closed"
            case .uncleanShutdown: return "the connection ended uncleanly"
            default:
                if let underlying = error.underlying { return explain(underlying) }
                return "\(error.code)"
            }
        }
        if let error = error as? StateFileError { return error.what }
        return "\(error)"
    }

    /// The SQLSTATE of a server error, if it is one.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}
