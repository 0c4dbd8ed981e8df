import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

@Suite struct InfrastructureTests {
    @Test func arrayCapacityMustBeOneTheModelIsSoldWith() throws {
        let sim = try SimFixture(topology: false)
        expectRefusal(.limitExceeded, "array 'x': a FlashSystem 710 is sold with 1, 2, 3, 4 or 5 TB, not 6 TB") {
            try sim.perform(.installArray(name: "x", model: .flashSystem710, capacity: .tb(6), site: nil))
        }
        expectRefusal(.limitExceeded, "array 'y': a FlashSystem 820 is sold with 12 to 24 TB, not 2.199 TB") {
            try sim.perform(.installArray(name: "y", model: .flashSystem820, capacity: .tib(2), site: nil))
        }
        try sim.perform(.installArray(name: "x", model: .flashSystem810, capacity: .tb(10), site: "rome"))
        expectRefusal(.alreadyExists, "array 'x' already exists") {
            try sim.perform(.installArray(name: "x", model: .flashSystem810, capacity: .tb(10), site: nil))
        }
        let array = try #require(try sim.observe().arrays.first)
        #expect(array == ObservedArray(name: "x", model: .flashSystem810, capacity: .tb(10), site: "rome", status: .online))
    }

    @Test func clusterHasOneToFourIOGroups() throws {
        let sim = try SimFixture(topology: false)
        expectRefusal(.limitExceeded, "cluster 'c' asks for 5 I/O groups; an SVC cluster has 1 to 4 I/O groups (800,000 IOPS at most)") {
            try sim.perform(.installCluster(name: "c", site: nil, ioGroups: 5))
        }
        expectRefusal(.limitExceeded, "cluster 'c' asks for 0 I/O groups; an SVC cluster has 1 to 4 I/O groups (800,000 IOPS at most)") {
            try sim.perform(.installCluster(name: "c", site: nil, ioGroups: 0))
        }
        try sim.perform(.installCluster(name: "c", site: "rome", ioGroups: 4))
        #expect(try sim.observe().clusters == [ObservedCluster(name: "c", site: "rome", ioGroups: 4)])
    }

    @Test func anArrayCannotGiveMoreThanItHas() throws {
        let sim = try SimFixture()
        // fs1 has 12 TB, p1 already takes 6 TB.
        expectRefusal(.limitExceeded, "array 'fs1' has 12 TB; pools already take 6 TB of it, so pool 'p5' cannot take 7 TB from it") {
            try sim.perform(SimFixture.pool("p5", ("fs1", .tb(7))))
        }
        try sim.perform(SimFixture.pool("p5", ("fs1", .tb(4)), ("fs4", .tb(6))))
        expectRefusal(.limitExceeded, "array 'fs1' has 12 TB; pools already take 10 TB of it, so pool 'p1' cannot take 3 TB from it") {
            try sim.perform(.addPoolCapacity(pool: "p1", array: "fs1", capacity: .tb(3)))
        }
        try sim.perform(.addPoolCapacity(pool: "p1", array: "fs1", capacity: .tb(2)))
        let pools = try sim.observe().pools
        let p1 = try #require(pools.first { $0.name == "p1" })
        #expect(p1.capacityFrom.map(\.capacity) == [.tb(8)])
        #expect(p1.physicalCapacity == .tb(8))
        let p5 = try #require(pools.first { $0.name == "p5" })
        #expect(p5.arrays == ["fs1", "fs4"])
        #expect(p5.physicalCapacity == .tb(10))
    }

    @Test func poolNeedsAKnownClusterAndArrays() throws {
        let sim = try SimFixture()
        expectRefusal(.notFound, "cluster 'nope' does not exist") {
            try sim.perform(.createPool(name: "q", cluster: "nope", capacityFrom: [Pool.Extent(array: "fs1", capacity: .tb(1))], warningThreshold: Percentage(80), maxOvercommit: Percentage(300), easyTier: false))
        }
        expectRefusal(.notFound, "array 'fs9' does not exist") { try sim.perform(SimFixture.pool("q", ("fs9", .tb(1)))) }
        expectRefusal(.alreadyExists, "pool 'p1' already exists") { try sim.perform(SimFixture.pool("p1", ("fs1", .tb(1)))) }
        expectRefusal(.refused, "pool 'q' lists array 'fs1' twice") { try sim.perform(SimFixture.pool("q", ("fs1", .tb(1)), ("fs1", .tb(1)))) }
        try sim.perform(.modifyPool(name: "p1", warningThreshold: Percentage(70), maxOvercommit: Percentage(150), easyTier: true))
        let p1 = try sim.pool("p1")
        #expect(p1.warningThreshold == Percentage(70) && p1.maxOvercommit == Percentage(150) && p1.easyTier)
    }

    @Test func hostsAndMappings() throws {
        let sim = try SimFixture()
        expectRefusal(.alreadyExists, "host 'h1' already exists") { try sim.perform(.createHost(name: "h1", site: nil)) }
        try sim.perform(.createHost(name: "h0", site: "rome"))
        try sim.volume("v")
        try sim.perform(.mapHost(volume: "v", host: "h1"))
        try sim.perform(.mapHost(volume: "v", host: "h0"))
        expectRefusal(.alreadyExists, "volume 'v' is already mapped to host 'h1'") { try sim.perform(.mapHost(volume: "v", host: "h1")) }
        expectRefusal(.notFound, "host 'h9' does not exist") { try sim.perform(.mapHost(volume: "v", host: "h9")) }
        #expect(try sim.volumeState("v").hosts == ["h0", "h1"])
        try sim.perform(.unmapHost(volume: "v", host: "h0"))
        expectRefusal(.notFound, "volume 'v' is not mapped to host 'h0'") { try sim.perform(.unmapHost(volume: "v", host: "h0")) }
        #expect(try sim.volumeState("v").hosts == ["h1"])
        #expect(try sim.observe().hosts.map(\.name) == ["h0", "h1"])
    }
}
