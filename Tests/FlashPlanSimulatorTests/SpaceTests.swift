import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

/// The space model of `SpaceModel` (thin 20% written, thick full size, compression 2:1,
/// snapshots and clones `size × (1 − e^(−rate·days))`: the blocks overwritten since).
@Suite struct SpaceTests {
    static let tib = Double(ByteCount.tib(1).bytes)

    func expectBytes(_ actual: ByteCount, _ fractionOfTiB: Double, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let expected = Self.tib * fractionOfTiB
        #expect(abs(Double(actual.bytes) - expected) < 16, "\(actual.bytes) vs \(expected)", sourceLocation: sourceLocation)
    }

    /// The share of blocks overwritten at least once in `days` at `rate`% a day.
    static func overwritten(_ rate: Double, days: Double) -> Double { 1 - exp(-rate / 100 * days) }

    @Test func thinThickAndCompressedVolumes() throws {
        let sim = try SimFixture()
        try sim.volume("thick", pool: "p1", size: .tib(1), thin: false)
        try sim.volume("thin", pool: "p2", size: .tib(1))
        try sim.volume("packed", pool: "p4", size: .tib(1), compressed: true)
        expectBytes(try sim.pool("p1").usedCapacity, 1)
        expectBytes(try sim.pool("p2").usedCapacity, 0.2)
        expectBytes(try sim.pool("p4").usedCapacity, 0.1)
        // Rewrites land on allocated blocks: time alone does not grow a thin volume.
        expectBytes(try sim.pool("p1", hours: 96).usedCapacity, 1)
        expectBytes(try sim.pool("p2", hours: 96).usedCapacity, 0.2)
        expectBytes(try sim.pool("p4", hours: 96).usedCapacity, 0.1)
        expectBytes(try sim.pool("p2", hours: 24 * 400).usedCapacity, 0.2)
        #expect(try sim.pool("p2").virtualCapacity == .tib(1))
    }

    @Test func snapshotSpaceGrowsWithTheChangeRateSinceTheOldestSnapshot() throws {
        let sim = try SimFixture()
        try sim.volume("v", pool: "p2", size: .tib(1))
        try sim.snapshot("v", "s1")
        try sim.snapshot("v", "s2", hours: 24)
        // Two days since s1 at 5% a day: the blocks overwritten since, once each.
        expectBytes(try sim.pool("p2", hours: 48).usedCapacity, 0.2 + Self.overwritten(5, days: 2))
        try sim.perform(.deleteSnapshot(volume: "v", name: "s1"), hours: 48)
        // Only s2 is left: one day of changes.
        expectBytes(try sim.pool("p2", hours: 48).usedCapacity, 0.2 + Self.overwritten(5, days: 1))
        // However old the oldest snapshot, they never hold more than the volume's size.
        expectBytes(try sim.pool("p2", hours: 24 * 100).usedCapacity, 0.2 + Self.overwritten(5, days: 99))
        #expect(try sim.pool("p2", hours: 24 * 10_000).usedCapacity <= .tib(1) + ByteCount(bytes: UInt64(0.2 * Self.tib)))
    }

    @Test func aVolumeThatDoesNotFitIsRefused() throws {
        let sim = try SimFixture()
        try sim.volume("big", pool: "p3", size: .tb(4), thin: false)
        expectRefusal(.limitExceeded, "pool 'p3' has 931.32GiB free of 4.55TiB, but volume 'w' needs 1TiB") {
            try sim.volume("w", pool: "p3", size: .tib(1), thin: false)
        }
        // Thin volumes take 20% at first: this one fits.
        try sim.volume("w", pool: "p3", size: .tib(1))
        expectRefusal(.limitExceeded, "pool 'p3' has 726.52GiB free of 4.55TiB, but volume 'big' grown to 4.65TiB needs 1.02TiB") {
            try sim.perform(.resizeVolume(name: "big", size: .tb(5) + .gib(110)))
        }
    }

    @Test func aFullPoolTakesNoSnapshot() throws {
        let sim = try SimFixture()
        try sim.volume("big", pool: "p3", size: .tb(4), thin: false)
        try sim.backend.inject(.fillPool(pool: "p3", percent: Percentage(100)), at: sim.at(0))
        #expect(try sim.pool("p3").usedCapacity == .tb(5))
        expectRefusal(.limitExceeded, "pool 'p3' is full (4.55TiB used of 4.55TiB): it cannot take snapshot 'big/s1'") {
            try sim.snapshot("big", "s1")
        }
        try sim.backend.inject(.fillPool(pool: "p3", percent: Percentage(90)), at: sim.at(0))
        #expect(try sim.pool("p3").usedCapacity == ByteCount(bytes: 4_500_000_000_000))
        try sim.snapshot("big", "s1")
        expectRefusal(.refused, "pool 'p3' already uses 3.64TiB (80%) for its volumes and snapshots; it cannot be filled to only 50%") {
            try sim.backend.inject(.fillPool(pool: "p3", percent: Percentage(50)), at: sim.at(0))
        }
    }

    @Test func snapshotsOfABusyVolumeFillTheirPoolAsSimulatedTimePasses() throws {
        let sim = try SimFixture()
        try sim.volume("grow", pool: "p3", size: .tb(5), changeRate: 10)
        try sim.snapshot("grow", "s0")
        // 1TB written, and after 17 days at 10% a day s0 holds 81.7% of 5TB: the pool (5TB) is full.
        expectRefusal(.limitExceeded, "pool 'p3' is full (4.63TiB used of 4.55TiB): it cannot take snapshot 'grow/s1'") {
            try sim.snapshot("grow", "s1", hours: 24 * 17)
        }
        try sim.snapshot("grow", "s1", hours: 24 * 2)
    }

    @Test func overcommitIsRefusedOverMaxOvercommit() throws {
        let sim = try SimFixture()
        try sim.volume("a", pool: "p4", size: .tb(10))
        expectRefusal(.limitExceeded, "pool 'p4' would be overcommitted by volume 'b': 11.82TiB of volumes on 3.64TiB is 325%, over its max_overcommit of 300%") {
            try sim.volume("b", pool: "p4", size: .tb(3))
        }
        try sim.volume("b", pool: "p4", size: .tb(2))
        #expect(try sim.pool("p4").virtualCapacity == .tb(12))
    }

    @Test func theCachedPoolUseMatchesARecomputation() throws {
        // Many changes at one time go through the pool's cached use; fill-pool then
        // computes what is missing to 100% from that cache, and observe recomputes.
        let sim = try SimFixture()
        try sim.volume("a", pool: "p2", size: .tib(1), mirror: "p4", hours: -100)
        try sim.volume("b", pool: "p2", size: .tib(2), compressed: true, hours: -50)
        for index in 0..<5 { try sim.snapshot("a", "s\(index)", hours: Double(-90 + index * 10)) }
        try sim.snapshot("b", "s0", hours: -40)
        try sim.perform(.createClone(name: "c", volume: "a", snapshot: "s2", host: nil), hours: -10)
        try sim.perform(.deleteSnapshot(volume: "a", name: "s0"))
        try sim.perform(.resizeVolume(name: "b", size: .tib(3)))
        try sim.snapshot("b", "s1")
        try sim.perform(.deleteSnapshot(volume: "a", name: "s1"))
        try sim.perform(.migrateVolume(name: "b", toPool: "p1"))
        try sim.perform(.migrateVolume(name: "b", toPool: "p2"))
        try sim.backend.inject(.fillPool(pool: "p2", percent: Percentage(100)), at: sim.at(0))
        let p2 = try sim.pool("p2")
        #expect(p2.usedCapacity == p2.physicalCapacity)
        try sim.backend.inject(.fillPool(pool: "p4", percent: Percentage(100)), at: sim.at(0))
        let p4 = try sim.pool("p4")
        #expect(p4.usedCapacity == p4.physicalCapacity)
    }

    @Test func operationsAtAnEarlierTimeDoNotUseACacheMadeStaleByLaterOnes() throws {
        // A cache computed at +10h, a change at +20h, then an operation back at +10h (a replay).
        let sim = try SimFixture()
        try sim.volume("a", pool: "p2", size: .tib(1))
        try sim.snapshot("a", "s1", hours: 1)
        try sim.snapshot("a", "s2", hours: 10)
        try sim.perform(.deleteSnapshot(volume: "a", name: "s1"), hours: 20)
        try sim.backend.inject(.fillPool(pool: "p2", percent: Percentage(100)), at: sim.at(10))
        let p2 = try sim.pool("p2", hours: 10)
        #expect(p2.usedCapacity == p2.physicalCapacity)
        #expect(try sim.store.consistencyProblems().isEmpty)
    }
}
