import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

/// `apply --scope site=NAME` and `state migrate --to` through the binary, on the test
/// server (`TestPostgres`), with the example estate of `policies/` (rome: primary arrays,
/// hosts; milan: dr and vault).
@Suite(.serialized, .enabled(if: TestPostgres.enabled, "no PostgreSQL server (see PostgresSupport.swift)"))
struct ScopeAndMigrateEndToEndTests {
    static let t0 = "2026-11-21T10:00:00Z"

    /// The sites each applied action of the applies started at `now` touched, from the
    /// arrays of the example configuration.
    static func appliedAddresses(_ shared: SharedState, at now: String) throws -> [String] {
        let ids = Set(try shared.applies().filter { $0.started == ISOTime.date(now) }.map(\.id))
        return try shared.journal().filter { ids.contains($0.applyID) && $0.outcome == .applied }.map(\.address).sorted()
    }

    /// The action ids applied by the applies started at `now` (an action twice is a double act).
    static func appliedActions(_ shared: SharedState, at now: String) throws -> [String] {
        let ids = Set(try shared.applies().filter { $0.started == ISOTime.date(now) }.map(\.id))
        return try shared.journal().filter { ids.contains($0.applyID) && $0.outcome == .applied }.map(\.actionID).sorted()
    }

    @Test func aSiteRunnerAppliesItsSiteAndLeavesTheRestThenTheOtherSiteCompletesIt() throws {
        let workspace = try ApplyWorkspace(copyingPolicies: ())
        defer { workspace.remove() }
        let url = try TestPostgres.url()
        let shared = SharedState(url: url)
        // Alone on a new state, rome's runner takes milan's lease for nothing: milan's own
        // work (its array, cluster, pools, the destination volumes) is milan's runner's,
        // and the transfers wait for it.
        let rome = try workspace.apply(Self.t0, ["--scope", "site=rome", "--metrics-file", "rome.prom"], state: url)
        #expect(rome.exitCode == 0, "\(rome)")
        // What is left is counted, and replication left undone is a warning.
        let metrics = try String(contentsOf: workspace.url.appendingPathComponent("rome.prom"), encoding: .utf8)
        let left = metrics.split(separator: "\n").first { $0.hasPrefix("flashplan_actions_left_to_other_runners ") }
        #expect(left.map { Double($0.split(separator: " ")[1]) ?? 0 } ?? 0 > 0, "\(metrics)")
        #expect(rome.stderr.contains("replication actions left to other runners"), "\(rome)")
        #expect(rome.stdout.contains("Scope: site rome (holding site milan's lease too"), "\(rome)")
        #expect(rome.stdout.contains("install-array:array.fs-milan-a: is in site milan; its runner applies it"), "\(rome)")
        let romeDone = try Self.appliedAddresses(shared, at: Self.t0)
        #expect(!romeDone.isEmpty)
        #expect(romeDone.contains("array.fs-rome-a"))
        #expect(!romeDone.contains("array.fs-milan-a"))
        #expect(!romeDone.contains("cluster.svc-milan"))
        #expect(!romeDone.contains { $0.hasPrefix("pool.dr") || $0.hasPrefix("pool.vault") })
        // milan's runner then does milan's work and, taking rome's lease (free now, and
        // after its own in name order), the transfers between them.
        let later = "2026-11-21T10:05:00Z"
        let milan = try workspace.apply(later, ["--scope", "site=milan"], state: url)
        #expect(milan.exitCode == 0, "\(milan)")
        let milanDone = try Self.appliedAddresses(shared, at: later)
        #expect(milanDone.contains("array.fs-milan-a"))
        #expect(milanDone.contains { $0.hasPrefix("relationship.") }, "\(milanDone)")
        #expect(Set(milanDone).isDisjoint(with: romeDone))
        // One more round of each converges: a whole-state plan has nothing left.
        for (scope, now) in [("site=rome", "2026-11-21T10:06:00Z"), ("site=milan", "2026-11-21T10:07:00Z")] {
            let run = try workspace.apply(now, ["--scope", scope], state: url)
            #expect(run.exitCode == 0, "\(run)")
        }
        let plan = try workspace.plan("2026-11-21T10:08:00Z", ["--detailed-exitcode"], state: url)
        #expect(plan.exitCode == 0, "\(plan)")
    }

    @Test func twoSitesRunnersStartedTogetherNeverDoTheSameActionTwice() throws {
        let workspace = try ApplyWorkspace(copyingPolicies: ())
        defer { workspace.remove() }
        let url = try TestPostgres.url()
        let shared = SharedState(url: url)
        let start = ISOTime.date(Self.t0)
        for round in 0..<4 {
            let now = ISOTime.iso(start.adding(hours: round))
            let children = try ["site=rome", "site=milan"].map { scope in
                try FlashPlanBinary.start(
                    ["apply", "--auto-approve", "--lock-timeout", "60s", "--scope", scope] + workspace.flags(now, state: url),
                    in: workspace.url)
            }
            for child in children {
                let result = try child.wait(timeout: 120)
                #expect(result.exitCode == 0, "round \(round): \(result)")
            }
            let done = try Self.appliedActions(shared, at: now)
            #expect(!done.isEmpty, "round \(round): nothing was applied")
            let twice = Dictionary(grouping: done, by: { $0 }).filter { $0.value.count > 1 }.keys
            #expect(twice.isEmpty, "round \(round): applied twice: \(twice.sorted())")
        }
    }

    @Test func scopeIsRefusedOnAStateFileForASavedPlanAndForAnUnknownSite() throws {
        let workspace = try ApplyWorkspace(copyingPolicies: ())
        defer { workspace.remove() }
        let file = try workspace.apply(Self.t0, ["--scope", "site=rome"])
        #expect(file.exitCode == 64, "\(file)")
        #expect(file.stderr.contains("--scope needs a state shared by several runners"), "\(file)")
        let url = try TestPostgres.url()
        let unknown = try workspace.apply(Self.t0, ["--scope", "site=paris"], state: url)
        #expect(unknown.exitCode == 1, "\(unknown)")
        #expect(unknown.output.contains("no array, cluster or host is in that site (sites: milan, rome)"), "\(unknown)")
        #expect(throws: (any Error).self) { try StateStore(path: url, access: .readOnly) }
    }

    @Test func migrateCopiesAStateFileIntoPostgreSQLAndRefusesOneThatExists() throws {
        let workspace = try ApplyWorkspace(copyingPolicies: ())
        defer { workspace.remove() }
        #expect(try workspace.apply(Self.t0).exitCode == 0)
        let later = "2026-11-21T14:00:00Z"
        #expect(try workspace.apply(later).exitCode == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: workspace.statePath))
        let url = try TestPostgres.url()
        let migrate = try workspace.run(["state", "migrate", "--state", workspace.statePath, "--to", url])
        #expect(migrate.exitCode == 0, "\(migrate)")
        #expect(migrate.stdout.contains("snapshot: "), "\(migrate)")
        // The file is only read.
        #expect(try Data(contentsOf: URL(fileURLWithPath: workspace.statePath)) == before)
        // The same storage, lineage, serial and journal; plans say the same.
        let at = "2026-11-21T14:30:00Z"
        #expect(try workspace.run(["state", "list", "--state", url, "--now", at]).stdout
            == workspace.run(["state", "list", "--state", workspace.statePath, "--now", at]).stdout)
        let file = try StateStore(path: workspace.statePath, access: .readOnly)
        let database = try StateStore(path: url, access: .readOnly)
        #expect(try file.reference() == database.reference())
        #expect(try file.journalEntries(applyID: nil) == database.journalEntries(applyID: nil))
        // The same lineage and serial: the same plan, word for word.
        let plan = try workspace.plan(at, [], state: url)
        let filePlan = try workspace.plan(at, [], state: workspace.statePath)
        #expect(plan.stdout.contains("flashplan plan at"), "\(plan)")
        #expect(plan.exitCode == filePlan.exitCode)
        #expect(plan.stdout == filePlan.stdout)
        // The timer goes on from the database.
        #expect(try workspace.apply("2026-11-21T16:00:00Z", state: url).exitCode == 0)
        // A second migrate into the same schema is refused and changes nothing there.
        let serial = try StateStore(path: url, access: .readOnly).serial
        let again = try workspace.run(["state", "migrate", "--state", workspace.statePath, "--to", url])
        #expect(again.exitCode == 1, "\(again)")
        #expect(again.stderr.contains("already holds a state"), "\(again)")
        #expect(try StateStore(path: url, access: .readOnly).serial == serial)
    }

    /// `flashplan sim` on a PostgreSQL state: refused on a state that does not exist (and
    /// creates nothing), and seen by the next command (the outside world, no lease).
    @Test func simEventsActOnAPostgreSQLStateAndNeverCreateOne() throws {
        let workspace = try ApplyWorkspace(copyingPolicies: ())
        defer { workspace.remove() }
        let url = try TestPostgres.url()
        let missing = try workspace.run(["sim", "array-offline", "fs-rome-a", "--state", url, "--now", Self.t0])
        #expect(missing.exitCode == 1, "\(missing)")
        #expect(missing.stderr.contains("does not exist"), "\(missing)")
        #expect(throws: (any Error).self) { try StateStore(path: url, access: .readOnly) }
        #expect(try workspace.apply(Self.t0, state: url).exitCode == 0)
        let offline = try workspace.run(["sim", "array-offline", "fs-rome-a", "--state", url, "--now", "2026-11-21T10:10:00Z"])
        #expect(offline.exitCode == 0, "\(offline)")
        let status = try workspace.run(["status", "--state", url, "--config", "policies", "--now", "2026-11-21T10:20:00Z"])
        #expect(status.stdout.contains("Arrays out of service"), "\(status)")
    }

    /// Red team: `state migrate` copied a file while an apply was writing it (half an
    /// apply, at another serial than it printed). It waits for the file's apply lock.
    @Test func migrateWaitsForAnApplyHoldingTheFilesLock() throws {
        let workspace = try ApplyWorkspace(copyingPolicies: ())
        defer { workspace.remove() }
        #expect(try workspace.apply(Self.t0).exitCode == 0)
        // Another process holds the lock (as an apply does) for a moment.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["-x", workspace.statePath + ".lock", "sleep", "2"]
        try holder.run()
        defer { holder.waitUntilExit() }
        var locked = false
        let deadline = Date().addingTimeInterval(10)
        while !locked, Date() < deadline, holder.isRunning {
            // flock(1) has the lock once a non-blocking attempt fails.
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
            probe.arguments = ["-xn", workspace.statePath + ".lock", "true"]
            try? probe.run()
            probe.waitUntilExit()
            locked = probe.terminationStatus != 0
        }
        #expect(locked)
        let url = try TestPostgres.url()
        let migrate = try workspace.run(["state", "migrate", "--state", workspace.statePath, "--to", url])
        #expect(migrate.exitCode == 0, "\(migrate)")
        #expect(migrate.stderr.contains("Waiting for the state lock"), "\(migrate)")
        #expect(!holder.isRunning)
    }

    /// Red team: `flashplan check | head -1` on a PostgreSQL state crashed (SIGILL):
    /// SwiftNIO ignores SIGPIPE process-wide, so writing to a reader that went away
    /// failed inside Foundation. It ends as SIGPIPE ends it on a file state.
    @Test func aReaderThatWentAwayEndsTheCommandAsSIGPIPEDoes() throws {
        let workspace = try ApplyWorkspace(copyingPolicies: ())
        defer { workspace.remove() }
        let url = try TestPostgres.url()
        #expect(try workspace.apply(Self.t0, state: url).exitCode == 0)
        let binary = try FlashPlanBinary.locate()
        for arguments in [["check"], ["status"]] {
            let pipe = Pipe()
            try pipe.fileHandleForReading.close()
            let process = Process()
            process.executableURL = binary
            process.arguments = arguments + ["--state", url, "--config", "policies", "--now", "2026-11-21T10:30:00Z"]
            process.currentDirectoryURL = workspace.url
            process.standardOutput = pipe.fileHandleForWriting
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGPIPE,
                "\(arguments): \(process.terminationReason.rawValue) \(process.terminationStatus)")
        }
    }
}
