import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

@Suite struct SnapshotTests {
    @Test func theTwoHundredFiftySixthSnapshotIsRefused() throws {
        let sim = try SimFixture()
        try sim.volume("db01")
        for index in 0..<255 { try sim.snapshot("db01", "s\(index)") }
        expectRefusal(.limitExceeded, "volume 'db01' already has 255 snapshots, the most a FlashSystem volume can hold; snapshot 's255' was not taken") {
            try sim.snapshot("db01", "s255")
        }
        try sim.perform(.deleteSnapshot(volume: "db01", name: "s0"))
        try sim.snapshot("db01", "s255")
        #expect(try sim.observe().snapshots.count == 255)
    }

    @Test func snapshotsCarryTheirBackupAttributesAndSortByVolumeTimeName() throws {
        let sim = try SimFixture()
        try sim.volume("b")
        try sim.volume("a")
        try sim.perform(.createSnapshot(SnapshotSpec(volume: "b", name: "z", label: "hourly", hosts: ["h1", "h2"], tag: "t", group: "g", immutableUntil: sim.at(5))), hours: 1)
        try sim.snapshot("b", "y", hours: 1)
        try sim.snapshot("b", "x", hours: 2)
        try sim.snapshot("a", "w", hours: 3)
        let snapshots = try sim.observe(hours: 3).snapshots
        #expect(snapshots.map { "\($0.volume)/\($0.name)" } == ["a/w", "b/y", "b/z", "b/x"])
        #expect(snapshots[2] == ObservedSnapshot(volume: "b", name: "z", label: "hourly", created: sim.at(1), hosts: ["h1", "h2"], tag: "t", group: "g", immutableUntil: sim.at(5)))
        #expect(snapshots[1].tag == nil && snapshots[1].group == nil && snapshots[1].immutableUntil == nil)
    }

    @Test func namesAreUniquePerVolume() throws {
        let sim = try SimFixture()
        try sim.volume("db")
        try sim.volume("db2")
        try sim.snapshot("db", "s1")
        try sim.snapshot("db2", "s1")
        expectRefusal(.alreadyExists, "volume 'db' already has a snapshot named 's1'") { try sim.snapshot("db", "s1") }
        expectRefusal(.notFound, "volume 'db' has no snapshot 'nope'") {
            try sim.perform(.deleteSnapshot(volume: "db", name: "nope"))
        }
        expectRefusal(.notFound, "volume 'nope' does not exist") { try sim.snapshot("nope", "s1") }
    }

    @Test func aSnapshotWithClonesCannotBeDeleted() throws {
        let sim = try SimFixture()
        try sim.volume("db")
        try sim.snapshot("db", "s1")
        try sim.perform(.createClone(name: "c1_db", volume: "db", snapshot: "s1", host: "h1"))
        expectRefusal(.refused, "snapshot 'db/s1' has clone 'c1_db'; delete the clone first") {
            try sim.perform(.deleteSnapshot(volume: "db", name: "s1"))
        }
        try sim.perform(.deleteClone(name: "c1_db"))
        try sim.perform(.deleteSnapshot(volume: "db", name: "s1"))
    }

    @Test func anImmutableSnapshotCannotBeDeletedBeforeItsTime() throws {
        let sim = try SimFixture()
        try sim.volume("db")
        try sim.snapshot("db", "s1", immutableUntil: sim.at(24))
        expectRefusal(.refused, "snapshot 'db/s1' is immutable until 2026-11-22T10:00:00Z; it cannot be deleted before then") {
            try sim.perform(.deleteSnapshot(volume: "db", name: "s1"), hours: 23.9)
        }
        try sim.perform(.deleteSnapshot(volume: "db", name: "s1"), hours: 24)
    }

    @Test func renameKeepsClonesPointingAtTheSnapshot() throws {
        let sim = try SimFixture()
        try sim.volume("db")
        try sim.snapshot("db", "s1")
        try sim.snapshot("db", "s2")
        try sim.perform(.createClone(name: "c1_db", volume: "db", snapshot: "s1", host: nil))
        expectRefusal(.alreadyExists, "volume 'db' already has a snapshot named 's2'") {
            try sim.perform(.renameSnapshot(volume: "db", name: "s1", newName: "s2"))
        }
        try sim.perform(.renameSnapshot(volume: "db", name: "s1", newName: "gold"))
        let state = try sim.observe()
        #expect(state.clones.map(\.parentSnapshot) == ["gold"])
        #expect(Set(state.snapshots.map(\.name)) == ["gold", "s2"])
        try sim.perform(.restoreSnapshot(volume: "db", name: "gold"))
        expectRefusal(.notFound, "volume 'db' has no snapshot 's1'") { try sim.perform(.restoreSnapshot(volume: "db", name: "s1")) }
    }
}
