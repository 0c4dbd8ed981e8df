import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

/// `observe(at:unchangedSince:)`, which `flashplan simulate` uses between two runs of the
/// timer, must say exactly what a full `observe(at:)` says.
@Suite struct ObservationRefreshTests {
    /// Thin, thick, compressed and mirrored volumes with snapshots (their space grows with
    /// the time), outside data, and an array back from an outage (its mirrored copies
    /// resync for ten minutes).
    func site() throws -> SimFixture {
        let sim = try SimFixture()
        try sim.volume("thin", pool: "p1", hours: -48)
        try sim.volume("thick", pool: "p2", size: .gib(200), thin: false, changeRate: 20, hours: -48)
        try sim.volume("packed", pool: "p3", compressed: true, changeRate: 50, hours: -48)
        try sim.volume("db", pool: "p1", mirror: "p2", hours: -48)
        for (index, volume) in ["thin", "thick", "packed", "db"].enumerated() {
            try sim.snapshot(volume, "s1", hours: -30 + Double(index))
            try sim.snapshot(volume, "s2", label: "hourly", hours: -2)
        }
        _ = try sim.backend.inject(.fillPool(pool: "p4", percent: Percentage(40)), at: sim.at(-3))
        _ = try sim.backend.inject(.arrayOffline(array: "fs2"), at: sim.at(-1))
        _ = try sim.backend.inject(.arrayOnline(array: "fs2"), at: sim.at(0))
        return sim
    }

    @Test func itIsWhatAFullObservationSaysLater() throws {
        let sim = try site()
        // Inside the resync window, at its end, and days later (pools fill with the time).
        var earlier = try sim.observe()
        for hours: Double in [0.05, 10.0 / 60, 1, 30, 24 * 20] {
            let refreshed = try sim.backend.observe(at: sim.at(hours), unchangedSince: earlier)
            let full = try sim.observe(hours: hours)
            #expect(refreshed == full, "at +\(hours)h")
            earlier = refreshed
        }
        // The window and the growth are really there, so that the comparison means something.
        #expect(try sim.observe(hours: 0.05).volumes.first { $0.name == "db" }?.copiesInSync == false)
        #expect(try sim.observe(hours: 1).volumes.first { $0.name == "db" }?.copiesInSync == true)
        #expect(try sim.observe(hours: 1).pools != (try sim.observe(hours: 30).pools))
    }

    @Test func aChangeSinceTheEarlierObservationIsReadInFull() throws {
        let sim = try site()
        let earlier = try sim.observe()
        // An apply or an event advances the serial: what changed under it is read again.
        try sim.store.beginApply(operation: "apply", now: sim.at(0.5))
        try sim.snapshot("thin", "s3", hours: 0.5)
        _ = try sim.backend.inject(.arrayOffline(array: "fs3"), at: sim.at(0.6))
        let refreshed = try sim.backend.observe(at: sim.at(1), unchangedSince: earlier)
        #expect(refreshed == (try sim.observe(hours: 1)))
        #expect(refreshed.snapshots.contains { $0.volume == "thin" && $0.name == "s3" })
        #expect(refreshed.volumes.first { $0.name == "packed" }?.online == false)
    }
}
