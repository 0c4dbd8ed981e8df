import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

@Suite struct VolumeTests {
    @Test func createResizeMigrateDestroy() throws {
        let sim = try SimFixture()
        try sim.volume("v", size: .gib(100))
        expectRefusal(.alreadyExists, "volume 'v' already exists") { try sim.volume("v") }
        expectRefusal(.notFound, "pool 'p9' does not exist") { try sim.volume("w", pool: "p9") }
        expectRefusal(.refused, "volume 'w' needs a size above 0") { try sim.volume("w", size: .zero) }
        try sim.perform(.resizeVolume(name: "v", size: .gib(200)))
        try sim.perform(.migrateVolume(name: "v", toPool: "p2"))
        expectRefusal(.refused, "volume 'v' is already in pool 'p2'") { try sim.perform(.migrateVolume(name: "v", toPool: "p2")) }
        let v = try sim.volumeState("v")
        #expect(v.size == .gib(200) && v.pool == "p2" && v.online && v.copiesInSync && v.created == SimFixture.start)
        #expect(try sim.pool("p1").virtualCapacity == .zero)
        #expect(try sim.pool("p2").virtualCapacity == .gib(200))
        try sim.perform(.destroyVolume(name: "v"))
        expectRefusal(.notFound, "volume 'v' does not exist") { try sim.perform(.destroyVolume(name: "v")) }
        #expect(try sim.observe().volumes.isEmpty)
        #expect(try sim.pool("p2").usedCapacity == .zero)
    }

    @Test func destroyIsRefusedWhileClonesOrRelationshipsDependOnIt() throws {
        let sim = try SimFixture()
        try sim.volume("db")
        try sim.volume("db_p2", pool: "p2")
        try sim.snapshot("db", "s1")
        try sim.perform(.createClone(name: "c1_db", volume: "db", snapshot: "s1", host: nil))
        expectRefusal(.refused, "volume 'db' has clone 'c1_db'; delete its clones first") {
            try sim.perform(.destroyVolume(name: "db"))
        }
        try sim.perform(.deleteClone(name: "c1_db"))
        try sim.perform(.createRelationship(source: "db", destination: "db_p2", type: .mirror, mode: .async, group: "g"))
        expectRefusal(.refused, "volume 'db' is the source of relationship 'db_p2' (db → db_p2); remove the relationship first") {
            try sim.perform(.destroyVolume(name: "db"))
        }
        expectRefusal(.refused, "volume 'db_p2' is the destination of relationship 'db_p2' (db → db_p2); remove the relationship first") {
            try sim.perform(.destroyVolume(name: "db_p2"))
        }
    }

    @Test func destroyIsRefusedWhileAnImmutableSnapshotIsHeld() throws {
        let sim = try SimFixture()
        try sim.volume("db")
        try sim.snapshot("db", "locked", immutableUntil: sim.at(48))
        expectRefusal(.refused, "volume 'db' holds snapshot 'locked', immutable until 2026-11-23T10:00:00Z; it cannot be destroyed before then") {
            try sim.perform(.destroyVolume(name: "db"), hours: 47)
        }
        try sim.perform(.destroyVolume(name: "db"), hours: 48)
    }

    @Test func smbSharesCanBeProvisionedAndMappedButNotSnapped() throws {
        let sim = try SimFixture()
        try sim.volume("share", protocol: .smb)
        try sim.perform(.mapHost(volume: "share", host: "h1"))
        expectRefusal(.refused, "volume 'share' is an SMB share: SMB shares can be provisioned and mapped but not snapped or backed up") {
            try sim.snapshot("share", "s1")
        }
        try sim.volume("share_p2", pool: "p2", protocol: .smb)
        expectRefusal(.refused, "volume 'share' is an SMB share: SMB shares cannot be backed up or replicated") {
            try sim.perform(.createRelationship(source: "share", destination: "share_p2", type: .vault, mode: .async, group: nil))
        }
        #expect(try sim.volumeState("share").accessProtocol == .smb)
    }

    @Test func mirrorCopiesMustBeOnDifferentArrays() throws {
        let sim = try SimFixture()
        try sim.perform(SimFixture.pool("p1b", ("fs1", .tb(2)), ("fs4", .tb(2))))
        expectRefusal(.refused, "volume 'v' cannot mirror pool 'p1' to pool 'p1b': both take capacity from array 'fs1', and volume mirroring needs the copies on different arrays") {
            try sim.volume("v", mirror: "p1b")
        }
        expectRefusal(.refused, "volume 'v' cannot keep its mirror copy in its own pool 'p1'") { try sim.volume("v", mirror: "p1") }
        try sim.volume("v", mirror: "p2")
        expectRefusal(.alreadyExists, "volume 'v' already has a mirror copy in pool 'p2'") {
            try sim.perform(.addMirrorCopy(volume: "v", pool: "p3"))
        }
        try sim.perform(.removeMirrorCopy(volume: "v"))
        expectRefusal(.notFound, "volume 'v' has no mirror copy") { try sim.perform(.removeMirrorCopy(volume: "v")) }
        try sim.perform(.addMirrorCopy(volume: "v", pool: "p3"))
        expectRefusal(.refused, "volume 'v' cannot move to pool 'p3': its mirror copy is there") {
            try sim.perform(.migrateVolume(name: "v", toPool: "p3"))
        }
        let v = try sim.volumeState("v")
        #expect(v.mirrorPool == "p3")
        #expect(try sim.pool("p3").virtualCapacity == .gib(100))
        try sim.perform(SimFixture.pool("p2b", ("fs2", .tb(1))))
        try sim.perform(.removeMirrorCopy(volume: "v"))
        try sim.perform(.addMirrorCopy(volume: "v", pool: "p2"))
        expectRefusal(.refused, "volume 'v' cannot mirror pool 'p2b' to pool 'p2': both take capacity from array 'fs2', and volume mirroring needs the copies on different arrays") {
            try sim.perform(.migrateVolume(name: "v", toPool: "p2b"))
        }
    }
}
