import Foundation
import GRDB
import FlashPlanModel
import PostgresNIO

/// The right to act on a PostgreSQL state, for one scope: the whole state (`*`) or one
/// site (`site=NAME`).
///
/// Two things hold it, as DESIGN §9 asks:
/// - a **session advisory lock** keyed by (namespace, scope) — the namespace is the
///   database and schema, so two states in one database never share a key (Terraform's
///   PostgreSQL backend keys its locks by a number shared across schemas). A site's
///   lease also takes the whole state's key in shared mode, so one whole-state runner
///   excludes every site runner and site runners exclude only each other's site. The
///   server drops the lock the moment the holder's session ends (`kill -9` closes its
///   socket);
/// - a **lease row** in `flashplan_lease` with an expiry and a **fencing token**, raised
///   at every acquisition. The holder renews it (`renew`, and before every write); a
///   runner that stopped renewing — paused, cut off — has an expired row, and the next
///   runner ends its session (`pg_terminate_backend`) and takes over with a new token:
///   no manual unlock, ever. Every write transaction checks the token, this session and
///   the expiry in the same transaction as its effect (`fenceStatement`), so a runner that
///   lost its lease can never act, even when it wakes up on a session still open.
public final class PostgresLease: @unchecked Sendable {
    /// Who holds (or last held) a scope.
    public struct Holder: Sendable, CustomStringConvertible {
        public var scope: String
        public var holder: String
        public var token: Int64
        public var acquired: Date
        public var expires: Date
        public var expired: Bool

        public var description: String {
            "\(holder), lease \(scope) since \(acquired.iso8601Text), token \(token), "
                + (expired ? "expired at \(expires.iso8601Text)" : "renewed until \(expires.iso8601Text)")
        }
    }

    /// The lease could not be taken before the timeout.
    public struct HeldError: Error, Sendable, CustomStringConvertible {
        public var location: String
        public var holders: [Holder]
        public var waited: TimeInterval

        public var description: String {
            let who = holders.isEmpty ? "holder unknown" : holders.map(\.description).joined(separator: "; ")
            return "the state is leased by another flashplan (\(who)); gave up after \(Int(waited))s — try again later, or raise --lock-timeout (an expired lease is taken over without any unlock)"
        }
    }

    let store: StateStore
    /// The scopes held, in the order taken, with their tokens.
    public private(set) var held: [(scope: String, token: Int64)] = []
    private let heartbeatState = HeartbeatState()
    /// This role was refused `pg_terminate_backend` (SQLSTATE 42501) once.
    private var cannotEndSessions = false

    final class HeartbeatState: @unchecked Sendable {
        let condition = NSCondition()
        var stopped = false
        func lock() { condition.lock() }
        func unlock() { condition.unlock() }
        func broadcast() { condition.broadcast() }
        func wait(until date: Date) -> Bool { condition.wait(until: date) }
    }

    private init(store: StateStore) { self.store = store }

    deinit { release() }

    /// The scope of the whole state.
    public static let wholeState = "*"

    /// The scope of one site.
    public static func site(_ name: String) -> String { "site=\(name)" }

    /// Takes `scopes` (each `*` or `site=NAME`) in sorted order, waiting up to `timeout`
    /// seconds; `onWait` is told once who holds what is in the way. Every write of `store`
    /// is fenced by them from then on.
    public static func acquire(
        store: StateStore, scopes: [String], holder: String, timeout: TimeInterval, onWait: ([Holder]) -> Void = { _ in }
    ) throws -> PostgresLease {
        guard let replica = store.replica, replica.writable else {
            preconditionFailure("a lease is taken on a PostgreSQL state opened for writing")
        }
        let lease = PostgresLease(store: store)
        let start = Date()
        var told = false
        while true {
            if try lease.tryAcquire(Array(Set(scopes)).sorted(), holder: holder) {
                replica.fence = lease.held
                lease.startHeartbeat()
                return lease
            }
            let holders = try lease.holders(of: scopes)
            // Whoever is in the way and stopped renewing loses its session, and with it
            // the advisory lock; the next attempt takes over.
            var tookOver = false
            for stale in holders where stale.expired {
                tookOver = try lease.endSession(of: stale) || tookOver
            }
            if tookOver { continue }
            if !told {
                onWait(holders)
                told = true
            }
            let waited = Date().timeIntervalSince(start)
            if waited >= timeout {
                throw HeldError(location: store.path ?? "", holders: holders, waited: waited)
            }
            Thread.sleep(forTimeInterval: min(0.2, max(0.01, timeout - waited)))
        }
    }

    private var client: PostgresClient { store.replica!.client }

    private static let namespaceKey = "hashtext('flashplan:' || current_database() || ':' || current_schema())"

    private func tryAcquire(_ scopes: [String], holder: String) throws -> Bool {
        var taken: [(String, Bool)] = []
        func undo() throws {
            for (key, shared) in taken.reversed() {
                try client.execute(
                    "SELECT pg_advisory_unlock\(shared ? "_shared" : "")(\(Self.namespaceKey), hashtext($1))", [key.databaseValue])
            }
        }
        for scope in scopes {
            var keys: [(String, Bool)] = []
            if scope != Self.wholeState { keys.append((Self.wholeState, true)) }
            keys.append((scope, false))
            for (key, shared) in keys {
                let got = try client.query(
                    "SELECT pg_try_advisory_lock\(shared ? "_shared" : "")(\(Self.namespaceKey), hashtext($1))", [key.databaseValue]
                ).first?.decode(Bool.self) ?? false
                guard got else {
                    try undo()
                    return false
                }
                taken.append((key, shared))
            }
        }
        var tokens: [(String, Int64)] = []
        for scope in scopes {
            let token = try client.query(
                """
                INSERT INTO flashplan_lease AS l (scope, token, backend_pid, holder, acquired, expires)
                VALUES ($1, 1, pg_backend_pid(), $2, now(), now() + make_interval(secs => $3))
                ON CONFLICT (scope) DO UPDATE SET token = l.token + 1, backend_pid = pg_backend_pid(),
                    holder = excluded.holder, acquired = now(), expires = excluded.expires
                RETURNING token
                """,
                [scope.databaseValue, holder.databaseValue, client.location.leaseTTL.databaseValue]
            ).first?.decode(Int64.self) ?? 0
            tokens.append((scope, token))
        }
        held = tokens.map { (scope: $0.0, token: $0.1) }
        return true
    }

    /// The lease rows whose sessions hold an advisory lock in the way of `scopes`.
    func holders(of scopes: [String]) throws -> [Holder] {
        let wanted = Set(scopes)
        let whole = wanted.contains(Self.wholeState)
        let rows = try client.query(
            """
            SELECT scope, holder, token, extract(epoch FROM acquired)::double precision,
                   extract(epoch FROM expires)::double precision, expires < now()
            FROM flashplan_lease l
            WHERE backend_pid IS NOT NULL AND EXISTS (
                SELECT 1 FROM pg_locks k WHERE k.locktype = 'advisory' AND k.granted AND k.pid = l.backend_pid
                  AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database()))
            ORDER BY scope
            """)
        return try rows.compactMap { row in
            let (scope, holder, token, acquired, expires, expired) = try row.decode((String, String, Int64, Double, Double, Bool).self)
            // In the way: the whole state's holder for anyone; any site's holder for the
            // whole state; the same site's holder for a site.
            guard scope == Self.wholeState || whole || wanted.contains(scope) else { return nil }
            return Holder(
                scope: scope, holder: holder, token: token, acquired: Date(timeIntervalSince1970: acquired),
                expires: Date(timeIntervalSince1970: expires), expired: expired)
        }
    }

    /// Ends the session of an expired holder; true when it was ended (it still held the
    /// lease row's token, so that a newer holder is never touched).
    private func endSession(of stale: Holder) throws -> Bool {
        // A role that may not end another role's session (no pg_signal_backend) cannot take
        // over: it goes on waiting, up to --lock-timeout, for the stale session to end.
        if cannotEndSessions { return false }
        let rows: [PostgresRow]
        do {
            rows = try client.query(
            """
            SELECT pg_terminate_backend(backend_pid) FROM flashplan_lease
            WHERE scope = $1 AND token = $2 AND expires < now() AND backend_pid IS NOT NULL AND backend_pid <> pg_backend_pid()
            """,
            [stale.scope.databaseValue, stale.token.databaseValue])
        } catch let error as StateFileError where error.problem == .database && error.what.contains("42501") {
            cannotEndSessions = true
            return false
        }
        guard let ended = try rows.first?.decode(Bool.self), ended else { return false }
        // The server drops its locks as the session ends; give it the moment it takes.
        for _ in 0..<50 {
            let gone = try client.query(
                "SELECT NOT EXISTS (SELECT 1 FROM flashplan_lease l JOIN pg_stat_activity a ON a.pid = l.backend_pid WHERE l.scope = $1 AND l.token = $2)",
                [stale.scope.databaseValue, stale.token.databaseValue]
            ).first?.decode(Bool.self) ?? true
            if gone { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return true
    }

    /// Extends the lease; false when it was lost (expired, or taken over).
    @discardableResult
    public func renew() throws -> Bool {
        guard !held.isEmpty else { return false }
        let (sql, binds) = Self.fenceStatement(held, ttl: client.location.leaseTTL)
        return try client.pipeline([(sql, binds)]).first?.metadata.rows == held.count
    }

    private func startHeartbeat() {
        let interval = client.location.leaseTTL / 3
        let beat = heartbeatState
        let thread = Thread { [weak self] in
            while true {
                beat.lock()
                if !beat.stopped { _ = beat.wait(until: Date().addingTimeInterval(interval)) }
                let stop = beat.stopped
                beat.unlock()
                // Strong only for the renewal itself, so that dropping the lease ends it.
                guard !stop, let lease = self else { return }
                // A lost lease is found by the next write too; the heartbeat only keeps a
                // live runner's lease from expiring while it plans or waits at a prompt.
                if (try? lease.renew()) != true { return }
            }
        }
        thread.name = "flashplan-lease"
        thread.start()
    }

    /// Gives the lease up: the row expires now and the advisory locks are released.
    public func release() {
        heartbeatState.lock()
        heartbeatState.stopped = true
        heartbeatState.broadcast()
        heartbeatState.unlock()
        guard !held.isEmpty else { return }
        let held = self.held
        self.held = []
        store.replica?.fence = []
        for (scope, token) in held {
            _ = try? client.query(
                "UPDATE flashplan_lease SET expires = now(), backend_pid = NULL WHERE scope = $1 AND token = $2 AND backend_pid = pg_backend_pid()",
                [scope.databaseValue, token.databaseValue])
        }
        _ = try? client.query("SELECT pg_advisory_unlock_all()")
    }

    /// The statement that renews `fence` and, by the number of rows it touches, checks it:
    /// every lease still this session's, with its token, not expired.
    static func fenceStatement(
        _ fence: [(scope: String, token: Int64)], ttl: Double, firstParameter: Int = 1
    ) -> (String, [DatabaseValue]) {
        let offset = firstParameter - 1
        var binds: [DatabaseValue] = [ttl.databaseValue]
        var terms: [String] = []
        for (scope, token) in fence {
            binds.append(scope.databaseValue)
            binds.append(token.databaseValue)
            terms.append("(scope = $\(offset + binds.count - 1) AND token = $\(offset + binds.count))")
        }
        return (
            """
            UPDATE flashplan_lease SET expires = now() + make_interval(secs => $\(offset + 1))
            WHERE backend_pid = pg_backend_pid() AND expires > now() AND (\(terms.joined(separator: " OR ")))
            """, binds
        )
    }

    /// The error of a write refused by its fencing token.
    static func lost(_ location: PostgresLocation, fence: [(scope: String, token: Int64)]) -> StateFileError {
        StateFileError(
            path: location.description, problem: .leaseLost,
            what: "is no longer leased to this runner (lease \(fence.map { "\($0.scope) token \($0.token)" }.joined(separator: ", ")) expired or was taken over by another runner)",
            remedy: "Nothing more was changed by this run; the runner that holds the lease now carries on. Check why this one stopped renewing it (paused, cut off from the database).")
    }
}

extension Date {
    var iso8601Text: String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: self)
    }
}

extension PostgresLease: StateLeaseHandle {
    public var scopes: [String] { held.map(\.scope) }

    /// Adds `scope` to the leases held, without waiting; the holders in the way when it
    /// cannot be taken now. An expired holder is taken over as in `acquire`.
    func tryAdd(_ scope: String, holder: String) throws -> [Holder]? {
        if held.contains(where: { $0.scope == scope }) { return nil }
        for _ in 0..<2 {
            let before = held
            if try tryAcquire([scope], holder: holder) {
                held = before + held
                store.replica?.fence = held
                return nil
            }
            held = before
            let holders = try self.holders(of: [scope])
            var tookOver = false
            for stale in holders where stale.expired {
                tookOver = try endSession(of: stale) || tookOver
            }
            if !tookOver { return holders }
        }
        return try holders(of: [scope])
    }
}

extension StateStore: StateLeasing {
    public func lease(scopes: [String], holder: String, timeout: TimeInterval, onWait: (String) -> Void) throws -> any StateLeaseHandle {
        do {
            return try PostgresLease.acquire(store: self, scopes: scopes, holder: holder, timeout: timeout) { holders in
                onWait(holders.isEmpty ? "another runner" : holders.map(\.description).joined(separator: "; "))
            }
        } catch let error as PostgresLease.HeldError {
            throw StateLeaseHeld(description: error.description)
        }
    }

    public func tryLease(scope: String, holder: String, into handle: any StateLeaseHandle) throws -> String? {
        guard let lease = handle as? PostgresLease else { return "another kind of lock" }
        return try lease.tryAdd(scope, holder: holder).map { holders in
            holders.isEmpty ? "another runner" : holders.map(\.description).joined(separator: "; ")
        }
    }
}
