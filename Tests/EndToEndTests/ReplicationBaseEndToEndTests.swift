import Foundation
import Testing

/// While a destination's updates fail (its array online, its operations failing), the
/// hourly applies keep taking and pruning backups on the primary, but never the
/// replication base — the newest backup the destination holds: when the destination
/// recovers, source and destination still share a backup and the update is incremental.
/// And what retention pruned on the primary is not reported as deleted outside flashplan
/// (red-team repro 6).
@Suite("replication base", .serialized)
struct ReplicationBaseEndToEndTests {
    static func config(replicate: String) -> String {
        """
        arrays:
          a1: { model: FlashSystem 720, capacity: 12TB }
          a2: { model: FlashSystem 820, capacity: 18TB }
          a3: { model: FlashSystem 820, capacity: 18TB }
        clusters: { c1: {}, c2: {}, c3: {} }
        pools:
          p1: { cluster: c1, capacity_from: [ { array: a1, capacity: 10TB } ] }
          dr: { cluster: c2, capacity_from: [ { array: a2, capacity: 8TB } ] }
          vault: { cluster: c3, capacity_from: [ { array: a3, capacity: 8TB } ] }
        hosts: { h1: {} }
        volumes: { v1: { pool: p1, size: 10GiB, hosts: [h1] } }
        policies: { hourly-3: { frequency: hourly, retention: { count: 3 } } }
        resource_groups:
          g: { hosts: [h1], volumes: [v1], policies: [ { policy: hourly-3 } ], replicate: [ \(replicate) ] }

        """
    }

    static let mirror = "{ to: dr, type: mirror }"
    /// The vault on a2 too, so that its updates are the ones failing.
    static let vaultOnA2 = "{ to: dr, type: vault, retention: { hourly: { count: 5 } } }"
    /// Fan-out: the mirror on a2 fails, the vault on a3 keeps working.
    static let fanOut = "{ to: dr, type: mirror }, { to: vault, type: vault, retention: { hourly: { count: 5 } } }"

    static func at(_ hour: Int, _ minute: Int = 0) -> String { String(format: "2026-12-01T%02d:%02d:00Z", hour, minute) }

    @Test(arguments: [mirror, vaultOnA2, fanOut])
    func theBaseOutlivesFailingUpdatesAndRetentionPrunesAreNotDrift(replicate: String) throws {
        let workspace = try ApplyWorkspace(config: Self.config(replicate: replicate))
        defer { workspace.remove() }
        let destinations = replicate == Self.fanOut ? ["v1_dr", "v1_vault"] : ["v1_dr"]
        for hour in 0...2 { try #require(try workspace.apply(Self.at(hour)).exitCode == 0) }
        let base = try workspace.listing(Self.at(2)).snapshots(on: "v1_dr").map(\.name).max()!

        try workspace.sim(["fail-next", "3", "a2"], now: Self.at(2, 10))
        for hour in 3...5 {
            let failing = try workspace.apply(Self.at(hour))
            #expect(failing.exitCode == 3, "\(failing)")
            let state = try workspace.listing(Self.at(hour))
            let primary = Set(state.snapshots(on: "v1").map(\.name))
            #expect(primary.contains(base), "\(hour):00: the primary pruned the base \(base) of v1_dr: \(primary.sorted())")
            // From 05:00 the base is beyond the newest 3: kept, one over the count.
            #expect(primary.count == (hour == 5 ? 4 : 3), "\(hour):00: \(primary.sorted())")
            for destination in destinations {
                let held = Set(state.snapshots(on: destination).map(\.name))
                #expect(!held.isDisjoint(with: primary), "\(hour):00: v1 and \(destination) share no backup")
            }
        }
        let plan = try workspace.plan(Self.at(5, 10))
        #expect(!plan.stdout.contains("deleted outside flashplan"), "\(plan)")
        #expect(plan.stdout.contains("the replication base of v1_dr: pruned only once the update gives it a newer backup"), "\(plan)")

        // The destination recovers: one apply converges, incrementally.
        let recovered = try workspace.apply(Self.at(6))
        #expect(recovered.exitCode == 0, "\(recovered)")
        #expect(try workspace.plan(Self.at(6)).exitCode == 0)
        let state = try workspace.listing(Self.at(6))
        let primary = state.snapshots(on: "v1").map(\.name)
        #expect(primary.count == 3 && !primary.contains(base), "\(primary)")
        for destination in destinations {
            #expect(Set(state.snapshots(on: destination).map(\.name)).isSuperset(of: primary), "\(destination)")
        }
    }

    /// A snapshot deleted by hand on the primary is still reported, and its copy kept.
    @Test func aPrimaryCopyDeletedByHandIsStillDrift() throws {
        let workspace = try ApplyWorkspace(config: Self.config(replicate: Self.mirror))
        defer { workspace.remove() }
        for hour in 0...2 { try #require(try workspace.apply(Self.at(hour)).exitCode == 0) }
        let newest = try workspace.listing(Self.at(2)).snapshots(on: "v1").map(\.name).max()!
        try workspace.sim(["delete-snapshot", "v1", newest], now: Self.at(2, 10))
        let plan = try workspace.plan(Self.at(2, 20))
        #expect(plan.stdout.contains("\(newest): snapshot on v1 deleted outside flashplan"), "\(plan)")
        #expect(plan.stdout.contains("the copy on v1_dr is now the only one"), "\(plan)")
        #expect(try workspace.apply(Self.at(3)).exitCode == 0)
        #expect(try workspace.listing(Self.at(3)).snapshots(on: "v1_dr").map(\.name).contains(newest))
    }
}
