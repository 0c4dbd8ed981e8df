import FlashPlanEngine
import FlashPlanApp
import FlashPlanModel
import Foundation
import Testing

/// The defects independent checks found in the planner (issue 9), each reproduced
/// against the simulator: plan, apply, observe, as the timer would.
@Suite("Planner defects, through the simulator")
struct PlannerDefectTests {
    static let estate = """
        settings: {timezone: UTC}
        arrays:
          a1: {model: FlashSystem 820, capacity: 24TB}
          a2: {model: FlashSystem 810, capacity: 10TB}
        clusters: {c1: {}}
        pools:
          gold: {cluster: c1, capacity_from: [{array: a1, capacity: 10TB}]}
          dr: {cluster: c1, capacity_from: [{array: a2, capacity: 5TB}]}
          vault: {cluster: c1, capacity_from: [{array: a2, capacity: 5TB}]}
        hosts: {h1: {}, h2: {}}
        volumes:
          v1: {pool: gold, size: 10GiB, hosts: [h1, h2], change_rate: 0%}
          v2: {pool: gold, size: 10GiB, hosts: [h2], change_rate: 0%}
        """

    static let start = Harness.date("2026-03-02T00:30:00Z")

    /// Backups of `group` taken outside this test's applies, as earlier applies would have.
    static func seed(_ h: Harness, group: String, label: String, volumes: [String], count: Int, before: Date, every hours: Double) throws {
        // One call per creation time: the simulator stamps snapshots with the call's time.
        for i in 1...count {
            let name = "\(group)_seed_\(label)_\(i)"
            let operations = volumes.map {
                StorageOperation.createSnapshot(SnapshotSpec(volume: $0, name: name, label: label, hosts: ["h1"], group: group))
            }
            try h.backend.performAll(operations, at: before.adding(hours: -hours * Double(i)))
        }
    }

    // MARK: The 255 ceiling

    /// Retention adding up to exactly 255 (which `validate` accepts): the volume is at the
    /// ceiling after every apply, and every hourly apply must still take its backup.
    @Test func retentionOfExactly255KeepsTakingBackups() async throws {
        let h = try Harness(Self.estate + """

            policies:
              hourly: {frequency: hourly, retention: {count: 255}}
            resource_groups:
              g: {hosts: [h1], volumes: [v1], policies: [{policy: hourly}]}
            """)
        try await h.applyCleanly(Self.start.adding(hours: -300))
        try Self.seed(h, group: "g", label: "hourly", volumes: ["v1"], count: 254, before: Self.start, every: 1)
        #expect(try h.count("v1", at: Self.start) == 255)
        for hour in 0..<3 {
            let now = Self.start.adding(hours: Double(hour))
            let plan = try await h.applyCleanly(now)
            #expect(plan.actions.contains { $0.kind == .snapshot }, "hour \(hour): no backup planned")
            #expect(try h.count("v1", at: now) == 255)
        }
    }

    /// Two groups on one volume whose retention adds up to 255: the answer may not depend on
    /// the groups' names, and neither group's backups may stop.
    @Test(arguments: [("alpha", "zulu"), ("zulu", "alpha")])
    func twoGroupsAtTheCeilingWhateverTheirNames(first: String, second: String) async throws {
        let h = try Harness(Self.estate + """

            policies:
              hourly: {frequency: hourly, retention: {count: 200}}
              daily: {frequency: daily, retention: {count: 55}}
            resource_groups:
              \(first): {hosts: [h1], volumes: [v1], policies: [{policy: hourly}]}
              \(second): {hosts: [h2], volumes: [v1, v2], policies: [{policy: daily}]}
            """)
        let midnight = Harness.date("2026-03-02T00:00:00Z")
        try await h.applyCleanly(midnight.adding(hours: -24 * 60))
        try Self.seed(h, group: first, label: "hourly", volumes: ["v1"], count: 199, before: midnight, every: 1)
        try Self.seed(h, group: second, label: "daily", volumes: ["v1", "v2"], count: 54, before: midnight, every: 24)
        #expect(try h.count("v1", at: midnight) == 255)
        // Both are due at midnight: two new snapshots on v1 at once.
        let plan = try await h.applyCleanly(midnight)
        #expect(plan.actions.filter { $0.kind == .snapshot }.count == 2)
        #expect(try h.count("v1", at: midnight) == 255)
        try await h.applyCleanly(midnight.adding(hours: 1))
    }

    /// Hand-made snapshots fill a volume to the ceiling around the group's backups: each
    /// backup still fits by pruning first, and the ceiling is an error (naming the group)
    /// only where pruning cannot make room.
    @Test func ceilingIsAnErrorOnlyWhenPruningCannotMakeRoom() async throws {
        let yaml = Self.estate + """

            policies:
              hourly: {frequency: hourly, retention: {count: 2}}
            resource_groups:
              g: {hosts: [h1], volumes: [v1], policies: [{policy: hourly}]}
            """
        let h = try Harness(yaml)
        try await h.applyCleanly(Self.start.adding(hours: -10))
        let hand = (0..<253).map { StorageOperation.createSnapshot(SnapshotSpec(volume: "v1", name: "hand-\($0)", label: "manual")) }
        try h.backend.performAll(hand, at: Self.start.adding(hours: -5))
        for hour in [-4.0, -3, -2, -1] {
            try await h.applyCleanly(Self.start.adding(hours: hour))
            #expect(try h.count("v1", at: Self.start) == (hour == -4 ? 255 : 255))
        }
        let full = try Harness(yaml)
        try await full.applyCleanly(Self.start.adding(hours: -10))
        let more = (0..<254).map { StorageOperation.createSnapshot(SnapshotSpec(volume: "v1", name: "hand-\($0)", label: "manual")) }
        try full.backend.performAll(more, at: Self.start.adding(hours: -5))
        // 1 backup + 254 by hand: the count-2 rule prunes nothing, so the new backup cannot fit.
        let plan = try full.plan(Self.start)
        let ceiling = plan.diagnostics.filter { $0.rule == .snapshotCeiling }
        #expect(ceiling.count == 1)
        #expect(ceiling.first?.message.contains("'v1' would hold 256 snapshots") == true)
        #expect(ceiling.first?.note?.contains("'g'") == true)
    }

    // MARK: DST folds

    /// On the day DST ends in Rome, `Sun 02:30` happens twice on the wall clock; a timer
    /// running all along fires once, so one weekly backup is taken — and with `count: 2`
    /// last week's, which the policy keeps, is not pruned.
    @Test func aFoldTakesOneWeeklyBackupAndKeepsLastWeeks() async throws {
        let h = try Harness(Self.estate.replacingOccurrences(of: "timezone: UTC", with: "timezone: Europe/Rome") + """

            policies:
              weekly: {frequency: weekly, retention: {count: 2}}
            resource_groups:
              g: {hosts: [h1], volumes: [v1], policies: [{policy: weekly, schedule: "Sun 02:30"}]}
            """)
        let lastWeek = Harness.date("2026-10-18T00:30:00Z")  // Sun 02:30 CEST
        try await h.applyCleanly(lastWeek)
        var now = Harness.date("2026-10-24T22:00:00Z")
        while now < Harness.date("2026-10-25T06:00:00Z") {
            try await h.applyCleanly(now)
            now = now.addingTimeInterval(15 * 60)
        }
        let weekly = try h.observe(now).snapshots.filter { $0.volume == "v1" }.map(\.created).sorted()
        #expect(weekly == [lastWeek, Harness.date("2026-10-25T00:30:00Z")])
    }

    // MARK: Names

    /// When `<name>` and `<name>_<label>` are both taken, the backup is `<name>_2`, never dropped.
    @Test func aDueBackupIsNeverDroppedForItsName() async throws {
        let h = try Harness(Self.estate + """

            policies:
              hourly: {frequency: hourly, retention: {count: 3}}
            resource_groups:
              g: {hosts: [h1], volumes: [v1], policies: [{policy: hourly}]}
            """)
        let now = Harness.date("2026-03-02T10:00:00Z")
        try await h.applyCleanly(now.adding(hours: -5))
        for name in ["g_h1_03-02-2026_10.00.00", "g_h1_03-02-2026_10.00.00_hourly", "g_h1_03-02-2026_10.00.00_2"] {
            try h.outside(.createSnapshot(SnapshotSpec(volume: "v1", name: name, label: "manual")), at: now.adding(hours: -1))
        }
        let plan = try await h.applyCleanly(now)
        let snapshot = try #require(plan.actions.first { $0.kind == .snapshot }, "the due backup was dropped")
        #expect("\(snapshot.address)".hasSuffix("/g_h1_03-02-2026_10.00.00_3"))
    }

    // MARK: Replication base

    /// Pruning an orphaned label never deletes the newest backup a destination holds.
    @Test func orphanPruningKeepsTheReplicationBase() async throws {
        let before = Self.estate + """

            policies:
              daily: {frequency: daily, retention: {count: 3}}
              hourly: {frequency: hourly, retention: {count: 3}}
            resource_groups:
              g:
                hosts: [h1]
                volumes: [v1]
                policies: [{policy: daily}, {policy: hourly}]
                replicate: [{to: vault, type: vault, retention: {hourly: {count: 5}}}]
            """
        var h = try Harness(before)
        let now = Harness.date("2026-03-02T10:00:00Z")
        for hour in 0..<4 { try await h.applyCleanly(now.adding(hours: Double(hour - 4))) }
        // The hourly policy is dropped; its backups are orphaned and pruned, but the vault's newest stays.
        h.configuration = try Harness.load(
            before.replacingOccurrences(of: ", {policy: hourly}]", with: "]")
                .replacingOccurrences(of: "settings: {timezone: UTC}", with: "settings: {timezone: UTC, prune_orphaned_labels: true}"))
        let observed = try h.observe(now)
        let base = try #require(observed.snapshots.filter { $0.volume == "v1_vault" }.max { $0.created < $1.created })
        let plan = try h.plan(now)
        let pruned = plan.actions.filter { $0.kind == .prune }.map { "\($0.address)" }
        #expect(!pruned.contains { $0.hasSuffix("/\(base.name)") }, "the replication base \(base.name) is pruned: \(pruned)")
        #expect(pruned.count == 2, "the two other orphaned hourly backups are pruned: \(pruned)")
        try await h.applyCleanly(now)
        #expect(try h.observe(now).snapshots.contains { $0.volume == "v1" && $0.name == base.name })
        #expect(try h.observe(now).snapshots.contains { $0.volume == "v1_vault" && $0.name == base.name })
    }

    // MARK: Groups removed

    /// Backups of a group no longer declared are unmanaged: reported, never pruned.
    @Test func backupsOfARemovedGroupAreReportedAndKept() async throws {
        let policies = """

            policies:
              daily: {frequency: daily, retention: {count: 2}}
            resource_groups:
              keep: {hosts: [h2], volumes: [v2], policies: [{policy: daily}]}

            """
        var h = try Harness(Self.estate + policies + "  gone: {hosts: [h1], volumes: [v1], policies: [{policy: daily}]}\n")
        let now = Harness.date("2026-03-10T01:00:00Z")
        for day in 0..<3 { try await h.applyCleanly(now.adding(hours: Double(-24 * (3 - day)))) }
        h.configuration = try Harness.load(Self.estate + policies)
        let plan = try h.plan(now)
        #expect(!plan.actions.contains { $0.kind == .prune && $0.group == "gone" })
        let unmanaged = try #require(plan.unmanaged.first { $0.group == "gone" }, "\(plan.unmanaged)")
        #expect(unmanaged.backups == 2 && unmanaged.volumes == ["v1"])
        #expect(plan.diagnostics.contains { $0.rule == .unmanagedBackups && $0.message.contains("'gone'") })
        try await h.applyCleanly(now)
        #expect(try h.count("v1", at: now) == 2)
    }

    /// A volume taken out of its group keeps the group's backups on it, reported.
    @Test func backupsOnAVolumeRemovedFromItsGroupAreReported() async throws {
        let with = Self.estate + """

            policies:
              daily: {frequency: daily, retention: {count: 2}}
            resource_groups:
              g: {hosts: [h1], volumes: [v1, v2], policies: [{policy: daily}]}
            """
        var h = try Harness(with)
        let now = Harness.date("2026-03-10T01:00:00Z")
        for day in 0..<3 { try await h.applyCleanly(now.adding(hours: Double(-24 * (3 - day)))) }
        h.configuration = try Harness.load(with.replacingOccurrences(of: "volumes: [v1, v2]", with: "volumes: [v2]"))
        let plan = try h.plan(now)
        let unmanaged = try #require(plan.unmanaged.first { $0.group == "g" }, "\(plan.unmanaged)")
        #expect(unmanaged.volumes == ["v1"])
        try await h.applyCleanly(now)
        #expect(try h.count("v1", at: now) == 2)
    }
}
