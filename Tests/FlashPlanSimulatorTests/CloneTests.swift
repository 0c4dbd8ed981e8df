import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

@Suite struct CloneTests {
    @Test func aCloneLivesInThePoolOfItsParentSnapshot() throws {
        let sim = try SimFixture()
        try sim.volume("db", pool: "p2", size: .gib(64), mirror: "p1")
        try sim.snapshot("db", "s1")
        try sim.perform(.createClone(name: "dev_db", volume: "db", snapshot: "s1", host: "h1"), hours: 1)
        let state = try sim.observe(hours: 1)
        #expect(state.clones == [ObservedClone(name: "dev_db", volume: "db", pool: "p2", parentSnapshot: "s1", host: "h1", created: sim.at(1))])
        let volume = try #require(state.volumes.first { $0.name == "dev_db" })
        #expect(volume.role == .clone && volume.pool == "p2" && volume.size == .gib(64) && volume.hosts == ["h1"] && volume.mirrorPool == nil)
        // Space-efficient: nothing written yet, its size counts as virtual capacity.
        #expect(try sim.pool("p2", hours: 1).virtualCapacity == .gib(128))
        expectRefusal(.alreadyExists, "volume 'dev_db' already exists: clone 'dev_db' cannot take its name") {
            try sim.perform(.createClone(name: "dev_db", volume: "db", snapshot: "s1", host: nil))
        }
        expectRefusal(.notFound, "host 'h9' does not exist") {
            try sim.perform(.createClone(name: "x", volume: "db", snapshot: "s1", host: "h9"))
        }
        expectRefusal(.notFound, "volume 'db' has no snapshot 's9'") {
            try sim.perform(.createClone(name: "x", volume: "db", snapshot: "s9", host: nil))
        }
        try sim.perform(.deleteClone(name: "dev_db"))
        expectRefusal(.notFound, "clone 'dev_db' does not exist") { try sim.perform(.deleteClone(name: "dev_db")) }
        expectRefusal(.notFound, "clone 'db' does not exist") { try sim.perform(.deleteClone(name: "db")) }
        #expect(try sim.observe().clones.isEmpty)
        #expect(try sim.pool("p2").virtualCapacity == .gib(64))
    }
}
