import Foundation

/// Where a PostgreSQL state lives: `--state postgresql://…` (or `FLASHPLAN_STATE`).
///
/// ```text
/// postgresql://[USER[:PASSWORD]@][HOST][:PORT][/DATABASE][?PARAMETER=VALUE&…]
/// ```
///
/// Parameters: `host=/run/postgresql` (a socket directory, as libpq takes it),
/// `schema=NAME` (the namespace the state's tables live in, default `flashplan`; one
/// database can hold several states), `sslmode=disable|prefer|require` (default
/// `disable` on a socket, `prefer` over TCP), `lease_ttl=SECONDS` (how long a runner
/// that stopped answering keeps the right to act, default 60). A password not in the
/// URL is taken from `PGPASSWORD`. The password is never printed: `description` masks it.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Hashable { case disable, prefer, require }

    public var user: String
    public var password: String?
    /// A host name or address, or nil for a socket.
    public var host: String?
    public var port: Int
    /// The socket directory (libpq's `host=/dir`); the socket is `.s.PGSQL.<port>` in it.
    public var socketDirectory: String?
    public var database: String
    /// The PostgreSQL schema holding this state's tables: the namespace of its leases.
    public var schema: String
    public var tls: TLSMode
    /// Seconds a lease lasts without being renewed.
    public var leaseTTL: Double

    /// Whether `text` names a PostgreSQL state rather than a file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// Parses a `postgresql://` URL.
    ///
    /// - Throws: `StateFileError` (problem `.unusable`) saying what is wrong and how to write it.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func bad(_ what: String) -> StateFileError {
            StateFileError(
                path: PostgresLocation.mask(text), problem: .unusable, what: what,
                remedy: "Write it as postgresql://USER@HOST:PORT/DATABASE?schema=NAME (or ?host=/run/postgresql for a local socket); see docs/multi-site.md.")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme,
              scheme == "postgresql" || scheme == "postgres"
        else { throw bad("is not a valid postgresql:// URL") }
        let items = components.queryItems ?? []
        if let repeated = Dictionary(grouping: items, by: \.name).first(where: { $0.value.count > 1 })?.key {
            throw bad("names \(repeated.debugDescription) more than once; give each parameter once")
        }
        let query = Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let known: Set = ["host", "port", "schema", "sslmode", "lease_ttl", "user", "password", "dbname"]
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw bad("has an unknown parameter \(unknown.debugDescription) (known: \(known.sorted().joined(separator: ", ")))")
        }
        user = components.user ?? query["user"] ?? environment["PGUSER"] ?? environment["USER"] ?? "postgres"
        password = components.password ?? query["password"] ?? environment["PGPASSWORD"]
        let hostParameter = query["host"]
        let urlHost = components.host.flatMap { $0.isEmpty ? nil : $0 }
        if let hostParameter, hostParameter.hasPrefix("/") {
            socketDirectory = hostParameter
            host = nil
        } else if let name = urlHost ?? hostParameter, !name.isEmpty {
            host = name
            socketDirectory = nil
        } else {
            socketDirectory = environment["PGHOST"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/var/run/postgresql"
            host = nil
        }
        if let portText = query["port"] ?? components.port.map(String.init) {
            guard let value = Int(portText), (1...65535).contains(value) else { throw bad("has an invalid port \(portText.debugDescription)") }
            port = value
        } else {
            port = 5432
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = query["dbname"] ?? (path.isEmpty ? user : path)
        schema = query["schema"] ?? "flashplan"
        // The schema is spliced into SQL as a quoted identifier; keep it to what needs no escaping.
        guard schema.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
            throw bad("has schema \(schema.debugDescription): use lower-case letters, digits and _ (at most 63, not starting with a digit)")
        }
        switch query["sslmode"] {
        case nil: tls = host == nil ? .disable : .prefer
        case let mode?:
            guard let value = TLSMode(rawValue: mode) else {
                throw bad("has sslmode \(mode.debugDescription) (disable, prefer or require)")
            }
            tls = value
        }
        if let ttl = query["lease_ttl"] {
            guard let value = Double(ttl), value >= 1, value <= 86400 else {
                throw bad("has lease_ttl \(ttl.debugDescription): a number of seconds from 1 to 86400")
            }
            leaseTTL = value
        } else {
            leaseTTL = 60
        }
    }

    /// The URL with its password masked, for messages and `state show`.
    public var description: String {
        var text = "postgresql://\(user)\(password == nil ? "" : ":***")@\(host ?? ""):\(port)/\(database)?schema=\(schema)"
        if let socketDirectory { text += "&host=\(socketDirectory)" }
        return text
    }

    /// `text` with any password replaced by `***`.
    static func mask(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "(an invalid postgresql:// URL)" }
        if components.password != nil { components.password = "***" }
        if let items = components.queryItems {
            components.queryItems = items.map { $0.name == "password" ? URLQueryItem(name: "password", value: "***") : $0 }
        }
        return components.string ?? "(an invalid postgresql:// URL)"
    }
}
