import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

// The PostgreSQL server the tests of a shared state (DESIGN §9) run against:
// `FLASHPLAN_TEST_POSTGRES` when set (as `.ci/postgres.sh start` prints it), else a scratch
// server started once per test process, else none — and then the tests are disabled,
// unless `FLASHPLAN_REQUIRE_POSTGRES=1` (CI), when they fail saying so.

/// The directory of the scratch server this process started, stopped at exit. A global
/// because an `atexit` hook is a C function and cannot capture anything.
nonisolated(unsafe) private var scratchPostgresDirectories: [String] = []

enum TestPostgres {
    /// A running server: its URL (without `schema`), and what restarts it.
    struct Server: Sendable {
        var url: String
        var dataDirectory: String?
        var pgCtl: String?
    }

    /// Why no server is there, for the failure CI must see rather than a silent skip.
    struct Missing: Error, CustomStringConvertible {
        var reason: String
        var description: String {
            "no PostgreSQL server for the tests (\(reason)); set FLASHPLAN_TEST_POSTGRES (see .ci/postgres.sh), "
                + "or install Debian's postgresql package, or unset FLASHPLAN_REQUIRE_POSTGRES to skip these tests"
        }
    }

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    /// The server, found or started on first use; the reason when there is none.
    static let server: Result<Server, Missing> = {
        let server = locate()
        // The skip names no reason (its comment is fixed); whoever wonders finds it here.
        if case .failure(let missing) = server { FileHandle.standardError.write(Data("PostgresSupport: \(missing)\n".utf8)) }
        return server
    }()

    /// For `.enabled(if:)`: there is a server, or one is required (then the test runs and
    /// fails in `url()` with the reason).
    static var enabled: Bool {
        if ProcessInfo.processInfo.environment["FLASHPLAN_REQUIRE_POSTGRES"] == "1" { return true }
        if case .success = server { return true }
        return false
    }

    /// A URL of a state of its own: a fresh schema nobody else uses, created by the first
    /// `apply`. `leaseTTL` (seconds) shortens how long a silent runner keeps the lease.
    static func url(leaseTTL: Int? = nil) throws -> String {
        let server = try server.get()
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        let name = "t_" + String((0..<12).map { _ in letters.randomElement(using: &generator)! })
        var url = server.url + (server.url.contains("?") ? "&" : "?") + "schema=\(name)"
        if let leaseTTL { url += "&lease_ttl=\(leaseTTL)" }
        return url
    }

    /// A server of its own for the test that restarts it: restarting the shared one would
    /// cut the sessions of every other test running at the same time. Always a scratch
    /// server (Debian's postgresql binaries, which CI installs), started on first use.
    static let restartable: Result<Server, Missing> = {
        do {
            return .success(try startScratch())
        } catch {
            return .failure(Missing(reason: "starting a scratch server to restart failed: \(error)"))
        }
    }()

    /// A fresh state's URL on the restartable server.
    static func restartableURL() throws -> String {
        let server = try restartable.get()
        return server.url + (server.url.contains("?") ? "&" : "?") + "schema=t_restart_\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// `pg_ctl restart -m immediate` of the restartable server: every session is cut at
    /// once, as in a crash of the database server; returns once it accepts connections again.
    static func restartImmediately() throws {
        let server = try restartable.get()
        guard let data = server.dataDirectory, let pgCtl = server.pgCtl else {
            throw Failed(description: "cannot restart the server: FLASHPLAN_TEST_PGDATA and FLASHPLAN_TEST_PGCTL are not set")
        }
        // Its log goes to a file: a server writing to a pipe of ours would hold it open.
        let log = URL(fileURLWithPath: data).deletingLastPathComponent().appendingPathComponent("server.log").path
        let result = runAsOwner(pgCtl, ["-D", data, "-l", log, "-m", "immediate", "-w", "-t", "60", "restart"])
        guard result.status == 0 else { throw Failed(description: "pg_ctl restart failed (\(result.status)): \(result.output)") }
    }

    /// Runs `sql` with `psql` (beside `pg_ctl`) on the test server, as the outside world
    /// (an operator, another program) would; its output.
    static func psql(_ sql: String) throws -> String {
        let server = try server.get()
        guard let pgCtl = server.pgCtl, let url = URLComponents(string: server.url) else {
            throw Failed(description: "no psql: FLASHPLAN_TEST_PGCTL is not set")
        }
        let tool = URL(fileURLWithPath: pgCtl).deletingLastPathComponent().appendingPathComponent("psql").path
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        let result = run(
            tool,
            ["-h", url.host ?? "127.0.0.1", "-p", "\(url.port ?? 5432)", "-U", url.user ?? "postgres", "-d", database, "-qtAc", sql])
        guard result.status == 0 else { throw Failed(description: "psql failed (\(result.status)): \(result.output)") }
        return result.output
    }

    // MARK: - Finding or starting the server

    private static func locate() -> Result<Server, Missing> {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["FLASHPLAN_TEST_POSTGRES"], !url.isEmpty {
            return .success(
                Server(url: url, dataDirectory: environment["FLASHPLAN_TEST_PGDATA"], pgCtl: environment["FLASHPLAN_TEST_PGCTL"]))
        }
        let lib = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? []
        guard versions.contains(where: { FileManager.default.isExecutableFile(atPath: "\(lib)/\($0)/bin/initdb") }) else {
            return .failure(Missing(reason: "FLASHPLAN_TEST_POSTGRES is not set and there is no \(lib)/*/bin/initdb"))
        }
        do {
            return .success(try startScratch())
        } catch {
            return .failure(Missing(reason: "starting a scratch server with .ci/postgres.sh failed: \(error)"))
        }
    }

    /// `.ci/postgres.sh start` in a fresh directory on a free port, stopped at exit.
    private static func startScratch() throws -> Server {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flashplan-pg-\(UUID().uuidString)").path
        let port = try freePort()
        let script = Repository.url(".ci/postgres.sh").path
        let result = run("/bin/bash", [script, "start", directory], environment: ["FLASHPLAN_PG_PORT": "\(port)"])
        // Stopped even when start failed half-way (initdb done, server up, database missing).
        if scratchPostgresDirectories.isEmpty {
            atexit {
                for directory in scratchPostgresDirectories {
                    _ = TestPostgres.run("/bin/bash", [Repository.url(".ci/postgres.sh").path, "stop", directory])
                    try? FileManager.default.removeItem(atPath: directory)
                }
            }
        }
        scratchPostgresDirectories.append(directory)
        guard result.status == 0 else { throw Failed(description: "exit \(result.status): \(result.output)") }
        var exports: [String: String] = [:]
        for line in result.output.split(separator: "\n") {
            guard let match = line.wholeMatch(of: /export (\w+)='([^']*)'/) else { continue }
            exports[String(match.1)] = String(match.2)
        }
        guard let url = exports["FLASHPLAN_TEST_POSTGRES"] else {
            throw Failed(description: "it printed no FLASHPLAN_TEST_POSTGRES: \(result.output)")
        }
        return Server(url: url, dataDirectory: exports["FLASHPLAN_TEST_PGDATA"], pgCtl: exports["FLASHPLAN_TEST_PGCTL"])
    }

    /// A loopback port nobody listens on now (the kernel's pick), so that a scratch server
    /// never collides with one already running on the script's default port.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failed(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(fd, generic, length) == 0 && getsockname(fd, generic, &length) == 0
            }
        }
        guard bound else { throw Failed(description: "bind: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs a PostgreSQL tool as the cluster's owner: `postgres` when we are root (the
    /// server refuses to run as root), ourselves otherwise.
    private static func runAsOwner(_ tool: String, _ arguments: [String]) -> (status: Int32, output: String) {
        getuid() == 0 ? run("/usr/sbin/runuser", ["-u", "postgres", "--", tool] + arguments) : run(tool, arguments)
    }

    fileprivate static func run(
        _ tool: String, _ arguments: [String], environment: [String: String] = [:]
    ) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        // Through a file, not a pipe: a server started by the tool inherits its output and
        // would keep a pipe open after the tool ends.
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("flashplan-pgtool-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        guard let handle = try? FileHandle(forWritingTo: output) else { return (-1, "cannot create \(output.path)") }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do { try process.run() } catch { return (-1, "\(tool): \(error)") }
        // Foundation alone never saw `.ci/postgres.sh start` end here (it stayed a zombie,
        // neither waitUntilExit nor the termination handler returned: the server it starts
        // is a grandchild that lives on), so the child is also reaped by hand.
        var status: Int32 = -1
        let deadline = Date().addingTimeInterval(120)
        while true {
            if finished.wait(timeout: .now() + 0.05) == .success {
                status = process.terminationStatus
                break
            }
            var raw: Int32 = 0
            if waitpid(process.processIdentifier, &raw, WNOHANG) == process.processIdentifier {
                status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : -1
                break
            }
            if Date() > deadline {
                process.terminate()
                try? handle.close()
                return (-1, "\(tool) \(arguments.joined(separator: " ")) did not finish within 120 s")
            }
        }
        try? handle.close()
        return (status, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }
}

/// One PostgreSQL state as the tests see it, read through the simulator library without a
/// lease (as `plan` and `state list` read it): the applies and the journal.
struct SharedState: Sendable {
    let url: String

    private func store() throws -> StateStore { try StateStore(path: url, access: .readOnly) }

    /// Every apply recorded, by serial.
    func applies() throws -> [ApplyRecord] { try store().applies() }

    /// Every journal row.
    func journal() throws -> [FlashPlanModel.JournalEntry] { try store().journalEntries(applyID: nil) }

    /// The serial the last apply advanced the state to (0 before any).
    func serial() throws -> Int { try applies().map(\.serial).max() ?? 0 }
}
