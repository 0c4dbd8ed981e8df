import FlashPlanSimulator
import Foundation
import Testing

/// DESIGN §6: commands that only read open the state read-only, never create one, and
/// leave it byte-for-byte unchanged. Through the built binary.
@Suite struct StateFileReadOnlyTests {
    typealias Fleet = SmallFleet

    /// Every command that only reads, at `state` (relative to the workspace).
    static func readOnlyRuns(_ workspace: ApplyWorkspace, state: String, now: String) throws -> [FlashPlanBinary.Result] {
        let flags = ["--state", state, "--now", now]
        return [
            try workspace.run(["plan", "--config", "policies"] + flags),
            try workspace.run(["plan", "--config", "policies", "--format", "json"] + flags),
            try workspace.run(["plan", "--config", "policies", "--format", "markdown"] + flags),
            try workspace.run(["state", "list"] + flags),
            try workspace.run(["state", "list", "--format", "json"] + flags),
            try workspace.run(["state", "show", "volume.v1"] + flags),
            try workspace.run(["status", "--config", "policies"] + flags),
            try workspace.run(["status", "--config", "policies", "--format", "json"] + flags),
            // Thresholds no lateness reaches: OK (exit 0) however late the backups are.
            try workspace.run(["check", "--config", "policies", "--rpo-warning", "366d", "--rpo-critical", "366d"] + flags),
            try workspace.run(["history"] + flags),
            try workspace.run(["history", "--format", "json", "--since", "7d"] + flags),
            try workspace.run(["simulate", "--config", "policies", "--days", "1", "--step", "6h"] + flags),
            try workspace.run(["diff", "--base", "policies", "--config", "policies", "--days", "1", "--step", "6h"] + flags),
            try workspace.run(["state", "show", "volume.none"] + flags),
        ]
    }

    @Test func readOnlyCommandsLeaveAStateAtRestByteForByteUnchanged() throws {
        let workspace = try ApplyWorkspace(config: Fleet.config)
        defer { workspace.remove() }
        #expect(try workspace.apply(Fleet.day1).exitCode == 0)
        try workspace.sim(["snapshot", "v1", "by-hand"], now: Fleet.day1)
        let stateDirectory = URL(fileURLWithPath: workspace.statePath).deletingLastPathComponent()
        let before = DirectorySnapshot(stateDirectory)
        #expect(before.entries["state.db"] != nil, "\(before)")

        let runs = try Self.readOnlyRuns(workspace, state: workspace.state, now: Fleet.day2)
        for run in runs.dropLast() { #expect(run.exitCode == 0, "\(run)") }
        #expect(runs.last?.exitCode == 1)
        #expect(runs[3].stdout.contains("by-hand") || runs[4].stdout.contains("by-hand"))

        // SQLite may create the -wal and -shm files any reader of a WAL database needs
        // (empty, the state's owner and mode); the state and everything else is as it was.
        let after = DirectorySnapshot(stateDirectory) { $0.hasSuffix("-wal") || $0.hasSuffix("-shm") }
        #expect(after.entries["state.db"] == before.entries["state.db"], "the state file changed:\nbefore\n\(before)\nafter\n\(after)")
        #expect(after.entries.keys.sorted() == before.entries.keys.filter { !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") }.sorted())
        for suffix in ["-wal", "-shm"] where FileMode.exists(workspace.statePath + suffix) {
            #expect(FileMode.of(workspace.statePath + suffix) == 0o600, "\(suffix)")
            if suffix == "-wal" {
                #expect(FileManager.default.contents(atPath: workspace.statePath + suffix)?.count == 0, "a reader writes nothing to the WAL")
            }
        }
    }

    @Test func readOnlyCommandsReadThroughAWALAnotherProcessHoldsAndChangeNeitherFile() throws {
        let workspace = try ApplyWorkspace(config: Fleet.config)
        defer { workspace.remove() }
        #expect(try workspace.apply(Fleet.day1).exitCode == 0)
        // An open connection keeps the WAL from being checkpointed when `sim` exits: the
        // state is split between the database and its WAL, as during an apply.
        let holder = try StateStore(path: workspace.statePath)
        try workspace.sim(["snapshot", "v1", "by-hand"], now: Fleet.day1)
        let wal = workspace.statePath + "-wal"
        let walBefore = FileManager.default.contents(atPath: wal)
        let dbBefore = FileManager.default.contents(atPath: workspace.statePath)
        #expect((walBefore?.count ?? 0) > 0, "the event is in the WAL")

        let runs = try Self.readOnlyRuns(workspace, state: workspace.state, now: Fleet.day2)
        #expect(runs[4].exitCode == 0 && runs[4].stdout.contains("by-hand"), "the reader sees what is in the WAL: \(runs[4])")
        #expect(FileManager.default.contents(atPath: workspace.statePath) == dbBefore, "no checkpoint by a reader")
        #expect(FileManager.default.contents(atPath: wal) == walBefore)
        withExtendedLifetime(holder) {}
    }

    @Test func aMissingStateIsAnErrorForStateCommandsAndEmptyStorageForPlanAndNothingIsCreated() throws {
        let workspace = try ApplyWorkspace(config: Fleet.config)
        defer { workspace.remove() }
        let typo = "stat/state.db"
        let before = DirectorySnapshot(workspace.url)
        for arguments in [
            ["state", "list"], ["state", "show", "volume.v1"], ["state", "list", "--format", "json"], ["status", "--config", "policies"],
            ["status", "--format", "json"], ["history"], ["history", "--format", "json"],
        ] {
            let run = try workspace.run(arguments + ["--state", typo, "--now", Fleet.day1])
            #expect(run.exitCode == 1, "\(run)")
            #expect(run.stderr.contains(workspace.url.appendingPathComponent(typo).path), "names the path: \(run)")
            #expect(run.stderr.contains("does not exist") && run.stderr.contains("--state"), "says what and how to fix: \(run)")
            #expect(run.stdout.isEmpty)
        }
        let plan = try workspace.run(["plan", "--detailed-exitcode", "--config", "policies", "--state", typo, "--now", Fleet.day1])
        #expect(plan.exitCode == 2, "plans everything against empty storage: \(plan)")
        #expect(plan.stdout.contains("+ array.fa"))
        #expect(plan.stderr.contains("No state at") && plan.stderr.contains("planned against empty storage"), "\(plan)")
        #expect(DirectorySnapshot(workspace.url) == before, "nothing was created")
        #expect(!FileMode.exists(workspace.url.appendingPathComponent("stat").path))
    }

    @Test func aPlanSavedWhenThereWasNoStateAppliesToTheStateTheApplyCreatesOnce() throws {
        let workspace = try ApplyWorkspace(config: Fleet.config)
        defer { workspace.remove() }
        let planFile = workspace.url.appendingPathComponent("first.json").path
        let plan = try workspace.run(["plan", "--out", planFile] + workspace.flags(Fleet.day1))
        #expect(plan.exitCode == 0, "\(plan)")
        #expect(!FileMode.exists(workspace.statePath), "plan created no state")
        let apply = try workspace.run(["apply", planFile] + workspace.flags(Fleet.day1))
        #expect(apply.exitCode == 0, "\(apply)")
        #expect(Set(try workspace.listing(Fleet.day1).volumes).isSuperset(of: ["v1", "v2", "x1"]))
        // Applied once, the state has moved on: the same plan is stale now.
        let again = try workspace.run(["apply", planFile] + workspace.flags(Fleet.day1))
        #expect(again.exitCode == 1 && again.output.contains("make a new plan"), "\(again)")
    }

    @Test func aLooseStateIsReadWithoutBeingChmoddedByReadOnlyCommands() throws {
        let workspace = try ApplyWorkspace(config: Fleet.config)
        defer { workspace.remove() }
        #expect(try workspace.apply(Fleet.day1).exitCode == 0)
        FileMode.set(workspace.statePath, 0o644)
        let list = try workspace.run(["state", "list", "--state", workspace.state, "--now", Fleet.day1])
        #expect(list.exitCode == 0, "\(list)")
        #expect(FileMode.of(workspace.statePath) == 0o644, "a read-only command changes nothing, not even the mode")
        // The next writing command brings it back to 0600 (see StateFilePermissionTests).
        #expect(try workspace.apply(Fleet.day1).exitCode == 0)
        #expect(FileMode.of(workspace.statePath) == 0o600)
    }
}
