import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

// Helpers for the end-to-end tests of `flashplan apply` (GitHub issue 6): child
// processes that can be killed or fed a terminal, the state as `state list --format
// json` shows it, outside events, fixed times and seeded randomness.

// MARK: - Child processes

extension FlashPlanBinary {
    /// A `flashplan` started in the background: it can be killed, waited for, and its
    /// output read while it runs.
    final class Child: @unchecked Sendable {
        let arguments: [String]
        let process: Process
        private let scratch: URL
        private let outURL: URL
        private let errURL: URL
        private let out: FileHandle
        private let err: FileHandle
        private let finished = DispatchSemaphore(value: 0)
        private var collected: Result?

        var pid: Int32 { process.processIdentifier }

        init(arguments: [String], directory: URL, stdin: FileHandle?, environment: [String: String?]) throws {
            self.arguments = arguments
            scratch = FileManager.default.temporaryDirectory.appendingPathComponent("flashplan-child-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            outURL = scratch.appendingPathComponent("stdout")
            errURL = scratch.appendingPathComponent("stderr")
            // A file that could not be created makes FileHandle throw below.
            _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
            _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
            out = try FileHandle(forWritingTo: outURL)
            err = try FileHandle(forWritingTo: errURL)
            process = Process()
            process.executableURL = try FlashPlanBinary.locate()
            process.arguments = arguments
            process.currentDirectoryURL = directory
            var env = ProcessInfo.processInfo.environment
            for key in ["FLASHPLAN_CONFIG", "FLASHPLAN_STATE"] { env[key] = nil }
            for (key, value) in environment { env[key] = value }
            process.environment = env
            process.standardInput = stdin ?? FileHandle.nullDevice
            process.standardOutput = out
            process.standardError = err
            let finished = self.finished
            process.terminationHandler = { _ in finished.signal() }
            try process.run()
        }

        /// What it has written to standard output and standard error so far.
        var stdoutSoFar: String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }
        var stderrSoFar: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

        /// `kill -9`.
        func kill9() { _ = kill(pid, SIGKILL) }

        /// Waits for it to end (killing it after `timeout`) and returns what it printed.
        /// `exitCode` is the signal number when a signal ended it (`killedBySignal`).
        @discardableResult
        func wait(timeout: TimeInterval = 120) throws -> Result {
            if let collected { return collected }
            if finished.wait(timeout: .now() + timeout) == .timedOut {
                kill9()
                _ = finished.wait(timeout: .now() + 5)
                throw TimedOut(arguments: arguments, seconds: timeout)
            }
            try out.close()
            try err.close()
            let result = Result(
                arguments: arguments, stdout: stdoutSoFar, stderr: stderrSoFar, exitCode: process.terminationStatus)
            collected = result
            try? FileManager.default.removeItem(at: scratch)
            return result
        }

        var killedBySignal: Bool { !process.isRunning && process.terminationReason == .uncaughtSignal }

        /// Polls until `condition` holds (true) or `timeout` passes or the child ended (false).
        func poll(timeout: TimeInterval = 60, interval: TimeInterval = 0.005, until condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if condition() { return true }
                if !process.isRunning { return condition() }
                Thread.sleep(forTimeInterval: interval)
            }
            return false
        }
    }

    /// Starts `flashplan arguments…` in `directory` without waiting for it. Standard input
    /// is `stdin` (e.g. a pseudo-terminal), else nothing.
    static func start(
        _ arguments: [String], in directory: URL, stdin: FileHandle? = nil, environment: [String: String?] = [:]
    ) throws -> Child {
        try Child(arguments: arguments, directory: directory, stdin: stdin, environment: environment)
    }
}

// MARK: - A pseudo-terminal

/// A pseudo-terminal pair: the child gets `slave` as its standard input (so `isatty(0)`
/// is true, as for a user at a shell) and the test types into `master`.
final class PseudoTerminal: @unchecked Sendable {
    let master: Int32
    let slave: FileHandle

    struct Unavailable: Error, CustomStringConvertible {
        var step: String
        var description: String { "could not open a pseudo-terminal (\(step): errno \(errno))" }
    }

    // posix_openpt and friends are not visible through Swift's Glibc module (they need
    // _XOPEN_SOURCE), so they are looked up in the C library at run time.
    private typealias OpenPT = @convention(c) (Int32) -> Int32
    private typealias PTSName = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?

    private static func function<T>(_ name: String, as: T.Type) throws -> T {
        guard let symbol = dlsym(nil, name) else { throw Unavailable(step: "dlsym \(name)") }
        return unsafeBitCast(symbol, to: T.self)
    }

    init() throws {
        let posixOpenPT = try Self.function("posix_openpt", as: OpenPT.self)
        let grantPT = try Self.function("grantpt", as: OpenPT.self)
        let unlockPT = try Self.function("unlockpt", as: OpenPT.self)
        let ptsName = try Self.function("ptsname", as: PTSName.self)
        let master = posixOpenPT(O_RDWR | O_NOCTTY)
        guard master >= 0 else { throw Unavailable(step: "posix_openpt") }
        guard grantPT(master) == 0, unlockPT(master) == 0, let name = ptsName(master) else {
            close(master)
            throw Unavailable(step: "grantpt/unlockpt/ptsname")
        }
        let slave = open(name, O_RDWR | O_NOCTTY)
        guard slave >= 0 else {
            close(master)
            throw Unavailable(step: "open \(String(cString: name))")
        }
        self.master = master
        self.slave = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
    }

    /// Types `text` as if at the keyboard.
    func type(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Reads (and throws away) what the terminal echoed, so its buffer never fills.
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let flags = fcntl(master, F_GETFL)
        _ = fcntl(master, F_SETFL, flags | O_NONBLOCK)
        while read(master, &buffer, buffer.count) > 0 {}
        _ = fcntl(master, F_SETFL, flags)
    }

    deinit { close(master) }
}

// MARK: - The state as `flashplan state list --format json` shows it

/// The state of one state database, read through `flashplan state list --format json`
/// (DESIGN §7).
struct StateListing: Sendable {
    struct Snapshot: Sendable, Hashable, CustomStringConvertible {
        var volume: String
        var name: String
        var label: String
        var created: Date
        var hosts: [String]
        var group: String?
        var description: String { "\(volume)/\(name) [\(label) \(ISOTime.iso(created))]" }
    }

    struct Relationship: Sendable, Hashable {
        var source: String
        var destination: String
        var type: String
        var state: String
    }

    struct Clone: Sendable, Hashable {
        var name: String
        var volume: String
        var pool: String
        var parentSnapshot: String
        var host: String? = nil
    }

    var snapshots: [Snapshot] = []
    var relationships: [Relationship] = []
    var clones: [Clone] = []
    var volumes: [String] = []
    /// The whole listing without `lineage` and `serial`, canonical (sorted keys): two
    /// states with the same storage have the same text.
    var canonical: String = ""

    func snapshots(on volume: String) -> [Snapshot] { snapshots.filter { $0.volume == volume } }
    func snapshots(on volume: String, label: String) -> [Snapshot] {
        snapshots.filter { $0.volume == volume && $0.label == label }.sorted { ($0.created, $0.name) < ($1.created, $1.name) }
    }

    struct Unreadable: Error, CustomStringConvertible {
        var description: String
    }

    /// Reads the state at `statePath` (relative to `directory`) as of `now`.
    static func read(state statePath: String, in directory: URL, now: String) throws -> StateListing {
        let run = try FlashPlanBinary.run(["state", "list", "--format", "json", "--state", statePath, "--now", now], in: directory)
        guard run.exitCode == 0 else { throw Unreadable(description: "flashplan state list failed: \(run)") }
        return try parse(Data(run.stdout.utf8))
    }

    static func parse(_ data: Data) throws -> StateListing {
        guard var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Unreadable(description: "state list did not print a JSON object")
        }
        var listing = StateListing()
        func string(_ any: Any?) -> String? { any as? String }
        for case let item as [String: Any] in object["snapshots"] as? [Any] ?? [] {
            guard let volume = string(item["volume"]), let name = string(item["name"]),
                let created = string(item["created"]).flatMap(ISOTime.parse)
            else { throw Unreadable(description: "a snapshot without volume/name/created: \(item)") }
            listing.snapshots.append(
                Snapshot(
                    volume: volume, name: name, label: string(item["label"]) ?? "", created: created,
                    hosts: item["hosts"] as? [String] ?? [], group: string(item["group"])))
        }
        for case let item as [String: Any] in object["relationships"] as? [Any] ?? [] {
            listing.relationships.append(
                Relationship(
                    source: string(item["source"]) ?? "", destination: string(item["destination"]) ?? "",
                    type: string(item["type"]) ?? "", state: string(item["state"]) ?? ""))
        }
        for case let item as [String: Any] in object["clones"] as? [Any] ?? [] {
            listing.clones.append(
                Clone(
                    name: string(item["name"]) ?? "", volume: string(item["volume"]) ?? "", pool: string(item["pool"]) ?? "",
                    parentSnapshot: string(item["parent_snapshot"]) ?? "", host: string(item["host"])))
        }
        for item in object["volumes"] as? [Any] ?? [] {
            if let name = (item as? [String: Any]).flatMap({ string($0["name"]) }) ?? string(item) {
                listing.volumes.append(name)
            }
        }
        object["lineage"] = nil
        object["serial"] = nil
        let canonical = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        listing.canonical = String(decoding: canonical, as: UTF8.self)
        return listing
    }
}

// MARK: - Outside events (`flashplan sim …`)

enum Sim {
    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    /// Injects an outside event: `flashplan sim ARGS… --state S --now T`.
    static func inject(_ arguments: [String], state statePath: String, in directory: URL, now: String) throws {
        let run = try FlashPlanBinary.run(["sim"] + arguments + ["--state", statePath, "--now", now], in: directory)
        guard run.exitCode == 0 else { throw Failed(description: "\(run)") }
    }
}

// MARK: - The database underneath

enum StateDatabase {
    static let sqlite3 = "/usr/bin/sqlite3"
    static var hasSQLite3: Bool { FileManager.default.isExecutableFile(atPath: sqlite3) }

    /// Runs one SQL statement through the sqlite3 shell and returns its output lines.
    static func query(_ path: String, _ sql: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sqlite3)
        process.arguments = [path, sql]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// The applies recorded in the state (through the simulator library: the engine's ledger).
    static func applies(_ path: String) throws -> [ApplyRecord] {
        try StateStore(path: path).applies()
    }

    static func journal(_ path: String) throws -> [JournalEntry] {
        try StateStore(path: path).journalEntries()
    }
}

// MARK: - Time

enum ISOTime {
    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    static func date(_ text: String) -> Date { parse(text)! }
}

extension Date {
    func adding(hours: Int) -> Date { addingTimeInterval(TimeInterval(hours) * 3600) }
}

/// A small seeded generator (SplitMix64): the same seed, the same kill delays.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - Configurations

enum Fleets {
    /// A fleet of `groups` resource groups of three volumes each, mirrored to a DR pool on
    /// another array, with hourly (count 4) and daily backups and a clone per volume
    /// refreshed to the newest daily: one apply at a fresh state is about 40 actions per
    /// group; a daily run a day later about 12 (backups, prunes, transfers, clone refreshes).
    static func large(groups: Int) -> String {
        var lines = [
            """
            settings: { timezone: UTC }
            arrays:
              fa: { model: FlashSystem 820, capacity: 24TB }
              fb: { model: FlashSystem 820, capacity: 24TB }
            clusters:
              svc: {}
            pools:
              prod: { cluster: svc, capacity_from: [{ array: fa, capacity: 20TB }] }
              dr: { cluster: svc, capacity_from: [{ array: fb, capacity: 20TB }] }
            policies:
              hourly-4: { frequency: hourly, retention: { count: 4 } }
              daily-7: { frequency: daily, retention: { count: 7 } }
            hosts:
            """
        ]
        let names = (0..<groups).map { String(format: "g%03d", $0) }
        for name in names { lines.append("  h-\(name): {}") }
        lines.append("volumes:")
        for name in names {
            for v in 0..<3 { lines.append("  \(name)-v\(v): { pool: prod, size: 10GiB, hosts: [h-\(name)] }") }
        }
        lines.append("resource_groups:")
        for name in names {
            lines.append(
                """
                  \(name):
                    hosts: [h-\(name)]
                    volumes: [\(name)-v0, \(name)-v1, \(name)-v2]
                    policies: [{ policy: hourly-4 }, { policy: daily-7 }]
                    replicate: [{ to: dr, type: mirror, mode: async }]
                    clones: [{ name: c, label: daily, host: h-\(name), refresh: newest }]
                """)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Two arrays: `prod` on fa, `dr` and `vault` on fb. Group `alpha` (fa) is mirrored
    /// to dr and vaulted; `gamma` lives on fb: independent of fa.
    static let twoArrays = """
        settings: { timezone: UTC }
        arrays:
          fa: { model: FlashSystem 720, capacity: 12TB }
          fb: { model: FlashSystem 720, capacity: 12TB }
        clusters:
          svc: {}
        pools:
          prod: { cluster: svc, capacity_from: [{ array: fa, capacity: 10TB }] }
          dr: { cluster: svc, capacity_from: [{ array: fb, capacity: 5TB }] }
          vault: { cluster: svc, capacity_from: [{ array: fb, capacity: 5TB }] }
        hosts:
          h1: {}
          h2: {}
        volumes:
          v1: { pool: prod, size: 100GiB, hosts: [h1] }
          v2: { pool: prod, size: 100GiB, hosts: [h1, h2] }
          x1: { pool: dr, size: 20GiB, hosts: [h2] }
        policies:
          hourly-6: { frequency: hourly, retention: { count: 6 } }
          daily-3d: { frequency: daily, retention: { days: 3 } }
        resource_groups:
          alpha:
            hosts: [h1, h2]
            volumes: [v1, v2]
            policies:
              - { policy: hourly-6 }
              - { policy: daily-3d, schedule: "*-*-* 02:30:00" }
            replicate:
              - { to: dr, type: mirror, mode: async }
              - to: vault
                type: vault
                retention:
                  daily: { count: 4 }
          gamma:
            hosts: [h2]
            volumes: [x1]
            policies:
              - { policy: hourly-6 }

        """
}

/// A test's own directory: `policies/` with the given configuration, a state path, and
/// the common flags.
struct ApplyWorkspace: Sendable {
    let dir: ScratchDirectory
    let state = "state/state.db"

    init(config: String) throws {
        dir = try ScratchDirectory(files: ["policies/fleet.yaml": config])
    }

    init(copyingPolicies: Void) throws {
        dir = try ScratchDirectory()
        try FileManager.default.copyItem(at: Repository.url("policies"), to: dir.url.appendingPathComponent("policies"))
    }

    var url: URL { dir.url }
    var statePath: String { url.appendingPathComponent(state).path }

    func flags(_ now: String, state: String? = nil) -> [String] {
        ["--config", "policies", "--state", state ?? self.state, "--now", now]
    }

    func run(_ arguments: [String], timeout: TimeInterval = 120) throws -> FlashPlanBinary.Result {
        try FlashPlanBinary.run(arguments, in: url, timeout: timeout)
    }

    func apply(_ now: String, _ extra: [String] = [], state: String? = nil) throws -> FlashPlanBinary.Result {
        try run(["apply", "--auto-approve"] + extra + flags(now, state: state))
    }

    func plan(_ now: String, _ extra: [String] = [], state: String? = nil) throws -> FlashPlanBinary.Result {
        try run(["plan", "--detailed-exitcode"] + extra + flags(now, state: state))
    }

    func listing(_ now: String, state: String? = nil) throws -> StateListing {
        try StateListing.read(state: state ?? self.state, in: url, now: now)
    }

    func sim(_ arguments: [String], now: String) throws {
        try Sim.inject(arguments, state: state, in: url, now: now)
    }

    func remove() { dir.remove() }
}
