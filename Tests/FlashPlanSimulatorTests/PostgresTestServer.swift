import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The PostgreSQL server the PostgreSQL cases of this target run against.
///
/// `FLASHPLAN_TEST_POSTGRES` when set (CI starts one with `.ci/postgres.sh`); otherwise,
/// when Debian's binaries are installed (`/usr/lib/postgresql/*/bin/initdb`), one scratch
/// server for the whole test process, started on first use and stopped when the process
/// exits. Without either the PostgreSQL cases are cancelled (shown as skipped), unless
/// `FLASHPLAN_REQUIRE_POSTGRES=1`: then they fail, so that a CI job meant to cover
/// PostgreSQL can never pass without it. Every test gets a schema of its own
/// (`freshState()`), so tests running in parallel never see each other's state.
enum PostgresTestServer {
    /// Why there is no server.
    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    /// psql refused a statement (or could not connect).
    struct PsqlFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// A schema of its own on the server, for one test.
    struct State: Sendable {
        /// The server's URL without `schema=` (what `psql` understands).
        let server: String
        /// The schema's name (`t_…`).
        let schema: String
        /// The `--state` URL: the server's with `schema=`.
        var url: String { server + (server.contains("?") ? "&" : "?") + "schema=" + schema }

        /// Runs `sql` with `search_path` set to this schema, in one transaction; returns
        /// psql's unaligned output (`|` between columns, a line per row).
        @discardableResult
        func psql(_ sql: String) throws -> String {
            try PostgresTestServer.psql(server, "SET search_path TO \(schema); " + sql)
        }

        /// The names of the tables the schema holds, sorted.
        func tables() throws -> [String] {
            try PostgresTestServer.psql(
                server, "SELECT table_name FROM information_schema.tables WHERE table_schema = '\(schema)' ORDER BY 1"
            ).split(separator: "\n").map(String.init)
        }

        /// Drops the schema (best effort: a test's leftovers must not fail another test).
        func drop() {
            _ = try? PostgresTestServer.psql(server, "DROP SCHEMA IF EXISTS \(schema) CASCADE")
        }
    }

    /// The server's URL, or why there is none: decided (and a scratch server started) once.
    static let server: Result<String, Unavailable> = locate()

    /// A fresh schema on the server. Without a server the current test (case) is
    /// cancelled, or fails when `FLASHPLAN_REQUIRE_POSTGRES=1`.
    static func freshState(sourceLocation: SourceLocation = #_sourceLocation) throws -> State {
        switch server {
        case .success(let url):
            let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789")
            let suffix = String((0..<12).map { _ in letters.randomElement()! })
            return State(server: url, schema: "t_" + suffix)
        case .failure(let reason):
            if ProcessInfo.processInfo.environment["FLASHPLAN_REQUIRE_POSTGRES"] == "1" {
                throw Unavailable(description: "FLASHPLAN_REQUIRE_POSTGRES=1 but there is no PostgreSQL server: \(reason)")
            }
            try Test.cancel("no PostgreSQL server: \(reason)", sourceLocation: sourceLocation)
        }
    }

    private static func locate() -> Result<String, Unavailable> {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["FLASHPLAN_TEST_POSTGRES"], !url.isEmpty { return .success(url) }
        guard let bin = binDirectory(), FileManager.default.isExecutableFile(atPath: bin + "/initdb") else {
            return .failure(Unavailable(description: "FLASHPLAN_TEST_POSTGRES is not set and no /usr/lib/postgresql/*/bin/initdb is installed"))
        }
        do {
            return .success(try startScratchServer())
        } catch {
            return .failure(Unavailable(description: "the scratch server in \(bin) did not start: \(error)"))
        }
    }

    /// The newest `/usr/lib/postgresql/*/bin`.
    static func binDirectory() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.sorted { $0.compare($1, options: .numeric) == .orderedAscending }.last.map { "\(root)/\($0)/bin" }
    }

    /// The directory of the scratch server this process started, for the `atexit` hook.
    private static let scratch = ScratchDirectory()

    private final class ScratchDirectory: @unchecked Sendable {
        private let lock = NSLock()
        private var path: String?
        var value: String? {
            get { lock.withLock { path } }
            set { lock.withLock { path = newValue } }
        }
    }

    /// `.ci/postgres.sh` of this checkout.
    private static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".ci/postgres.sh").path
    }

    /// `text` as one single-quoted shell word.
    private static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `.ci/postgres.sh start` in a fresh directory, on a port nothing listens on (the
    /// default 55432 may be CI's own server).
    ///
    /// Run with `system(3)`, not `Process`: this runs inside the initialiser of a `static
    /// let`, and `Process.waitUntilExit` there never saw the script end (the child stayed
    /// a zombie while every test case waited on the initialiser). Its output goes to files:
    /// the server it starts inherits the descriptors and keeps running.
    private static func startScratchServer() throws -> String {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("flashplan-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let port = try freePort()
        let status = system(
            "FLASHPLAN_PG_PORT=\(port) /bin/bash \(shellQuoted(script)) start \(shellQuoted(directory))"
                + " >\(shellQuoted(directory + "/start.out")) 2>\(shellQuoted(directory + "/start.err")) </dev/null")
        // Registered even when the start failed half-way: a server may be running anyway.
        scratch.value = directory
        atexit {
            guard let directory = PostgresTestServer.scratch.value else { return }
            let script = PostgresTestServer.shellQuoted(PostgresTestServer.script)
            let quoted = PostgresTestServer.shellQuoted(directory)
            _ = system("/bin/bash \(script) stop \(quoted) >/dev/null 2>&1 </dev/null; rm -rf \(quoted)")
        }
        let stdout = (try? String(contentsOfFile: directory + "/start.out", encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: directory + "/start.err", encoding: .utf8)) ?? ""
        // The status alone is not trusted: a SIGCHLD handler elsewhere may have reaped the child.
        guard let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix("export FLASHPLAN_TEST_POSTGRES=") }) else {
            throw Unavailable(description: "`.ci/postgres.sh start \(directory)` failed (status \(status)): \(stderr)")
        }
        return String(line.dropFirst("export FLASHPLAN_TEST_POSTGRES=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
    }

    /// A loopback TCP port free right now (bound to port 0, then released).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Unavailable(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Unavailable(description: "could not find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// `psql URL -c SQL`, stopping at the first error; its output, or an error with its stderr.
    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> String {
        let process = Process()
        if let bin = binDirectory(), FileManager.default.isExecutableFile(atPath: bin + "/psql") {
            process.executableURL = URL(fileURLWithPath: bin + "/psql")
            process.arguments = [url, "-v", "ON_ERROR_STOP=1", "-qtAX", "-c", sql]
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["psql", url, "-v", "ON_ERROR_STOP=1", "-qtAX", "-c", sql]
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PsqlFailure(description: "psql exited \(process.terminationStatus) on `\(sql)`: \(stderr)")
        }
        return stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
