import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

@Suite struct ReplicationTests {
    func site() throws -> SimFixture {
        let sim = try SimFixture()
        try sim.volume("db", pool: "p1")
        try sim.volume("db_p2", pool: "p2")
        try sim.perform(.createRelationship(source: "db", destination: "db_p2", type: .mirror, mode: .async, group: "g"))
        return sim
    }

    func relationship(_ sim: SimFixture, hours: Double = 0) throws -> ObservedRelationship {
        try #require(try sim.observe(hours: hours).relationships.first)
    }

    @Test func lifecycleUninitializedIdleBrokenIdle() throws {
        let sim = try site()
        #expect(try relationship(sim) == ObservedRelationship(source: "db", destination: "db_p2", type: .mirror, mode: .async, state: .uninitialized, lastTransfer: nil, group: "g"))
        try sim.snapshot("db", "s1")
        expectRefusal(.refused, "relationship 'db_p2' (db → db_p2) is uninitialized; initialize it before updating") {
            try sim.perform(.updateRelationship(destination: "db_p2", transfer: ["s1"], drop: []))
        }
        expectRefusal(.refused, "relationship 'db_p2' (db → db_p2) is uninitialized; initialize it instead of resyncing") {
            try sim.perform(.resyncRelationship(destination: "db_p2"))
        }
        try sim.perform(.initializeRelationship(destination: "db_p2"), hours: 1)
        #expect(try relationship(sim, hours: 1).state == .idle)
        #expect(try relationship(sim, hours: 1).lastTransfer == sim.at(1))
        expectRefusal(.refused, "relationship 'db_p2' (db → db_p2) is already initialized (idle)") {
            try sim.perform(.initializeRelationship(destination: "db_p2"), hours: 1)
        }
        try sim.perform(.updateRelationship(destination: "db_p2", transfer: ["s1"], drop: []), hours: 2)
        #expect(try relationship(sim, hours: 2).lastTransfer == sim.at(2))

        try sim.backend.inject(.breakRelationship(destination: "db_p2"), at: sim.at(3))
        #expect(try relationship(sim, hours: 3).state == .broken)
        expectRefusal(.refused, "relationship 'db_p2' (db → db_p2) is broken; resync it before updating") {
            try sim.perform(.updateRelationship(destination: "db_p2", transfer: [], drop: []), hours: 3)
        }
        expectRefusal(.refused, "relationship 'db_p2' (db → db_p2) is already broken") {
            try sim.backend.inject(.breakRelationship(destination: "db_p2"), at: sim.at(3))
        }
        try sim.perform(.resyncRelationship(destination: "db_p2"), hours: 4)
        #expect(try relationship(sim, hours: 4).state == .idle)
        try sim.perform(.updateRelationship(destination: "db_p2", transfer: [], drop: []), hours: 4)
        expectRefusal(.notFound, "relationship 'db' does not exist: no relationship has destination 'db'") {
            try sim.perform(.initializeRelationship(destination: "db"))
        }
    }

    @Test func updateCopiesNamedSnapshotsAndDropsOthers() throws {
        let sim = try site()
        try sim.perform(.initializeRelationship(destination: "db_p2"))
        try sim.perform(.createSnapshot(SnapshotSpec(volume: "db", name: "s1", label: "daily", hosts: ["h1"], tag: "t", group: "g", immutableUntil: sim.at(100))), hours: 1)
        try sim.snapshot("db", "s2", hours: 2)
        try sim.snapshot("db", "s3", hours: 3)
        try sim.perform(.updateRelationship(destination: "db_p2", transfer: ["s1", "s2"], drop: []), hours: 3)
        var state = try sim.observe(hours: 3)
        let copied = state.snapshots.filter { $0.volume == "db_p2" }
        #expect(copied.map(\.name) == ["s1", "s2"])
        var expected = try #require(state.snapshots.first { $0.volume == "db" && $0.name == "s1" })
        expected.volume = "db_p2"
        #expect(copied[0] == expected)

        expectRefusal(.alreadyExists, "destination volume 'db_p2' already holds snapshot 's2'") {
            try sim.perform(.updateRelationship(destination: "db_p2", transfer: ["s2", "s3"], drop: []), hours: 4)
        }
        expectRefusal(.notFound, "volume 'db' has no snapshot 's9'") {
            try sim.perform(.updateRelationship(destination: "db_p2", transfer: ["s9"], drop: []), hours: 4)
        }
        expectRefusal(.notFound, "volume 'db_p2' has no snapshot 's3'") {
            try sim.perform(.updateRelationship(destination: "db_p2", transfer: [], drop: ["s3"]), hours: 4)
        }
        expectRefusal(.refused, "snapshot 'db_p2/s1' is immutable until 2026-11-25T14:00:00Z; it cannot be deleted before then") {
            try sim.perform(.updateRelationship(destination: "db_p2", transfer: ["s3"], drop: ["s1"]), hours: 4)
        }
        // A mirror drops what its source pruned.
        try sim.perform(.deleteSnapshot(volume: "db", name: "s2"), hours: 4)
        try sim.perform(.updateRelationship(destination: "db_p2", transfer: ["s3"], drop: ["s2"]), hours: 4)
        state = try sim.observe(hours: 4)
        #expect(state.snapshots.filter { $0.volume == "db_p2" }.map(\.name) == ["s1", "s3"])
        // Refusals changed nothing.
        #expect(state.snapshots.filter { $0.volume == "db" }.map(\.name) == ["s1", "s3"])
    }

    @Test func theDestinationHoldsAtMost255Snapshots() throws {
        let sim = try site()
        try sim.perform(.initializeRelationship(destination: "db_p2"))
        for index in 0..<254 { try sim.snapshot("db_p2", "d\(index)") }
        try sim.snapshot("db", "s1")
        try sim.snapshot("db", "s2")
        expectRefusal(.limitExceeded, "volume 'db_p2' would hold 256 snapshots, over the 255 a FlashSystem volume can hold") {
            try sim.perform(.updateRelationship(destination: "db_p2", transfer: ["s1", "s2"], drop: []))
        }
        try sim.perform(.updateRelationship(destination: "db_p2", transfer: ["s1", "s2"], drop: ["d0"]))
        #expect(try sim.observe().snapshots.filter { $0.volume == "db_p2" }.count == 255)
    }

    @Test func fanOutOnlyNoCascades() throws {
        let sim = try site()
        try sim.volume("db_p3", pool: "p3")
        try sim.volume("db_p4", pool: "p4")
        expectRefusal(.refused, "volume 'db_p2' is itself the destination of a relationship from 'db'; cascades (primary → mirror → vault) are not supported, replicate from the primary instead (fan-out)") {
            try sim.perform(.createRelationship(source: "db_p2", destination: "db_p3", type: .vault, mode: .async, group: nil))
        }
        try sim.perform(.createRelationship(source: "db", destination: "db_p3", type: .vault, mode: .async, group: "g"))
        expectRefusal(.refused, "volume 'db' is the source of another relationship; cascades (primary → mirror → vault) are not supported") {
            try sim.perform(.createRelationship(source: "db_p4", destination: "db", type: .vault, mode: .async, group: nil))
        }
        expectRefusal(.alreadyExists, "volume 'db_p2' is already the destination of a relationship from 'db'") {
            try sim.perform(.createRelationship(source: "db_p4", destination: "db_p2", type: .vault, mode: .async, group: nil))
        }
        expectRefusal(.refused, "volume 'db' cannot replicate to itself") {
            try sim.perform(.createRelationship(source: "db", destination: "db", type: .vault, mode: .async, group: nil))
        }
        try sim.volume("small", pool: "p4", size: .gib(10))
        expectRefusal(.refused, "destination volume 'small' (10GiB) is smaller than its source 'db' (100GiB)") {
            try sim.perform(.createRelationship(source: "db", destination: "small", type: .vault, mode: .async, group: nil))
        }
        #expect(try sim.observe().relationships.map(\.destination) == ["db_p2", "db_p3"])
    }

    @Test func anOfflineDestinationBlocksTheUpdate() throws {
        let sim = try site()
        try sim.perform(.initializeRelationship(destination: "db_p2"))
        try sim.snapshot("db", "s1")
        try sim.backend.inject(.arrayOffline(array: "fs2"), at: sim.at(0))
        expectRefusal(.offline, "volume 'db_p2' is offline: its pool 'p2' takes capacity from array 'fs2', which is offline") {
            try sim.perform(.updateRelationship(destination: "db_p2", transfer: ["s1"], drop: []))
        }
    }
}
