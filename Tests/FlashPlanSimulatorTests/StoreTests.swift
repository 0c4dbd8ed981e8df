import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

@Suite struct StoreTests {
    let now = SimFixture.start

    @Test func aNewStateIsCreatedPrivateInWALModeWithItsDirectories() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("a/b/state.db").path
        let store = try StateStore(path: path)
        try store.backend.perform(.createHost(name: "h", site: nil), at: now, journal: nil)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            let mode = try FileManager.default.attributesOfItem(atPath: path + suffix)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600, "\(suffix)")
        }
        #expect(try sqlite3(path, "PRAGMA journal_mode") == "wal")
        #expect(try sqlite3(path, "SELECT identifier FROM grdb_migrations ORDER BY identifier") == "v1-bookkeeping\nv1-storage\nv2-content\nv3-applied-size\nv4-apply-who")
    }

    @Test func lineageIsSetOnceAndSerialPersists() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("state.db").path
        let first = try StateStore(path: path)
        #expect(UUID(uuidString: first.lineage) != nil)
        #expect(try first.serial == 0)
        #expect(try first.beginApply(operation: "apply", now: now) == 1)
        try first.finishApply(id: "1", outcome: "done", now: now)
        // A refused event changes nothing, not even the serial.
        expectRefusal(.notFound, "pool 'none' does not exist") {
            try first.backend.inject(.fillPool(pool: "none", percent: Percentage(10)), at: now)
        }
        // The apply advanced it when it began and when it ended.
        #expect(try first.serial == 2)
        try first.backend.perform(.installArray(name: "fs", model: .flashSystem710, capacity: .tb(1), site: nil), at: now, journal: nil)
        #expect(try first.backend.inject(.arrayOffline(array: "fs"), at: now) == 3)

        let again = try StateStore(path: path)
        #expect(again.lineage == first.lineage)
        #expect(try again.serial == 3)
        let observed = try again.backend.observe(at: now)
        #expect(observed.lineage == first.lineage && observed.serial == 3)
        #expect(try again.applies().map(\.outcome) == ["done"])

        let other = try StateStore(path: directory.appendingPathComponent("other.db").path)
        #expect(other.lineage != first.lineage)
    }

    @Test func beginApplyRefusesAStalePlanAndAdvancesTheSerialOtherwise() throws {
        let store = try StateStore.inMemory()
        #expect(try store.beginApply(id: "a", expecting: (store.lineage, 0), operation: "apply", now: now) == 1)
        #expect(throws: StaleStateError(expectedLineage: store.lineage, expectedSerial: 0, lineage: store.lineage, serial: 1)) {
            try store.beginApply(id: "b", expecting: (store.lineage, 0), operation: "apply", now: now)
        }
        do {
            try store.beginApply(id: "b", expecting: ("other", 1), operation: "apply", now: now)
            Issue.record("a plan of another lineage was accepted")
        } catch let error as StaleStateError {
            #expect(error.description == "the plan was made for state other, but this state is \(store.lineage); make a new plan")
        }
        #expect(try store.serial == 1)
        try store.finishApply(id: "a", outcome: "partial", now: now.addingTimeInterval(5))
        // A plan made while "a" ran (serial 1) is stale once it has ended.
        #expect(try store.serial == 2)
        #expect(throws: StaleStateError(expectedLineage: store.lineage, expectedSerial: 1, lineage: store.lineage, serial: 2)) {
            try store.beginApply(id: "c", expecting: (store.lineage, 1), operation: "apply", now: now)
        }
        let applies = try store.applies()
        #expect(applies.count == 1 && applies[0].serial == 1 && applies[0].finished == now.addingTimeInterval(5))
        #expect(throws: BackendError(.notFound, "no apply with id 'zz' was started in this state")) {
            try store.finishApply(id: "zz", outcome: "done", now: now)
        }
    }

    @Test func theJournalRowCommitsWithTheOperationOrNotAtAll() throws {
        let sim = try SimFixture()
        let entry = JournalEntry(applyID: "a1", actionID: "1", address: "volume.v", outcome: .applied, at: now)
        try sim.backend.perform(.createVolume(VolumeSpec(name: "v", pool: "p1", size: .gib(1))), at: now, journal: entry)
        var refused = entry
        refused.actionID = "2"
        #expect(throws: BackendError.self) {
            try sim.backend.perform(.createVolume(VolumeSpec(name: "v", pool: "p1", size: .gib(1))), at: now, journal: refused)
        }
        // The executor records failures by itself.
        refused.outcome = .failed
        refused.message = "volume 'v' already exists"
        try sim.store.record(refused)
        #expect(try sim.store.journalEntries(applyID: "a1") == [entry, refused])
        #expect(try sim.store.journalEntries(applyID: "other").isEmpty)
        #expect(try sim.observe().volumes.map(\.name) == ["v"])
    }

    @Test func performAllIsAllOrNothing() throws {
        let sim = try SimFixture()
        #expect(throws: BackendError(.alreadyExists, "host 'h1' already exists")) {
            try sim.backend.performAll([.createHost(name: "h2", site: nil), .createHost(name: "h1", site: nil)], at: now)
        }
        #expect(try sim.observe().hosts.map(\.name) == ["h1"])
    }
}
