import FlashPlanConfig
import FlashPlanEngine
import FlashPlanApp
import FlashPlanModel
import FlashPlanSchedule
import FlashPlanSimulator
import Foundation
import Logging
import Yams

#if canImport(Glibc)
    import Glibc
#endif

/// Measures the performance targets of DESIGN §8 on a generated fleet and prints them:
///
///     swift run -c release flashplan-bench            # 10,000 volumes, 1,000 groups, 1,000,000 snapshots
///     swift run -c release flashplan-bench --quick    # a tenth of that
///     swift run -c release flashplan-bench --plan-only   # validate, observe and the plan command only
///
/// The state is seeded in a child process, so the peak memory printed for `plan`
/// is that of loading, observing and planning alone.
@main
struct Bench {
    static let now = ISO8601DateFormatter().date(from: "2026-11-21T10:00:00Z")!

    static func main() async throws {
        let arguments = CommandLine.arguments
        if let index = arguments.firstIndex(of: "--seed"), index + 4 < arguments.count {
            // Child: seed the state and exit.
            let store = try StateStore(path: arguments[index + 1])
            try store.backend.seedFleet(
                volumes: Int(arguments[index + 2])!, groups: Int(arguments[index + 3])!,
                snapshotsPerVolume: Int(arguments[index + 4])!, now: now)
            return
        }
        if let index = arguments.firstIndex(of: "--plan-phases"), index + 2 < arguments.count {
            // Child: the plan command's phases one by one, for profiling.
            let store = try StateStore(path: arguments[index + 2])
            let (open, observed) = try measure { try store.backend.observe(at: now) }
            let (load, loaded) = try measure { try ConfigurationLoader.load(directory: arguments[index + 1]) }
            let (planning, plan) = measure { Planner(configuration: loaded.configuration, observed: observed, now: now).plan() }
            let (rendering, _) = measure { PlanTextRenderer(renderer: loaded.renderer).render(plan) }
            let (json, rendered) = try measure { try PlanJSONRenderer.render(plan) }
            let (decoding, _) = try measure { try PlanJSONRenderer.decode(Data(rendered.utf8)) }
            print("observe \(format(open)), load \(format(load)), plan \(format(planning)), render \(format(rendering)), json \(format(json)), decode \(format(decoding))")
            return
        }
        if let index = arguments.firstIndex(of: "--execute-child"), index + 2 < arguments.count {
            // Child: the executor alone, on a scratch copy of the state (left as it was): the
            // plan of CONFIG against STATE carried out; prints its seconds. Under callgrind,
            // the cost of `SimulatorBackend.perform` is that of the state writes.
            let scratch = arguments[index + 2] + ".execute-\(getpid())"
            try FileManager.default.copyItem(atPath: arguments[index + 2], toPath: scratch)
            defer { for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: scratch + suffix) } }
            let store = try StateStore(path: scratch)
            let session = StateSession(backend: store.backend, ledger: store)
            let loaded = try ConfigurationLoader.load(directory: arguments[index + 1])
            let plan = Planner(configuration: loaded.configuration, observed: try session.backend.observe(at: now), now: now).plan()
            _ = try session.ledger.beginApply(id: "bench", expecting: plan.state, operation: "apply", now: now)
            let execution = await Executor(backend: session.backend, ledger: session.ledger, parallelism: 4).run(plan, applyID: "bench", now: now)
            print("\(execution.seconds) \(plan.actions.count) actions, \(execution.count(.applied)) applied")
            return
        }
        if let index = arguments.firstIndex(of: "--plan-child"), index + 2 < arguments.count {
            // Child: one plan command, timed, with this process's peak memory; then
            // `--format F` and `--out FILE` as the plan command takes them.
            let format = arguments.firstIndex(of: "--format").map { PlanRequest.Format(rawValue: arguments[$0 + 1])! } ?? .text
            let out = arguments.firstIndex(of: "--out").map { arguments[$0 + 1] }
            // As `flashplan plan` does: the process ends with the command.
            ExitTeardown.shared.keepLargeValuesUntilExit()
            let (seconds, outcome) = try measure {
                try PlanRunner.run(PlanRequest(configDirectory: arguments[index + 1], statePath: arguments[index + 2], now: now, format: format, out: out)) { path in
                    // As `flashplan plan` opens it: read-only.
                    let store = try StateStore(path: path, access: .readOnly)
                    return StateSession(backend: store.backend, ledger: store)
                }
            }
            let summary = format == .text ? outcome.stdout.split(separator: "\n").last.map(String.init) ?? "" : "\(outcome.stdout.utf8.count / 1_048_576) MiB of \(format.rawValue)"
            print("\(seconds) \(peakMemoryMiB()) \(summary)")
            return
        }
        if let index = arguments.firstIndex(of: "--read-plan-child"), index + 1 < arguments.count {
            // Child: read a plan file back as `apply FILE` does.
            let (seconds, plan) = try measure { try PlanFile.read(arguments[index + 1]) }
            print("\(seconds) \(peakMemoryMiB()) \(plan.actions.count) actions, \(plan.retention.count) retention decisions")
            return
        }
        let quick = arguments.contains("--quick")
        // --state postgresql://…: the same figures for a PostgreSQL state, next to SQLite's.
        let postgres = arguments.firstIndex(of: "--state").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        var sqliteFigures: [(String, Double)] = []
        var fleet = FleetGenerator()
        if quick {
            fleet.groups = 100
            fleet.volumes = 1000
        }
        let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("flashplan-bench-\(getpid())")
        // FLASHPLAN_BENCH_KEEP=1 keeps the fleet for profiling (its path is printed).
        let keep = ProcessInfo.processInfo.environment["FLASHPLAN_BENCH_KEEP"] != nil
        defer { if keep { print("kept \(work.path)") } else { try? FileManager.default.removeItem(at: work) } }
        let config = work.appendingPathComponent("policies")
        let state = work.appendingPathComponent("state.db").path
        try fleet.write(to: config)
        let (seedSeconds, _) = try measure {
            try runChild([arguments[0], "--seed", state, "\(fleet.volumes)", "\(fleet.groups)", "100"])
        }
        print("fleet: \(fleet.volumes) volumes, \(fleet.groups) resource groups, \(fleet.volumes * 100) snapshots (seeded in \(format(seedSeconds)))")
        print("")

        // Floors: libyaml parsing the same files; sqlite3 reading the same snapshot rows.
        let files = try ConfigurationLoader.configurationFiles(in: config.path)
        let (yamlFloor, _) = try measure { for file in files { _ = try Yams.compose(yaml: String(contentsOfFile: file, encoding: .utf8), .basic) } }
        let sqliteFloor = try? measure { try runChild(["/usr/bin/sqlite3", state, "SELECT * FROM snapshot"], discardOutput: true) }.0
        print("floor  libyaml parse of the config            \(format(yamlFloor))")
        if let sqliteFloor { print("floor  sqlite3 reading every snapshot row        \(format(sqliteFloor))") }
        let floor = yamlFloor + (sqliteFloor ?? 0)

        let (validate, loaded) = try measure { try ConfigurationLoader.load(directory: config.path) }
        guard !loaded.hasErrors else {
            print(loaded.renderer.render(Array(loaded.diagnostics.prefix(5))))
            exit(1)
        }
        report("validate", validate, target: 0.5)

        // observe alone, then the whole plan command (load + observe + plan + render).
        let session = StateSession(backend: try StateStore(path: state).backend, ledger: try StateStore(path: state))
        let (observeSeconds, observed) = try measure { try session.backend.observe(at: now) }
        report("observe (\(observed.snapshots.count) snapshots)", observeSeconds, target: 1.0)
        sqliteFigures.append(("observe", observeSeconds))
        let (plannerSeconds, pure) = measure { Planner(configuration: loaded.configuration, observed: observed, now: now).plan() }
        report("  of which the planner alone", plannerSeconds, target: 1.0)
        let (textSeconds, _) = measure { PlanTextRenderer().render(pure) }
        report("  of which rendering the text", textSeconds, target: 1.0)
        // The plan command in a process of its own: its time and peak memory alone.
        let child = try runChildOutput([arguments[0], "--plan-child", config.path, state]).split(separator: " ", maxSplits: 2)
        let planSeconds = Double(child[0]) ?? .nan, memory = Double(child[1]) ?? .nan
        report("plan command (load ∥ observe, plan, render)", planSeconds, target: 1.0, floor: floor)
        sqliteFigures.append(("plan command", planSeconds))
        print("       peak memory \(Int(memory)) MiB (target ≤ 512 MiB: \(memory <= 512 ? "met" : "MISSED")); \(child.count > 2 ? child[2] : "")")
        // The same command with `--format json`, and with `--out FILE` (text on stdout, the JSON plan saved).
        let planFile = work.appendingPathComponent("plan.json").path
        for (name, extra) in [("plan --format json", ["--format", "json"]), ("plan --out FILE", ["--out", planFile])] {
            let child = try runChildOutput([arguments[0], "--plan-child", config.path, state] + extra).split(separator: " ", maxSplits: 2)
            let seconds = Double(child[0]) ?? .nan, memory = Double(child[1]) ?? .nan
            report(name, seconds, target: 1.0, floor: floor)
            sqliteFigures.append((name, seconds))
            print("       peak memory \(Int(memory)) MiB (target ≤ 512 MiB: \(memory <= 512 ? "met" : "MISSED")); \(child.count > 2 ? child[2] : "")")
        }
        let reading = try runChildOutput([arguments[0], "--read-plan-child", planFile]).split(separator: " ", maxSplits: 2)
        let planFileSize = ((try? FileManager.default.attributesOfItem(atPath: planFile)[.size]) as? Int ?? 0) / 1_048_576
        report("reading the plan file back (\(planFileSize) MiB)", Double(reading[0]) ?? .nan, target: 1.0)
        print("       peak memory \(Int(Double(reading[1]) ?? .nan)) MiB; \(reading.count > 2 ? reading[2] : "")")
        // Cost no worse than n log n: the same plan command on a fleet a tenth the size,
        // seeded beside this one. Ten times the volumes and snapshots may cost at most
        // 10 × log(n) / log(n / 10) times as much.
        let tenth = FleetGenerator(groups: max(1, fleet.groups / 10), volumes: max(1, fleet.volumes / 10), files: fleet.files)
        let tenthConfig = work.appendingPathComponent("tenth-policies")
        let tenthState = work.appendingPathComponent("tenth-state.db").path
        try tenth.write(to: tenthConfig)
        try runChild([arguments[0], "--seed", tenthState, "\(tenth.volumes)", "\(tenth.groups)", "100"])
        let tenthSeconds = Double(try runChildOutput([arguments[0], "--plan-child", tenthConfig.path, tenthState]).split(separator: " ")[0]) ?? .nan
        let n = Double(fleet.volumes * 100), bound = 10 * log(n) / log(n / 10), growth = planSeconds / tenthSeconds
        print(String(
            format: "plan command at a tenth of the fleet %.3f s: ten times the fleet costs %.1f× (n log n allows %.1f×: %@)",
            tenthSeconds, growth, bound, growth <= bound ? "met" : "MISSED"))
        // --plan-only: stop here (no apply, no second seed).
        if arguments.contains("--plan-only") { return }

        // apply: the same plan carried out, first its execution alone, then (on a new
        // seed of the state) the whole command with its lock, load, observe and plan.
        let plan = Planner(configuration: loaded.configuration, observed: observed, now: now).plan()
        _ = try session.ledger.beginApply(id: "bench", expecting: plan.state, operation: "apply", now: now)
        let execution = await Executor(backend: session.backend, ledger: session.ledger, parallelism: 4).run(plan, applyID: "bench", now: now)
        report("execute \(plan.actions.count) actions", execution.seconds, target: 3.0)
        sqliteFigures.append(("execute the plan", execution.seconds))
        print("       \(execution.count(.applied)) applied, \(execution.count(.failed)) failed")
        let state2 = work.appendingPathComponent("state2.db").path
        try runChild([arguments[0], "--seed", state2, "\(fleet.volumes)", "\(fleet.groups)", "100"])
        let session2 = StateSession(backend: try StateStore(path: state2).backend, ledger: try StateStore(path: state2))
        let console = ApplyConsole(
            write: { _ in }, progress: { _ in }, ask: { _ in nil },
            logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
        let request = ApplyRequest(configDirectory: config.path, statePath: state2, now: now, autoApprove: true, lockTimeout: 5, parallelism: 4)
        let applyStart = DispatchTime.now().uptimeNanoseconds
        let code = await ApplyRunner.run(request, console: console, stop: StopSignal()) { _ in session2 }.exitCode
        let applySeconds = Double(DispatchTime.now().uptimeNanoseconds - applyStart) / 1e9
        let after = try session2.backend.observe(at: now)
        report("apply command (lock+load+observe+plan+execute)", applySeconds, target: 3.0)
        sqliteFigures.append(("apply command", applySeconds))
        print("       exit \(code); snapshots after: \(after.snapshots.count)")
        // The next hourly run of the timer finds nothing due: the whole apply command again.
        let idleStart = DispatchTime.now().uptimeNanoseconds
        let idleCode = await ApplyRunner.run(request, console: console, stop: StopSignal()) { _ in session2 }.exitCode
        let idleSeconds = Double(DispatchTime.now().uptimeNanoseconds - idleStart) / 1e9
        report("apply command with nothing due", idleSeconds, target: 1.0)
        sqliteFigures.append(("apply with nothing due", idleSeconds))
        print("       exit \(idleCode)")
        let (replan, again) = try measure {
            try PlanRunner.run(PlanRequest(configDirectory: config.path, statePath: state2, now: now)) { _ in session2 }
        }
        report("plan right after apply", replan, target: 1.0)
        sqliteFigures.append(("plan right after apply", replan))
        print("       \(again.stdout.split(separator: "\n").last ?? "")")
        if let postgres {
            print("")
            try await comparePostgres(
                postgres, sqlite: sqliteFigures, config: config.path, work: work, fleet: fleet, loaded: loaded, program: arguments[0])
        }
        print("")
        print("schedules (the planner asks for the previous elapse of every group's schedules):")
        print(ScheduleBenchmark.run())
    }

    /// The DESIGN §8 figures again on a PostgreSQL state (a fresh seed copied in with
    /// `state migrate`, into schemas of its own that are dropped afterwards), printed next
    /// to SQLite's with their ratio.
    static func comparePostgres(
        _ url: String, sqlite: [(String, Double)], config: String, work: URL, fleet: FleetGenerator, loaded: LoadResult, program: String
    ) async throws {
        let base = url.contains("?") ? url + "&" : url + "?"
        let schemas = ["flashplan_bench_\(getpid())", "flashplan_bench2_\(getpid())"]
        var figures: [String: Double] = [:]
        let seeded = work.appendingPathComponent("state3.db").path
        try runChild([program, "--seed", seeded, "\(fleet.volumes)", "\(fleet.groups)", "100"])
        let urls = schemas.map { base + "schema=\($0)" }
        defer {
            // The bench's schemas go; nothing else in the database is touched.
            for schema in schemas { _ = try? runChild(["/usr/bin/psql", psqlURL(url), "-qc", "SET client_min_messages = warning; DROP SCHEMA IF EXISTS \(schema) CASCADE"], discardOutput: true) }
        }
        let source = try StateStore(path: seeded, access: .readOnly)
        let (migrateSeconds, _) = try measure { try source.migrate(to: urls[0]) }
        _ = try source.migrate(to: urls[1])
        figures["state migrate --to (copy the fleet in)"] = migrateSeconds
        let store = try StateStore(path: urls[0])
        let (observeSeconds, observed) = try measure { try store.backend.observe(at: now) }
        figures["observe"] = observeSeconds
        for (name, extra) in [("plan command", [String]()), ("plan --format json", ["--format", "json"]), ("plan --out FILE", ["--out", work.appendingPathComponent("plan-pg.json").path])] {
            let child = try runChildOutput([program, "--plan-child", config, urls[0]] + extra).split(separator: " ", maxSplits: 2)
            figures[name] = Double(child[0]) ?? .nan
        }
        let session = StateSession(backend: store.backend, ledger: store, leasing: store)
        let plan = Planner(configuration: loaded.configuration, observed: observed, now: now).plan()
        _ = try session.ledger.beginApply(id: "bench", expecting: plan.state, operation: "apply", now: now)
        let execution = await Executor(backend: session.backend, ledger: session.ledger, parallelism: 4).run(plan, applyID: "bench", now: now)
        figures["execute the plan"] = execution.seconds
        let store2 = try StateStore(path: urls[1])
        let session2 = StateSession(backend: store2.backend, ledger: store2, leasing: store2)
        let console = ApplyConsole(
            write: { _ in }, progress: { _ in }, ask: { _ in nil },
            logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
        let request = ApplyRequest(configDirectory: config, statePath: urls[1], now: now, autoApprove: true, lockTimeout: 5, parallelism: 4)
        let (applySeconds, code) = await measureAsync { await ApplyRunner.run(request, console: console, stop: StopSignal()) { _ in session2 }.exitCode }
        figures["apply command"] = applySeconds
        let (idleSeconds, idleCode) = await measureAsync { await ApplyRunner.run(request, console: console, stop: StopSignal()) { _ in session2 }.exitCode }
        figures["apply with nothing due"] = idleSeconds
        let (replan, _) = try measure {
            try PlanRunner.run(PlanRequest(configDirectory: config, statePath: urls[1], now: now)) { path in
                let store = try StateStore(path: path, access: .readOnly)
                return StateSession(backend: store.backend, ledger: store)
            }
        }
        figures["plan right after apply"] = replan
        print("PostgreSQL state (\((try? PostgresLocation(url))?.description ?? "postgresql://…")) next to SQLite:")
        print("measure".padding(toLength: 40, withPad: " ", startingAt: 0) + "    SQLite  PostgreSQL   ratio")
        for (name, seconds) in sqlite {
            guard let other = figures[name] else { continue }
            let ratio = other / max(seconds, 1e-9)
            print(name.padding(toLength: 40, withPad: " ", startingAt: 0)
                + String(format: " %9.3f  %10.3f  %5.1f×%@", seconds, other, ratio, ratio > 3 ? "  (more than 3×)" : ""))
        }
        print("state migrate --to (copy the fleet in)".padding(toLength: 40, withPad: " ", startingAt: 0)
            + String(format: "         -  %10.3f", migrateSeconds))
        print("       executed: \(execution.count(.applied)) applied, \(execution.count(.failed)) failed; apply exit \(code), idle apply exit \(idleCode)")
    }

    /// A URL psql takes: flashplan's own parameters (schema, lease_ttl) removed.
    static func psqlURL(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.queryItems = components.queryItems?.filter { !["schema", "lease_ttl"].contains($0.name) }
        if components.queryItems?.isEmpty == true { components.queryItems = nil }
        return components.string ?? url
    }

    static func measureAsync<T>(_ body: () async throws -> T) async rethrows -> (Double, T) {
        let start = DispatchTime.now().uptimeNanoseconds
        let value = try await body()
        return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, value)
    }

    static func runChildOutput(_ command: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func runChild(_ command: [String], discardOutput: Bool = false) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        if discardOutput { process.standardOutput = FileHandle(forWritingAtPath: "/dev/null") }
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "\(command.joined(separator: " ")) failed"])
        }
    }

    static func measure<T>(_ body: () throws -> T) rethrows -> (Double, T) {
        let start = DispatchTime.now().uptimeNanoseconds
        let value = try body()
        return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, value)
    }

    static func format(_ seconds: Double) -> String { String(format: "%.3f s", seconds) }

    static func report(_ name: String, _ seconds: Double, target: Double, floor: Double? = nil) {
        var line = name.padding(toLength: 45, withPad: " ", startingAt: 0) + " " + format(seconds)
        line += "  (target ≤ \(target) s: \(seconds <= target ? "met" : "MISSED"))"
        if let floor {
            let ratio = seconds / max(floor, 1e-9)
            line += String(format: "  %.2f× the floor (target ≤ 1.5×: %@)", ratio, ratio <= 1.5 ? "met" : "MISSED")
        }
        print(line)
    }

    /// Peak resident memory of this process so far, in MiB.
    static func peakMemoryMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
