import FlashPlanSimulator
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// DESIGN §6: the lock file, temporaries and outputs are never written through a planted
/// symbolic link; state files are 0600 however they came to exist, directories flashplan
/// creates 0700; output paths are checked before anything runs. Through the built binary,
/// as root (as the timer runs it).
@Suite struct StateFileAttackTests {
    typealias Fleet = SmallFleet

    /// A file an attacker would like root to overwrite, and what it holds.
    struct Victim {
        let path: String
        let content = "root:x:0:0:do not touch\n"
        init(in workspace: ApplyWorkspace) throws {
            path = workspace.url.appendingPathComponent("victim").path
            try content.write(toFile: path, atomically: false, encoding: .utf8)
            FileMode.set(path, 0o644)
        }
        var untouched: Bool {
            (try? String(contentsOfFile: path, encoding: .utf8)) == content && FileMode.of(path) == 0o644
        }
    }

    /// The serial of the state, or nil when there is none.
    func serial(_ workspace: ApplyWorkspace) throws -> Int? {
        guard FileMode.exists(workspace.statePath) else { return nil }
        return try StateDatabase.applies(workspace.statePath).last?.serial ?? 0
    }

    @Test func aLinkPlantedAtTheLockFileIsRefusedAndItsTargetUntouched() throws {
        let workspace = try ApplyWorkspace(config: Fleet.config)
        defer { workspace.remove() }
        let victim = try Victim(in: workspace)
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: workspace.statePath).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: workspace.statePath + ".lock", withDestinationPath: victim.path)
        let run = try workspace.apply(Fleet.day1)
        #expect(run.exitCode == 1, "\(run)")
        #expect(run.output.contains("state.db.lock is a symbolic link"), "\(run)")
        #expect(run.output.contains("Nothing was applied"))
        #expect(victim.untouched)
        #expect(!FileMode.exists(workspace.statePath), "no state was created behind the refused lock")
    }

    @Test func linksPlantedAtTheStateOrItsWALAreRefusedAndTheirTargetsUntouched() throws {
        let workspace = try ApplyWorkspace(config: Fleet.config)
        defer { workspace.remove() }
        let victim = try Victim(in: workspace)
        let directory = URL(fileURLWithPath: workspace.statePath).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: workspace.statePath, withDestinationPath: victim.path)
        for run in [
            try workspace.apply(Fleet.day1),
            try workspace.run(["sim", "array-offline", "fa", "--state", workspace.state, "--now", Fleet.day1]),
            try workspace.run(["state", "list", "--state", workspace.state, "--now", Fleet.day1]),
            try workspace.plan(Fleet.day1),
        ] {
            #expect(run.exitCode == 1, "\(run)")
            #expect(run.output.contains("\(workspace.statePath) is a symbolic link"), "\(run)")
        }
        #expect(victim.untouched)

        // A real state with a link planted at its -wal: SQLite would write the WAL through it.
        try FileManager.default.removeItem(atPath: workspace.statePath)
        #expect(try workspace.apply(Fleet.day1).exitCode == 0)
        try FileManager.default.createSymbolicLink(atPath: workspace.statePath + "-wal", withDestinationPath: victim.path)
        let run = try workspace.apply(Fleet.day2)
        #expect(run.exitCode == 1 && run.output.contains("-wal file that is not a regular file"), "\(run)")
        #expect(victim.untouched)
    }

    @Test func aLinkPlantedAtAnOutputIsRefusedBeforeAnythingRunsAndItsTargetUntouched() throws {
        let workspace = try ApplyWorkspace(config: Fleet.config)
        defer { workspace.remove() }
        let victim = try Victim(in: workspace)
        let out = workspace.url.appendingPathComponent("plan.json").path
        try FileManager.default.createSymbolicLink(atPath: out, withDestinationPath: victim.path)
        let plan = try workspace.plan(Fleet.day1, ["--out", out])
        #expect(plan.exitCode == 1 && plan.stderr.contains("--out \(out) is a symbolic link"), "\(plan)")
        #expect(plan.stdout.isEmpty, "no plan is shown for a file that cannot be saved")

        let metrics = workspace.url.appendingPathComponent("flashplan.prom").path
        try FileManager.default.createSymbolicLink(atPath: metrics, withDestinationPath: victim.path)
        let apply = try workspace.apply(Fleet.day1, ["--metrics-file", metrics])
        #expect(apply.exitCode == 1 && apply.output.contains("--metrics-file \(metrics) is a symbolic link"), "\(apply)")
        #expect(apply.output.contains("Nothing was applied"))
        #expect(try serial(workspace) == nil, "nothing was applied, no state created")
        #expect(victim.untouched)
        #expect(FileMode.exists(out) && FileMode.exists(metrics), "the links themselves are left for the admin to look at")
    }

    @Test func outputsAreWrittenAtomicallyWithTheirModeAndNoTemporaryLeftBehind() throws {
        let workspace = try ApplyWorkspace(config: Fleet.config)
        defer { workspace.remove() }
        let out = workspace.url.appendingPathComponent("plan.json").path
        let metrics = workspace.url.appendingPathComponent("flashplan.prom").path
        // Old files, 0666, that the writes replace (never rewrite in place).
        for path in [out, metrics] {
            try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
            FileMode.set(path, 0o666)
        }
        let hardLink = workspace.url.appendingPathComponent("hard-link-to-plan").path
        #expect(link(out, hardLink) == 0)
        let plan = try workspace.plan(Fleet.day1, ["--out", out])
        #expect(plan.exitCode == 2, "\(plan)")
        let apply = try workspace.apply(Fleet.day1, ["--metrics-file", metrics])
        #expect(apply.exitCode == 0, "\(apply)")
        #expect(try String(contentsOfFile: hardLink, encoding: .utf8) == "old\n", "replaced by rename, not written in place")
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("\"format_version\""))
        #expect(try String(contentsOfFile: metrics, encoding: .utf8).contains("flashplan_last_apply_outcome"))
        #expect(FileMode.of(out) == 0o644 && FileMode.of(metrics) == 0o644, "mode set on the descriptor, whatever the umask and the old file")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: workspace.url.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test func outputPathsAreCheckedBeforeAnythingIsApplied() throws {
        let workspace = try ApplyWorkspace(config: Fleet.config)
        defer { workspace.remove() }
        #expect(try workspace.apply(Fleet.day1).exitCode == 0)
        let before = try serial(workspace)
        let listing = try workspace.listing(Fleet.day2).canonical
        let missingDirectory = workspace.url.appendingPathComponent("no-such-dir/flashplan.prom").path
        let aDirectory = workspace.url.appendingPathComponent("policies").path
        for (metrics, what) in [(missingDirectory, "does not exist"), (aDirectory, "is a directory")] {
            let run = try workspace.apply(Fleet.day2, ["--metrics-file", metrics])
            #expect(run.exitCode == 1, "\(run)")
            #expect(run.output.contains("--metrics-file \(metrics)") && run.output.contains(what), "\(run)")
            #expect(run.output.contains("Nothing was applied"))
        }
        for (out, what) in [(missingDirectory, "does not exist"), (aDirectory, "is a directory")] {
            let run = try workspace.plan(Fleet.day2, ["--out", out])
            #expect(run.exitCode == 1 && run.stderr.contains("--out \(out)") && run.stderr.contains(what), "\(run)")
        }
        #expect(try serial(workspace) == before, "no apply started")
        #expect(try workspace.listing(Fleet.day2).canonical == listing, "the storage is as it was")
        #expect(!FileMode.exists(workspace.url.appendingPathComponent("no-such-dir").path), "no directory made for an output")
    }

    @Test func stateFilesArePrivateHoweverTheyCameToExist() throws {
        let workspace = try ApplyWorkspace(config: Fleet.config)
        defer { workspace.remove() }
        // Created by apply, in directories it creates.
        let nested = "deep/er/state.db"
        #expect(try workspace.apply(Fleet.day1, state: nested).exitCode == 0)
        let deep = workspace.url.appendingPathComponent("deep").path
        #expect(FileMode.of(deep) == 0o700 && FileMode.of(deep + "/er") == 0o700)
        let created = workspace.url.appendingPathComponent(nested).path
        for path in [created, created + ".lock", created + "-wal", created + "-shm"] where FileMode.exists(path) {
            #expect(FileMode.of(path) == 0o600, "\(path)")
        }

        // Not created by a `sim` event: an event on a state that does not exist is refused
        // and leaves neither a file nor a directory behind.
        let bySim = workspace.url.appendingPathComponent("sim/state.db").path
        let sim = try workspace.run(["sim", "fail-next", "1", "fa", "--state", bySim, "--now", Fleet.day1])
        #expect(sim.exitCode == 1 && sim.stderr.contains("does not exist"), "\(sim)")
        #expect(!FileMode.exists(bySim) && !FileMode.exists(workspace.url.appendingPathComponent("sim").path))

        // Pre-existing with looser permissions: the next writing command tightens them.
        // A connection held open keeps the -wal and -shm in place to be tightened too.
        let holder = try StateStore(path: created)
        try holder.backend.inject(.arrayOffline(array: "fb"), at: ISOTime.date(Fleet.day1))
        for path in [created, created + ".lock", created + "-wal", created + "-shm"] { FileMode.set(path, 0o666) }
        #expect(try workspace.apply(Fleet.day2, state: nested).exitCode != 1)
        for path in [created, created + ".lock", created + "-wal", created + "-shm"] {
            #expect(FileMode.of(path) == 0o600, "\(path) is \(String(FileMode.of(path) ?? 0, radix: 8))")
        }
        withExtendedLifetime(holder) {}
        // An existing directory is the admin's: flashplan does not chmod it.
        #expect(FileMode.of(workspace.url.path) != nil)
    }
}
