import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

/// What a volume holds (`sim write`, snapshots, reverse FlashCopy, transfers, clones):
/// the simulator's proof that a restore gives back exactly a backup's data.
@Suite struct ContentTests {
    func content(_ sim: SimFixture, _ volume: String, hours: Double = 0) throws -> Int {
        try sim.volumeState(volume, hours: hours).content
    }

    func snapshotContent(_ sim: SimFixture, _ volume: String, _ name: String) throws -> Int {
        try #require(try sim.observe().snapshots.first { $0.volume == volume && $0.name == name }).content
    }

    @Test func writesMakeNewVersionsSnapshotsCaptureThemAndARestoreGivesThemBack() throws {
        let sim = try SimFixture()
        try sim.volume("db")
        #expect(try content(sim, "db") == 0)
        try sim.backend.inject(.writeVolume(volume: "db"), at: sim.at(0))
        try sim.snapshot("db", "s1")
        try sim.backend.inject(.writeVolume(volume: "db"), at: sim.at(0))
        try sim.snapshot("db", "s2")
        try sim.backend.inject(.writeVolume(volume: "db"), at: sim.at(0))
        #expect(try snapshotContent(sim, "db", "s1") == 1)
        #expect(try snapshotContent(sim, "db", "s2") == 2)
        #expect(try content(sim, "db") == 3)

        try sim.perform(.restoreSnapshot(volume: "db", name: "s1"))
        #expect(try content(sim, "db") == 1)
        // Every snapshot is kept, the newer one included, with what it captured.
        #expect(try sim.observe().snapshots.map(\.name) == ["s1", "s2"])
        #expect(try snapshotContent(sim, "db", "s2") == 2)
        // A write after a restore is a version no snapshot holds, not a reused one.
        try sim.backend.inject(.writeVolume(volume: "db"), at: sim.at(0))
        #expect(try content(sim, "db") == 4)
    }

    @Test func aWriteToAnOfflineVolumeOrAnUnknownOneIsRefused() throws {
        let sim = try SimFixture()
        try sim.volume("db")
        expectRefusal(.notFound, "volume 'nope' does not exist") { try sim.backend.inject(.writeVolume(volume: "nope"), at: sim.at(0)) }
        try sim.backend.inject(.arrayOffline(array: "fs1"), at: sim.at(0))
        #expect(throws: BackendError.self) { try sim.backend.inject(.writeVolume(volume: "db"), at: sim.at(0)) }
    }

    @Test func transfersCarryContentAndRestoringADestinationBreaksItsRelationshipUntilAResync() throws {
        let sim = try SimFixture()
        try sim.volume("db")
        try sim.perform(.createVolume(VolumeSpec(name: "db_dr", pool: "p2", size: .gib(100), role: .destination)))
        try sim.perform(.createRelationship(source: "db", destination: "db_dr", type: .mirror, mode: .async, group: "g"))
        try sim.perform(.initializeRelationship(destination: "db_dr"))
        try sim.backend.inject(.writeVolume(volume: "db"), at: sim.at(0))
        try sim.snapshot("db", "s1")
        try sim.backend.inject(.writeVolume(volume: "db"), at: sim.at(0))
        try sim.snapshot("db", "s2", hours: 1)
        try sim.perform(.updateRelationship(destination: "db_dr", transfer: ["s1", "s2"], drop: []), hours: 1)
        #expect(try snapshotContent(sim, "db_dr", "s1") == 1)
        #expect(try content(sim, "db_dr", hours: 1) == 2, "a destination shows its newest transferred snapshot")

        try sim.backend.inject(.arrayOffline(array: "fs1"), at: sim.at(2))
        try sim.perform(.restoreSnapshot(volume: "db_dr", name: "s1"), hours: 2)
        #expect(try content(sim, "db_dr", hours: 2) == 1)
        #expect(try sim.observe(hours: 2).relationships.first?.state == .broken)
        try sim.backend.inject(.arrayOnline(array: "fs1"), at: sim.at(3))
        expectRefusal(.refused, "relationship 'db_dr' (db → db_dr) is broken; resync it before updating") {
            try sim.perform(.updateRelationship(destination: "db_dr", transfer: [], drop: []), hours: 3)
        }
        // A resync discards what was restored there: the destination holds its source's data again.
        try sim.perform(.resyncRelationship(destination: "db_dr"), hours: 3)
        #expect(try content(sim, "db_dr", hours: 3) == 2)
    }

    @Test func aCloneStartsWithItsParentSnapshotsContent() throws {
        let sim = try SimFixture()
        try sim.volume("db")
        try sim.backend.inject(.writeVolume(volume: "db"), at: sim.at(0))
        try sim.snapshot("db", "s1")
        try sim.backend.inject(.writeVolume(volume: "db"), at: sim.at(0))
        try sim.perform(.createClone(name: "report", volume: "db", snapshot: "s1", host: nil))
        #expect(try content(sim, "report") == 1)
    }

    /// A state written before volumes tracked content (schema v1) is upgraded by the first
    /// writer, its volumes and snapshots at version 0; a reader refuses it untouched.
    @Test func aStateWithoutContentIsMigratedByTheFirstWriterOnly() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("state.db").path
        do {
            let store = try StateStore(path: path)
            try store.backend.performAll(
                [
                    .installCluster(name: "svc1", site: nil, ioGroups: 1),
                    .installArray(name: "fs1", model: .flashSystem720, capacity: .tb(12), site: nil),
                    SimFixture.pool("p1", ("fs1", .tb(6))),
                    .createVolume(VolumeSpec(name: "db", pool: "p1", size: .gib(100))),
                    .createSnapshot(SnapshotSpec(volume: "db", name: "s1", label: "daily")),
                ], at: SimFixture.start)
        }
        // Back to schema v1, as an older flashplan left it.
        let downgrade = try sqlite3(
            path,
            "ALTER TABLE volume DROP COLUMN content; ALTER TABLE volume DROP COLUMN writes; ALTER TABLE snapshot DROP COLUMN content; DELETE FROM grdb_migrations WHERE identifier = 'v2-content';")
        #expect(downgrade.isEmpty, "\(downgrade)")

        #expect(throws: StateFileError.self) { try StateStore(path: path, access: .readOnly) }
        let store = try StateStore(path: path)
        let observed = try store.backend.observe(at: SimFixture.start)
        #expect(observed.volumes.first { $0.name == "db" }?.content == 0)
        #expect(observed.snapshots.map(\.content) == [0])
        try store.backend.inject(.writeVolume(volume: "db"), at: SimFixture.start)
        #expect(try store.backend.observe(at: SimFixture.start).volumes.first { $0.name == "db" }?.content == 1)
        #expect(try sqlite3(path, "SELECT identifier FROM grdb_migrations ORDER BY identifier").contains("v2-content"))
    }
}
