import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

/// `flashplan state` and `flashplan sim` through the built executable.
@Suite struct CommandLineTests {
    @Test func simEventsAndStateInspection() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("s/state.db").path
        let now = SimFixture.start
        let store = try StateStore(path: path)
        try store.backend.performAll(
            [
                .installCluster(name: "svc1", site: nil, ioGroups: 1),
                .installArray(name: "fs1", model: .flashSystem720, capacity: .tb(6), site: nil),
                SimFixture.pool("p1", ("fs1", .tb(6))),
                .createVolume(VolumeSpec(name: "db", pool: "p1", size: .gib(10))),
            ], at: now)
        let at = ["--state", path, "--now", "2026-11-21T11:00:00Z"]

        var run = try FlashPlanExecutable.run(["sim", "snapshot", "db", "by-hand", "--label", "weekly"] + at)
        #expect(run.exitCode == 0 && run.stdout == "snapshot 'db/by-hand' (label weekly) was taken by hand (serial 1)\n", "\(run.stderr)")
        run = try FlashPlanExecutable.run(["sim", "fill-pool", "p1", "50%"] + at)
        #expect(run.stdout == "pool 'p1' was filled to 50% (serial 2)\n", "\(run.stderr)")
        run = try FlashPlanExecutable.run(["sim", "module-fail", "fs1"] + at)
        #expect(run.stdout == "a flash module of array 'fs1' failed (serial 3)\n")
        run = try FlashPlanExecutable.run(["sim", "resize", "db", "20GiB"] + at)
        #expect(run.stdout == "volume 'db' was resized to 20GiB (serial 4)\n", "\(run.stderr)")
        run = try FlashPlanExecutable.run(["sim", "fail-next", "2", "fs1"] + at)
        #expect(run.exitCode == 0)
        run = try FlashPlanExecutable.run(["sim", "delete-snapshot", "db", "nope"] + at)
        #expect(run.exitCode == 1 && run.stderr.contains("volume 'db' has no snapshot 'nope'"))
        run = try FlashPlanExecutable.run(["sim", "array-offline", "fs1"] + at)
        #expect(run.exitCode == 0)
        run = try FlashPlanExecutable.run(["sim", "array-online", "fs1"] + at)
        #expect(run.stdout == "array 'fs1' came back online (serial 7)\n")

        run = try FlashPlanExecutable.run(["state", "show", "snapshot.db/by-hand", "--format", "json"] + at)
        #expect(run.exitCode == 0 && run.stdout.contains("\"label\" : \"weekly\""), "\(run.stderr)")
        run = try FlashPlanExecutable.run(["state", "show", "volume.nope"] + at)
        #expect(run.exitCode == 1 && run.stderr.contains("volume.nope is not in the state (serial 7)"))
        run = try FlashPlanExecutable.run(["state", "show", "nonsense"] + at)
        #expect(run.exitCode == 1 && run.stderr.contains("'nonsense' is not an address"))
        run = try FlashPlanExecutable.run(["state", "list"] + at)
        #expect(run.exitCode == 0 && run.stdout.contains("fs1   FlashSystem 720  6 TB      -     online"), "\(run.stdout)")
        run = try FlashPlanExecutable.run(["state", "list", "--format", "json"] + at)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        let state = try decoder.decode(ObservedState.self, from: Data(run.stdout.utf8))
        #expect(state.serial == 7 && state.snapshots.map(\.name) == ["by-hand"] && state.volumes[0].size == .gib(20))
        #expect(state.pools[0].usedCapacity >= ByteCount(bytes: 3_000_000_000_000))
    }

    /// A name taken by hand may hold anything; printed, it is escaped: no terminal
    /// sequence acts and no newline forges a row (found by a red-team pass).
    @Test func namesWithControlCharactersArePrintedEscaped() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("state.db").path
        let store = try StateStore(path: path)
        try store.backend.performAll(
            [
                .installCluster(name: "svc1", site: nil, ioGroups: 1),
                .installArray(name: "fs1", model: .flashSystem720, capacity: .tb(6), site: nil),
                SimFixture.pool("p1", ("fs1", .tb(6))),
                .createVolume(VolumeSpec(name: "db", pool: "p1", size: .gib(10))),
            ], at: SimFixture.start)
        let at = ["--state", path, "--now", "2026-11-21T11:00:00Z"]
        let name = "x\u{1B}]0;PWNED\u{07}\u{1B}[31mRED\u{202E}evil\ndb      forged-row"
        var run = try FlashPlanExecutable.run(["sim", "snapshot", "db", name] + at)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stdout == "snapshot 'db/x\\u{1B}]0;PWNED\\u{7}\\u{1B}[31mRED\\u{202E}evil\\ndb      forged-row' (label manual) was taken by hand (serial 1)\n")
        for arguments in [["state", "list"], ["state", "show", "volume.db"]] {
            run = try FlashPlanExecutable.run(arguments + at)
            #expect(run.exitCode == 0, "\(run.stderr)")
            #expect(!run.stdout.unicodeScalars.contains { Escaping.needsEscape($0) && $0 != "\n" }, "\(arguments)")
        }
        run = try FlashPlanExecutable.run(["state", "list"] + at)
        #expect(!run.stdout.contains("\ndb      forged-row"))
        #expect(run.stdout.contains("x\\u{1B}]0;PWNED"))
    }

    /// An event on a state that does not exist is refused and leaves no state behind: a
    /// typo in --state must not create an empty state a later apply would take for empty
    /// storage (found by a red-team pass).
    @Test func anEventOnAMissingStateCreatesNothing() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("typo.db").path
        let run = try FlashPlanExecutable.run(["sim", "array-offline", "fs1", "--state", path, "--now", "2026-11-21T11:00:00Z"])
        #expect(run.exitCode == 1)
        #expect(run.stderr.contains("does not exist"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
}
