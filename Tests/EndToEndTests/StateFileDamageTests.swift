import FlashPlanSimulator
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// DESIGN §6: a state written by a newer flashplan is refused untouched, naming both
/// versions; a state that is a directory, not writable, truncated, corrupted, empty or
/// not a database gets an error naming the path, what is wrong and how to recover; a full
/// disk ends in an honest exit code and summary. Through the built binary.
@Suite struct StateFileDamageTests {
    typealias Fleet = SmallFleet

    /// Every command that opens the state, writing or reading.
    static func everyCommand(_ workspace: ApplyWorkspace, now: String) throws -> [FlashPlanBinary.Result] {
        let flags = ["--state", workspace.state, "--now", now]
        return [
            try workspace.apply(now),
            try workspace.run(["sim", "array-offline", "fa"] + flags),
            try workspace.plan(now),
            try workspace.run(["state", "list"] + flags),
            try workspace.run(["state", "show", "volume.v1"] + flags),
        ]
    }

    /// A workspace whose state has been applied once, and its bytes.
    static func appliedWorkspace() throws -> ApplyWorkspace {
        let workspace = try ApplyWorkspace(config: Fleet.config)
        let run = try workspace.apply(Fleet.day1)
        #expect(run.exitCode == 0, "\(run)")
        return workspace
    }

    /// Runs every command on a damaged state: each fails with exit 1 and a message naming
    /// the path, `what` and a remedy; none says a bare SQLite error; the file is unchanged.
    func expectRefused(
        _ workspace: ApplyWorkspace, what: String, remedy: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = FileManager.default.contents(atPath: workspace.statePath)
        for run in try Self.everyCommand(workspace, now: Fleet.day2) {
            #expect(run.exitCode == 1, "\(run)", sourceLocation: sourceLocation)
            #expect(run.output.contains("state \(workspace.statePath) \(what)"), "\(run)", sourceLocation: sourceLocation)
            #expect(run.output.contains(remedy), "\(run)", sourceLocation: sourceLocation)
            #expect(!run.output.contains("SQLite error"), "never a bare database error: \(run)", sourceLocation: sourceLocation)
            if run.arguments.first == "apply" {
                #expect(run.output.contains("Nothing was applied"), "\(run)", sourceLocation: sourceLocation)
            }
        }
        #expect(FileManager.default.contents(atPath: workspace.statePath) == before, "the state was left as it was", sourceLocation: sourceLocation)
    }

    @Test func aStateWrittenByANewerFlashplanIsRefusedUntouchedNamingBothVersions() throws {
        guard StateDatabase.hasSQLite3 else {
            print("skipped: \(StateDatabase.sqlite3) is not installed (needed to add a migration from the future)")
            return
        }
        let workspace = try Self.appliedWorkspace()
        defer { workspace.remove() }
        _ = try StateDatabase.query(workspace.statePath, "INSERT INTO grdb_migrations VALUES ('v9-from-the-future')")
        try expectRefused(
            workspace,
            what: "was written by a newer flashplan: its schema is version 6 (migrations v9-from-the-future are unknown here), and this flashplan \(StateStore.toolVersion) knows schema version 5",
            remedy: "It was left untouched.")
    }

    @Test func aStateThatIsADirectoryIsRefused() throws {
        let workspace = try ApplyWorkspace(config: Fleet.config)
        defer { workspace.remove() }
        try FileManager.default.createDirectory(atPath: workspace.statePath, withIntermediateDirectories: true)
        try expectRefused(workspace, what: "is a directory, not a state file", remedy: "Point --state (or FLASHPLAN_STATE) at the database file")
    }

    @Test func anEmptyStateIsRefusedNotStartedOver() throws {
        let workspace = try Self.appliedWorkspace()
        defer { workspace.remove() }
        #expect(truncate(workspace.statePath, 0) == 0)
        try expectRefused(workspace, what: "is empty (0 bytes)", remedy: "Restore it from a backup")
    }

    @Test func aTextFileIsRefusedAsNotADatabase() throws {
        let workspace = try ApplyWorkspace(config: Fleet.config)
        defer { workspace.remove() }
        try workspace.dir.write(workspace.state, "arrays: {}\n")
        try expectRefused(workspace, what: "is not a SQLite database (11 bytes starting with \"arrays: {}.\")", remedy: "Check that --state names the state file")
    }

    @Test func anotherApplicationsDatabaseIsRefusedAndNotMigrated() throws {
        guard StateDatabase.hasSQLite3 else {
            print("skipped: \(StateDatabase.sqlite3) is not installed")
            return
        }
        let workspace = try ApplyWorkspace(config: Fleet.config)
        defer { workspace.remove() }
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: workspace.statePath).deletingLastPathComponent().path, withIntermediateDirectories: true)
        _ = try StateDatabase.query(workspace.statePath, "CREATE TABLE inventory (item TEXT)")
        try expectRefused(workspace, what: "is a SQLite database but not a flashplan state", remedy: "flashplan will not add its tables to it")
    }

    @Test func aTruncatedStateIsRefused() throws {
        let workspace = try Self.appliedWorkspace()
        defer { workspace.remove() }
        let size = try FileManager.default.attributesOfItem(atPath: workspace.statePath)[.size] as! Int
        #expect(truncate(workspace.statePath, off_t(size / 2 + 100)) == 0)
        try expectRefused(workspace, what: "is truncated: it holds \(size / 2 + 100) bytes where its header says \(size)", remedy: "Restore it from a backup")
    }

    @Test func aStateWithRandomBytesInTheMiddleIsRefusedAsCorrupted() throws {
        let workspace = try Self.appliedWorkspace()
        defer { workspace.remove() }
        var bytes = try #require(FileManager.default.contents(atPath: workspace.statePath))
        // Pages 2 onwards to the middle (page 1 holds the schema): every table's pages are hit.
        var generator = SeededGenerator(seed: 6)
        let pageSize = 4096
        for offset in pageSize..<(bytes.count / 2 + pageSize) { bytes[offset] = UInt8.random(in: 0...255, using: &generator) }
        try bytes.write(to: URL(fileURLWithPath: workspace.statePath))
        try expectRefused(workspace, what: "is corrupted (SQLite: database disk image is malformed)", remedy: "PRAGMA integrity_check")
    }

    /// Root writes a 0400 file anyway, so a read-only state is made with a read-only bind
    /// mount of its directory: what root sees on a read-only file system.
    @Test func aStateOnAReadOnlyFileSystemIsReadButNotWritten() throws {
        let workspace = try Self.appliedWorkspace()
        defer { workspace.remove() }
        let stateDirectory = URL(fileURLWithPath: workspace.statePath).deletingLastPathComponent()
        let readOnly = workspace.url.appendingPathComponent("ro")
        if let reason = TestMount.readOnlyBind(stateDirectory, at: readOnly) {
            print("skipped: \(reason)")
            return
        }
        defer { TestMount.unmount(readOnly) }
        let state = "ro/state.db"
        let path = workspace.url.appendingPathComponent(state).path
        let before = FileManager.default.contents(atPath: path)
        let flags = ["--state", state, "--now", Fleet.day2]
        for run in [try workspace.apply(Fleet.day2, state: state), try workspace.run(["sim", "array-offline", "fa"] + flags)] {
            #expect(run.exitCode == 1, "\(run)")
            // apply stops at the lock file beside the state; sim at the state itself.
            #expect(run.output.contains("Read-only file system"), "\(run)")
            #expect(run.output.contains(path) || run.output.contains(state + ".lock"), "\(run)")
        }
        let sim = try workspace.run(["sim", "array-offline", "fa"] + flags)
        #expect(sim.output.contains("state \(path) cannot be written") && sim.output.contains("plan and state only read it"), "\(sim)")
        let list = try workspace.run(["state", "list"] + flags)
        #expect(list.exitCode == 0 && list.stdout.contains("fa"), "a read-only state can still be read: \(list)")
        #expect(try workspace.plan(Fleet.day2, state: state).exitCode == 2)
        #expect(FileManager.default.contents(atPath: path) == before)
    }

    /// A small tmpfs holds the state; filled up, an apply ends with an exit code that says
    /// what committed (1 nothing, 3 some) and a summary of it; once there is space again
    /// the next apply converges on an intact state.
    @Test func aFullDiskEndsInAnHonestExitCodeAndSummary() throws {
        let workspace = try ApplyWorkspace(config: Fleet.config)
        defer { workspace.remove() }
        let mount = workspace.url.appendingPathComponent("small")
        if let reason = TestMount.tmpfs(at: mount, size: "2m") {
            print("skipped: \(reason)")
            return
        }
        defer { TestMount.unmount(mount) }
        let state = "small/state.db"
        #expect(try workspace.apply(Fleet.day1, state: state).exitCode == 0)
        let filler = mount.appendingPathComponent("filler").path
        // Fill the file system, leaving (about) `spare` bytes.
        func fill(leaving spare: Int) throws {
            try? FileManager.default.removeItem(atPath: filler)
            var info = statvfs()
            #expect(statvfs(mount.path, &info) == 0)
            let free = Int(info.f_bavail) * Int(info.f_frsize)
            // Filling is best effort: a filler cut short by the full disk fills it all the same.
            _ = FileManager.default.createFile(atPath: filler, contents: Data(count: max(0, free - spare)))
        }
        var outcomes: [Int32] = []
        for (hour, spare) in [(11, 0), (12, 16 * 1024), (13, 48 * 1024), (14, 96 * 1024)] {
            try fill(leaving: spare)
            let now = "2026-11-2\(hour - 10 + 1)T\(hour):00:00Z"
            let run = try workspace.apply(now, state: state)
            outcomes.append(run.exitCode)
            try? FileManager.default.removeItem(atPath: filler)
            let applies = try StateDatabase.applies(workspace.url.appendingPathComponent(state).path)
            let journal = try StateDatabase.journal(workspace.url.appendingPathComponent(state).path)
            #expect(!run.output.contains("SQLite error"), "\(run)")
            switch run.exitCode {
            case 0:
                #expect(run.output.contains("Apply complete!"), "\(run)")
            case 1:
                #expect(run.output.contains("is full") && run.output.contains("Nothing was applied"), "\(run)")
                // Nothing applied: no applied journal row after the previous apply's.
                if let last = applies.last, last.started == ISOTime.date(now) {
                    #expect(journal.filter { $0.applyID == last.id && $0.outcome == .applied }.isEmpty, "\(run)")
                }
            case 3:
                #expect(run.output.contains("is full") && run.output.contains("Apply partly failed."), "\(run)")
                let last = try #require(applies.last)
                let applied = journal.filter { $0.applyID == last.id && $0.outcome == .applied }.count
                #expect(applied > 0 && run.output.contains("\(applied) applied"), "the summary counts what committed: \(applied)\n\(run)")
            default:
                Issue.record("unexpected exit code: \(run)")
            }
        }
        print("full disk: exit codes \(outcomes) with 0, 16, 48 and 96 KiB free")
        #expect(outcomes.first != 0, "a full disk is not success: \(outcomes)")
        let recovered = try workspace.apply("2026-11-26T10:00:00Z", state: state)
        #expect(recovered.exitCode == 0, "with space again the next apply converges: \(recovered)")
        if StateDatabase.hasSQLite3 {
            #expect(try StateDatabase.query(workspace.url.appendingPathComponent(state).path, "PRAGMA integrity_check") == ["ok"])
        }
    }
}
