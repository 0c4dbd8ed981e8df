import FlashPlanConfig
import FlashPlanEngine
import FlashPlanApp
import FlashPlanModel
import FlashPlanSchedule
import FlashPlanSimulator
import Foundation
import Testing

/// What a hostile world does to the planner, replayed through the simulator: volumes at
/// the 255 ceiling with replication, full pools, DST folds and gaps, names taken,
/// copies deleted by hand, relationships broken, configuration taken away. Each test
/// asserts the promises of DESIGN §3–§5: never delete what the policy keeps, never
/// lose protection silently, never stop taking backups.
///
/// The tests that fail are in the suite "Red team findings" below.
enum RedTeam {
    static let estate = PlannerDefectTests.estate

    /// The estate with volumes whose snapshots take space (for full pools).
    static func estate(changeRate: String) -> String {
        estate.replacingOccurrences(of: "change_rate: 0%", with: "change_rate: \(changeRate)")
    }

    static func snapshots(_ h: Harness, _ volume: String, at now: Date) throws -> [ObservedSnapshot] {
        try h.observe(now).snapshots.filter { $0.volume == volume }
    }

    static func names(_ h: Harness, _ volume: String, group: String? = nil, label: String? = nil, at now: Date) throws -> Set<String> {
        Set(try snapshots(h, volume, at: now).filter { (group == nil || $0.group == group) && (label == nil || $0.label == label) }.map(\.name))
    }

    static func seed(_ h: Harness, group: String, label: String, volumes: [String], count: Int, before: Date, every hours: Double) throws {
        try PlannerDefectTests.seed(h, group: group, label: label, volumes: volumes, count: count, before: before, every: hours)
    }
}

@Suite("Red team: guarantees that hold")
struct RedTeamTests {
    typealias R = RedTeam
    static let start = Harness.date("2026-03-02T00:30:00Z")

    // MARK: The 255 ceiling with replication

    /// A mirror destination at 255: the update drops what the source pruned before it sends.
    @Test func mirrorDestinationAt255() async throws {
        let h = try Harness(R.estate + """

            policies:
              hourly: {frequency: hourly, retention: {count: 254}}
            resource_groups:
              g:
                hosts: [h1]
                volumes: [v1]
                policies: [{policy: hourly}]
                replicate: [{to: dr, type: mirror}]
            """)
        try await h.applyCleanly(Self.start.adding(hours: -300))
        try R.seed(h, group: "g", label: "hourly", volumes: ["v1"], count: 253, before: Self.start, every: 1)
        for hour in 0..<4 {
            let now = Self.start.adding(hours: Double(hour))
            try await h.applyCleanly(now)
            #expect(try h.count("v1", at: now) == 254)
            #expect(try h.count("v1_dr", at: now) == 254)
            #expect(try R.names(h, "v1", at: now) == R.names(h, "v1_dr", at: now), "the mirror holds exactly the kept backups")
        }
    }

    /// A vault destination at 255 while the primary keeps 3: each day the vault prunes its
    /// oldest before the new backup arrives.
    @Test func vaultDestinationAt255() async throws {
        let yaml = R.estate + """

            policies:
              daily: {frequency: daily, retention: {count: 254}}
            resource_groups:
              g:
                hosts: [h1]
                volumes: [v1]
                policies: [{policy: daily}]
                replicate: [{to: vault, type: vault, retention: {daily: {count: 255}}}]
            """
        var h = try Harness(yaml)
        let midnight = Harness.date("2026-03-02T00:00:00Z")
        try await h.applyCleanly(midnight.adding(hours: -24 * 300))
        try R.seed(h, group: "g", label: "daily", volumes: ["v1"], count: 254, before: midnight, every: 24)
        try await h.applyCleanly(midnight)
        #expect(try h.count("v1_vault", at: midnight) == 255)
        h.configuration = try Harness.load(yaml.replacingOccurrences(of: "daily: {frequency: daily, retention: {count: 254}}", with: "daily: {frequency: daily, retention: {count: 3}}"))
        for day in 1...3 {
            let now = midnight.adding(hours: Double(24 * day))
            try await h.applyCleanly(now)
            #expect(try h.count("v1", at: now) == 3)
            #expect(try h.count("v1_vault", at: now) == 255)
            let newest = try R.snapshots(h, "v1", at: now).max { $0.created < $1.created }!.name
            #expect(try R.names(h, "v1_vault", at: now).contains(newest), "day \(day): the newest backup is vaulted")
        }
    }

    /// One volume in three groups whose retention adds up to exactly 255, across midnight
    /// (three snapshots due on it in one apply).
    @Test func aVolumeInThreeGroupsAtTheCeiling() async throws {
        let h = try Harness(R.estate + """

            policies:
              hourly: {frequency: hourly, retention: {count: 100}}
              daily: {frequency: daily, retention: {count: 55}}
            resource_groups:
              a: {hosts: [h1], volumes: [v1], policies: [{policy: hourly}]}
              b: {hosts: [h2], volumes: [v1, v2], policies: [{policy: hourly}]}
              c: {hosts: [h1], volumes: [v1], policies: [{policy: daily}]}
            """)
        let midnight = Harness.date("2026-03-02T00:00:00Z")
        try await h.applyCleanly(midnight.adding(hours: -24 * 80))
        try R.seed(h, group: "a", label: "hourly", volumes: ["v1"], count: 99, before: midnight.adding(hours: -2), every: 1)
        try R.seed(h, group: "b", label: "hourly", volumes: ["v1", "v2"], count: 99, before: midnight.adding(hours: -2), every: 1)
        try R.seed(h, group: "c", label: "daily", volumes: ["v1"], count: 54, before: midnight.adding(hours: -2), every: 24)
        #expect(try h.count("v1", at: midnight) == 255)
        for hour in -1..<3 {
            let now = midnight.adding(hours: Double(hour))
            let plan = try await h.applyCleanly(now)
            #expect(plan.actions.filter { $0.kind == .snapshot }.count >= 2, "hour \(hour)")
            #expect(try h.count("v1", at: now) == 255)
            #expect(try h.count("v1", label: "hourly", at: now) == 200)
            #expect(try h.count("v1", label: "daily", at: now) == 55)
        }
    }

    // MARK: Full pools

    /// A pool filled to 100% from outside: the plan still has no errors, the prunes that a
    /// lowered retention makes due run (and are the only thing that succeeds), and backups
    /// resume once the pool has room again.
    @Test func aFullPoolStillPrunesAndBackupsResume() async throws {
        let yaml = R.estate(changeRate: "20%") + """

            policies:
              hourly: {frequency: hourly, retention: {count: 6}}
            resource_groups:
              g: {hosts: [h1], volumes: [v1], policies: [{policy: hourly}]}
            """
        var h = try Harness(yaml)
        for hour in -8..<0 { try await h.applyCleanly(Self.start.adding(hours: Double(hour))) }
        try h.backend.inject(.fillPool(pool: "gold", percent: Percentage(100)), at: Self.start.adding(hours: -0.5))
        h.configuration = try Harness.load(yaml.replacingOccurrences(of: "count: 6", with: "count: 2"))
        let (plan, report) = try await h.apply(Self.start)
        #expect(!plan.hasErrors)
        let prunes = report.results.filter { $0.id.kind == .prune }
        #expect(prunes.count == 5 && prunes.allSatisfy { $0.status == .applied }, "pruning runs in a full pool: \(prunes.map { "\($0.id) \($0.status)" })")
        #expect(try h.count("v1", at: Self.start) >= 1)
        // Space comes back (someone deletes the outside data): the next apply takes the backup.
        try h.backend.inject(.fillPool(pool: "gold", percent: Percentage(50)), at: Self.start.adding(hours: 0.5))
        for hour in 1..<4 {
            let now = Self.start.adding(hours: Double(hour))
            let plan = try await h.applyCleanly(now)
            #expect(plan.actions.contains { $0.kind == .snapshot }, "hour \(hour): backups resume")
            #expect(try h.count("v1", label: "hourly", at: now) == 2)
        }
    }

    /// A pool exactly full (outside data) while the group is at its count: each hour the
    /// prune that the new backup makes due runs first, frees the space of the oldest
    /// snapshot, and the backup is taken.
    @Test func aFullPoolAtTheCountKeepsTakingBackups() async throws {
        let h = try Harness(R.estate(changeRate: "50%") + """

            policies:
              hourly: {frequency: hourly, retention: {count: 6}}
            resource_groups:
              g: {hosts: [h1], volumes: [v1], policies: [{policy: hourly}]}
            """)
        for hour in -8..<0 { try await h.applyCleanly(Self.start.adding(hours: Double(hour))) }
        try h.backend.inject(.fillPool(pool: "gold", percent: Percentage(100)), at: Self.start.adding(hours: -0.5))
        var missed: [Int] = []
        for hour in 0..<4 {
            let now = Self.start.adding(hours: Double(hour))
            let (plan, report) = try await h.apply(now)
            #expect(!plan.hasErrors)
            if report.results.contains(where: { $0.id.kind == .snapshot && $0.status != .applied }) { missed.append(hour) }
        }
        #expect(missed.isEmpty, "backups refused in the full pool in hours \(missed)")
    }

    // MARK: DST and calendars

    /// One backup per local day across the fold and the gap of several zones, applying every
    /// 30 minutes; every apply converges.
    @Test(arguments: [
        ("America/New_York", "*-*-* 01:30:00", "2026-10-31T12:00:00Z"),
        ("America/New_York", "*-*-* 02:30:00", "2026-03-07T12:00:00Z"),
        ("Australia/Lord_Howe", "*-*-* 01:45:00", "2026-04-03T12:00:00Z"),
        ("Australia/Lord_Howe", "*-*-* 02:15:00", "2026-10-03T12:00:00Z"),
        ("Europe/Dublin", "*-*-* 01:30:00", "2026-10-24T12:00:00Z"),
        ("Europe/Dublin", "*-*-* 01:30:00", "2026-03-28T12:00:00Z"),
    ])
    func oneDailyBackupPerLocalDayAcrossDST(zone: String, schedule: String, from: String) async throws {
        let h = try Harness(R.estate.replacingOccurrences(of: "timezone: UTC", with: "timezone: \(zone)") + """

            policies:
              daily: {frequency: daily, retention: {count: 10}}
            resource_groups:
              g: {hosts: [h1], volumes: [v1], policies: [{policy: daily, schedule: "\(schedule)"}]}
            """)
        let first = Harness.date(from)
        var now = first
        while now < first.adding(hours: 60) {
            try await h.applyCleanly(now)
            now = now.adding(hours: 0.5)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        let created = try R.snapshots(h, "v1", at: now).map(\.created).filter { $0 > first }
        let perDay = Dictionary(grouping: created) { calendar.dateComponents([.year, .month, .day], from: $0) }
        #expect(perDay.values.allSatisfy { $0.count == 1 }, "\(zone) \(schedule): \(created.map(\.iso8601))")
        // Exactly the elapses of the chain systemd follows (a gap day is skipped, a fold fires once).
        let event = try CalendarEvent(parsing: schedule)
        var chain: [Date] = []
        var t = first
        while let next = event.nextElapse(after: t, defaultTimeZone: calendar.timeZone), next < now {
            chain.append(next)
            t = next
        }
        #expect(created.sorted() == chain.map { c in created.first { $0 >= c && $0 < c.adding(hours: 0.5) } ?? c }, "\(zone) \(schedule): backups \(created.map(\.iso8601)), elapses \(chain.map(\.iso8601))")
        #expect(created.count == chain.count && chain.count >= 1)
    }

    /// A monthly schedule on day 31 fires only in months that have one.
    @Test func monthlyOnDay31() async throws {
        let h = try Harness(R.estate + """

            policies:
              monthly: {frequency: monthly, retention: {count: 12}}
            resource_groups:
              g: {hosts: [h1], volumes: [v1], policies: [{policy: monthly, schedule: "*-*-31 00:00:00"}]}
            """)
        var now = Harness.date("2026-01-29T06:00:00Z")
        while now < Harness.date("2026-05-02T00:00:00Z") {
            try await h.applyCleanly(now)
            now = now.adding(hours: 24)
        }
        let days = try R.snapshots(h, "v1", at: now).map(\.created).sorted().map { String($0.iso8601.prefix(10)) }
        #expect(days == ["2026-01-29", "2026-01-31", "2026-03-31"])
    }

    /// `--now` exactly at an elapse is "at or before": the backup is due then, and only then.
    @Test func nowExactlyAtAnElapse() async throws {
        let h = try Harness(R.estate + """

            policies:
              hourly: {frequency: hourly, retention: {count: 5}}
            resource_groups:
              g: {hosts: [h1], volumes: [v1], policies: [{policy: hourly}]}
            """)
        let ten = Harness.date("2026-03-02T10:00:00Z")
        try await h.applyCleanly(ten.adding(hours: -1))
        let plan = try await h.applyCleanly(ten)
        #expect(plan.actions.filter { $0.kind == .snapshot }.map { "\($0.address)" } == ["backup.g/g_h1_03-02-2026_10.00.00"])
        #expect(try h.plan(ten.addingTimeInterval(3599)).actions.isEmpty)
        #expect(try h.plan(ten.adding(hours: 1)).actions.contains { $0.kind == .snapshot })
    }

    // MARK: Names

    /// Two labels due at the same second both get a backup, under distinct names.
    @Test func twoLabelsDueAtTheSameSecond() async throws {
        let h = try Harness(R.estate + """

            policies:
              hourly: {frequency: hourly, retention: {count: 3}}
              daily: {frequency: daily, retention: {count: 3}}
            resource_groups:
              g:
                hosts: [h1]
                volumes: [v1]
                policies: [{policy: hourly}, {policy: daily}]
                replicate: [{to: dr, type: mirror}]
            """)
        let midnight = Harness.date("2026-03-03T00:00:00Z")
        try await h.applyCleanly(midnight.adding(hours: -2))
        try await h.applyCleanly(midnight.adding(hours: -1))
        let plan = try await h.applyCleanly(midnight)
        let made = plan.actions.filter { $0.kind == .snapshot }.map { "\($0.address)" }.sorted()
        #expect(made.count == 2 && Set(made).count == 2, "\(made)")
        #expect(try R.names(h, "v1", at: midnight) == R.names(h, "v1_dr", at: midnight))
    }

    // MARK: Replication and copies deleted by hand

    static let mirrored = R.estate + """

        policies:
          hourly: {frequency: hourly, retention: {count: 3}}
        resource_groups:
          g:
            hosts: [h1]
            volumes: [v1]
            policies: [{policy: hourly}]
            replicate: [{to: dr, type: mirror}, {to: vault, type: vault, retention: {hourly: {count: 5}}}]
        """

    /// The primary copy deleted by hand: the mirror copy is kept, counted for retention, and
    /// dropped only when retention prunes it; the vault keeps its copy by its own rule.
    @Test func primaryCopyDeletedByHand() async throws {
        let h = try Harness(Self.mirrored)
        for hour in 0..<3 { try await h.applyCleanly(Self.start.adding(hours: Double(hour))) }
        let newest = try R.snapshots(h, "v1", at: Self.start.adding(hours: 2)).max { $0.created < $1.created }!.name
        try h.backend.inject(.deleteSnapshot(volume: "v1", name: newest), at: Self.start.adding(hours: 2.5))
        let plan = try h.plan(Self.start.adding(hours: 2.6))
        #expect(plan.drift.contains { "\($0.address.map { "\($0)" } ?? "")".hasSuffix(newest) && $0.change.contains("only one") }, "\(plan.drift)")
        try await h.applyCleanly(Self.start.adding(hours: 3))
        #expect(try R.names(h, "v1_dr", at: Self.start.adding(hours: 3)).contains(newest), "the mirror copy is kept")
        #expect(try h.count("v1", at: Self.start.adding(hours: 3)) == 2, "the mirror-only backup counts for the 3")
        try await h.applyCleanly(Self.start.adding(hours: 4))
        #expect(try R.names(h, "v1_dr", at: Self.start.adding(hours: 4)).contains(newest))
        try await h.applyCleanly(Self.start.adding(hours: 5))
        #expect(!(try R.names(h, "v1_dr", at: Self.start.adding(hours: 5)).contains(newest)), "pruned by retention, then dropped")
        #expect(try R.names(h, "v1_vault", at: Self.start.adding(hours: 5)).contains(newest), "the vault keeps it by its own rule")
    }

    /// A copy deleted by hand on the mirror or on the vault is sent again.
    @Test(arguments: ["v1_dr", "v1_vault"]) func destinationCopyDeletedByHand(destination: String) async throws {
        let h = try Harness(Self.mirrored)
        for hour in 0..<3 { try await h.applyCleanly(Self.start.adding(hours: Double(hour))) }
        let oldest = try R.snapshots(h, "v1", at: Self.start.adding(hours: 2)).min { $0.created < $1.created }!.name
        let newest = try R.snapshots(h, "v1", at: Self.start.adding(hours: 2)).max { $0.created < $1.created }!.name
        for name in [oldest, newest] { try h.backend.inject(.deleteSnapshot(volume: destination, name: name), at: Self.start.adding(hours: 2.2)) }
        let plan = try await h.applyCleanly(Self.start.adding(hours: 2.3))
        let held = try R.names(h, destination, at: Self.start.adding(hours: 2.3))
        #expect(held.isSuperset(of: [oldest, newest]), "\(destination) holds \(held.sorted()), lacks \(Set([oldest, newest]).subtracting(held).sorted()); plan: \(plan.actions.map { "\($0.id) \(String(describing: $0.after))" })")
        try await h.applyCleanly(Self.start.adding(hours: 3))
    }

    /// A relationship broken outside flashplan is resynced and updated in one apply.
    @Test func brokenThenResynced() async throws {
        let h = try Harness(Self.mirrored)
        for hour in 0..<3 { try await h.applyCleanly(Self.start.adding(hours: Double(hour))) }
        try h.backend.inject(.breakRelationship(destination: "v1_dr"), at: Self.start.adding(hours: 2.5))
        try h.backend.inject(.breakRelationship(destination: "v1_vault"), at: Self.start.adding(hours: 2.5))
        for hour in 3..<6 {
            let now = Self.start.adding(hours: Double(hour))
            try await h.applyCleanly(now)
            #expect(try R.names(h, "v1", at: now) == R.names(h, "v1_dr", at: now))
            #expect(try R.names(h, "v1_vault", at: now).isSuperset(of: R.names(h, "v1", at: now)))
        }
    }

    /// Configuration taken away: a group removed, a volume removed from a group, a replication
    /// target removed. The backups (and copies) stay for days, reported as unmanaged.
    @Test(arguments: ["group", "volume", "target"]) func configurationTakenAway(what: String) async throws {
        let yaml = R.estate + """

            policies:
              hourly: {frequency: hourly, retention: {count: 3}}
            resource_groups:
              other: {hosts: [h2], volumes: [v2], policies: [{policy: hourly}]}
              g:
                hosts: [h1]
                volumes: [v1, v2]
                policies: [{policy: hourly}]
                replicate: [{to: dr, type: mirror}, {to: vault, type: vault, retention: {hourly: {count: 5}}}]

            """
        var h = try Harness(yaml)
        for hour in 0..<6 { try await h.applyCleanly(Self.start.adding(hours: Double(hour))) }
        let at = Self.start.adding(hours: 5)
        let before = try ["v1", "v1_dr", "v1_vault", "v2_dr", "v2_vault"].map { try R.names(h, $0, group: "g", at: at) }
        let taken: String
        switch what {
        case "group": taken = yaml.replacingOccurrences(of: "  g:\n    hosts: [h1]\n    volumes: [v1, v2]\n    policies: [{policy: hourly}]\n    replicate: [{to: dr, type: mirror}, {to: vault, type: vault, retention: {hourly: {count: 5}}}]\n", with: "")
        case "volume": taken = yaml.replacingOccurrences(of: "volumes: [v1, v2]", with: "volumes: [v2]")
        default: taken = yaml.replacingOccurrences(of: "    replicate: [{to: dr, type: mirror}, {to: vault, type: vault, retention: {hourly: {count: 5}}}]\n", with: "")
        }
        #expect(taken != yaml)
        h.configuration = try Harness.load(taken)
        let plan = try h.plan(Self.start.adding(hours: 6))
        #expect(!plan.unmanaged.isEmpty, "\(what): reported")
        #expect(!plan.actions.contains { $0.kind == .destroyVolume }, "\(what): nothing destroyed")
        for hour in 6..<(6 + 24 * 2) where hour % 6 == 0 {
            try await h.applyCleanly(Self.start.adding(hours: Double(hour)))
        }
        let end = Self.start.adding(hours: 48)
        let after = try ["v1", "v1_dr", "v1_vault", "v2_dr", "v2_vault"].map { try R.names(h, $0, group: "g", at: end) }
        switch what {
        case "group", "target":
            // v1's copies are all kept; v2 stays protected by `other` (and, for "target", by g on primary).
            for i in [1, 2, 3, 4] { #expect(after[i] == before[i], "\(what): copies on a destination kept") }
            if what == "group" { #expect(after[0] == before[0]) }
        default:
            #expect(after[0] == before[0], "volume: backups on v1 kept")
            #expect(after[1] == before[1] && after[2] == before[2], "volume: v1's copies kept")
        }
    }

    // MARK: Retention edge cases

    /// `count: 1` with a mirror and a vault: one backup on primary and mirror, always the newest.
    @Test func countOneWithReplication() async throws {
        let h = try Harness(R.estate + """

            policies:
              hourly: {frequency: hourly, retention: {count: 1}}
            resource_groups:
              g:
                hosts: [h1]
                volumes: [v1]
                policies: [{policy: hourly}]
                replicate: [{to: dr, type: mirror}, {to: vault, type: vault, retention: {hourly: {count: 1}}}]
            """)
        for hour in 0..<6 {
            let now = Self.start.adding(hours: Double(hour))
            try await h.applyCleanly(now)
            let newest = try R.names(h, "v1", at: now)
            #expect(newest.count == 1)
            #expect(try R.names(h, "v1_dr", at: now) == newest)
            #expect(try R.names(h, "v1_vault", at: now) == newest)
        }
    }

    /// `days: 1` with hourly backups on the hour: 24 kept, never fewer, never a day's worth more.
    @Test func daysOneWithHourlyBackups() async throws {
        let h = try Harness(R.estate + """

            policies:
              hourly: {frequency: hourly, retention: {days: 1}}
            resource_groups:
              g: {hosts: [h1], volumes: [v1], policies: [{policy: hourly}]}
            """)
        let zero = Harness.date("2026-03-02T00:00:00Z")
        for hour in 0..<30 {
            let now = zero.adding(hours: Double(hour))
            try await h.applyCleanly(now)
            #expect(try h.count("v1", at: now) == min(hour + 1, 24), "hour \(hour)")
        }
    }

    /// Orphaned labels pruned while a clone holds one of them (on primary) and a vault holds
    /// another: the clone's parent and the vault's last shared backup are kept.
    @Test func orphanPruningSparesCloneParentsAndTheVaultBase() async throws {
        let before = R.estate + """

            policies:
              hourly: {frequency: hourly, retention: {count: 4}}
              daily: {frequency: daily, retention: {count: 3}}
            resource_groups:
              g:
                hosts: [h1]
                volumes: [v1]
                policies: [{policy: hourly}, {policy: daily}]
                replicate: [{to: vault, type: vault, retention: {hourly: {count: 6}, daily: {count: 3}}}]
                clones: [{name: dev, label: hourly, from: primary, host: h1, refresh: never}]
            """
        var h = try Harness(before)
        for hour in 0..<5 { try await h.applyCleanly(Self.start.adding(hours: Double(hour))) }
        let parent = try #require(try h.observe(Self.start.adding(hours: 4)).clones.first { $0.name == "dev_v1" }).parentSnapshot
        let base = try #require(try R.snapshots(h, "v1_vault", at: Self.start.adding(hours: 4)).max { $0.created < $1.created }).name
        h.configuration = try Harness.load(
            before.replacingOccurrences(of: "policies: [{policy: hourly}, {policy: daily}]", with: "policies: [{policy: daily}]")
                .replacingOccurrences(of: "retention: {hourly: {count: 6}, daily: {count: 3}}", with: "retention: {daily: {count: 3}}")
                .replacingOccurrences(of: "label: hourly", with: "label: daily")
                .replacingOccurrences(of: "settings: {timezone: UTC}", with: "settings: {timezone: UTC, prune_orphaned_labels: true}"))
        for hour in 5..<8 { try await h.applyCleanly(Self.start.adding(hours: Double(hour))) }
        let end = Self.start.adding(hours: 7)
        #expect(try R.names(h, "v1", label: "hourly", at: end) == [parent, base], "only the clone's parent and the vault's base are left of the orphaned label")
        #expect(try R.names(h, "v1_vault", label: "hourly", at: end) == [base], "the vault keeps only its base of the orphaned label")
        #expect(try h.observe(end).clones.contains { $0.name == "dev_v1" && $0.parentSnapshot == parent })
    }

    /// Destination names collide: `v1` replicated to pool `dr_x` and a volume `v1_dr`
    /// replicated to pool `x` both need the destination `v1_dr_x`; validation reports it
    /// as two groups sharing one destination (`shared-destination`).
    @Test func twoDestinationsWithTheSameName() async throws {
        let yaml = R.estate
            .replacingOccurrences(of: "  vault: {cluster: c1, capacity_from: [{array: a2, capacity: 5TB}]}", with: "  dr_x: {cluster: c1, capacity_from: [{array: a2, capacity: 2TB}]}\n  x: {cluster: c1, capacity_from: [{array: a2, capacity: 2TB}]}")
            .replacingOccurrences(of: "  v2: {pool: gold", with: "  v1_dr: {pool: gold, size: 10GiB, hosts: [h2], change_rate: 0%}\n  v2: {pool: gold") + """

            policies:
              hourly: {frequency: hourly, retention: {count: 3}}
            resource_groups:
              one: {hosts: [h1], volumes: [v1], policies: [{policy: hourly}], replicate: [{to: dr_x, type: mirror}]}
              two: {hosts: [h2], volumes: [v1_dr], policies: [{policy: hourly}], replicate: [{to: x, type: mirror}]}
            """
        let result = ConfigurationLoader.load(sources: [SourceFile(path: "t.yaml", text: yaml)])
        let errors = result.diagnostics.filter { $0.severity == .error }.map(\.description)
        #expect(errors.contains { $0.contains("'v1_dr_x'") && $0.contains("[shared-destination]") }, "\(errors)")
    }
}

/// Failures: each a promise of DESIGN §3–§5 the planner breaks. See the report.
@Suite("Red team findings, fixed: each failed before the fix named in its comment")
struct RedTeamFindings {
    typealias R = RedTeam
    static let start = Harness.date("2026-03-02T00:30:00Z")

    /// A clone with `refresh: never` pins its parent; with `count: 255` (which validate
    /// accepts) the volume reaches 255 and every later plan has a `snapshot-ceiling`
    /// error: the group's backups (and, since a plan with errors is refused, every
    /// group's) stop for good.
    @Test func aClonePinningItsParentAtTheCeilingStopsBackupsForGood() async throws {
        let h = try Harness(R.estate + """

            policies:
              hourly: {frequency: hourly, retention: {count: 254}}
            resource_groups:
              g:
                hosts: [h1]
                volumes: [v1]
                policies: [{policy: hourly}]
                clones: [{name: dev, label: hourly, from: primary, host: h1, refresh: never}]
            """)
        try await h.applyCleanly(Self.start.adding(hours: -300))
        try R.seed(h, group: "g", label: "hourly", volumes: ["v1"], count: 254, before: Self.start, every: 1)
        #expect(try h.count("v1", at: Self.start) == 255)
        var stopped: [Int] = []
        for hour in 0..<6 {
            let now = Self.start.adding(hours: Double(hour))
            let plan = try h.plan(now)
            let ceiling = plan.diagnostics.filter { $0.severity == .error }.map(\.description)
            if !ceiling.isEmpty {
                // The timer's apply refuses the whole plan: nothing happens this hour.
                stopped.append(hour)
                if stopped.count == 1 { Issue.record("hour \(hour): \(ceiling)") }
                continue
            }
            try await h.applyCleanly(now)
        }
        #expect(stopped.isEmpty, "no backup in hours \(stopped) of 0..<6")
    }

    /// The vault's array goes offline while the primary is at the ceiling (hourly 254 +
    /// daily 1, vault keeps the daily): the replication base (the daily the vault holds)
    /// may not be pruned, so at midnight the volume would hold 256 — a `snapshot-ceiling`
    /// error, the whole plan refused: the offline vault stops the primary's hourly
    /// backups, not just its own transfer.
    @Test func anOfflineVaultArrayAtTheCeilingStopsPrimaryBackups() async throws {
        let h = try Harness(R.estate + """

            policies:
              hourly: {frequency: hourly, retention: {count: 253}}
              daily: {frequency: daily, retention: {count: 1}}
            resource_groups:
              g:
                hosts: [h1]
                volumes: [v1]
                policies: [{policy: hourly}, {policy: daily}]
                replicate: [{to: vault, type: vault, retention: {daily: {count: 7}}}]
            """)
        let midnight = Harness.date("2026-03-02T00:00:00Z")
        try await h.applyCleanly(midnight.adding(hours: -300))
        try R.seed(h, group: "g", label: "hourly", volumes: ["v1"], count: 253, before: midnight.adding(hours: -3), every: 1)
        try await h.applyCleanly(midnight.adding(hours: -2))
        #expect(try h.count("v1", at: midnight.adding(hours: -2)) == 254)
        try h.backend.inject(.arrayOffline(array: "a2"), at: midnight.adding(hours: -1.5))
        var stopped: [Int] = []
        for hour in -1..<4 {
            let now = midnight.adding(hours: Double(hour))
            let plan = try h.plan(now)
            let errors = plan.diagnostics.filter { $0.severity == .error }.map(\.description)
            if !errors.isEmpty {
                // The timer's apply refuses the whole plan: not even the hourly backup is taken.
                stopped.append(hour)
                if stopped.count == 1 { Issue.record("hour \(hour): the offline vault stops the primary's backups: \(errors)") }
                continue
            }
            let (_, report) = try await h.apply(now)
            let failed = report.results.filter { $0.status == .failed }.map { "\($0.id): \($0.message ?? "")" }
            #expect(failed.isEmpty, "hour \(hour): \(failed)")
            #expect(try h.count("v1", at: now) <= 255)
        }
        #expect(stopped.isEmpty, "no backup at all in hours \(stopped) (relative to midnight) while the vault's array is offline")
    }

    /// The same with a mirror: group `g` keeps 3 hourly backups mirrored to `dr`, group `z`
    /// keeps 252 on the same volume (255 together). Three hours after the mirror's array
    /// goes offline, the backup the mirror holds falls out of `count: 3` but is kept as the
    /// replication base: 256, a `snapshot-ceiling` error, and no group on the volume (nor,
    /// since the plan is refused, anywhere) gets a backup until the array is back.
    @Test func anOfflineMirrorArrayAtTheCeilingStopsEveryBackup() async throws {
        let h = try Harness(R.estate + """

            policies:
              three: {frequency: hourly, label: hourly, retention: {count: 3}}
              rest: {frequency: hourly, label: hourly, retention: {count: 251}}
            resource_groups:
              g: {hosts: [h1], volumes: [v1], policies: [{policy: three}], replicate: [{to: dr, type: mirror}]}
              z: {hosts: [h2], volumes: [v1], policies: [{policy: rest}]}
            """)
        try await h.applyCleanly(Self.start.adding(hours: -400))
        try R.seed(h, group: "z", label: "hourly", volumes: ["v1"], count: 250, before: Self.start.adding(hours: -3), every: 1)
        for hour in -3..<0 { try await h.applyCleanly(Self.start.adding(hours: Double(hour))) }
        #expect(try h.count("v1", at: Self.start) == 254)
        try h.backend.inject(.arrayOffline(array: "a2"), at: Self.start.adding(hours: -0.5))
        var stopped: [Int] = []
        for hour in 0..<6 {
            let now = Self.start.adding(hours: Double(hour))
            let errors = try h.plan(now).diagnostics.filter { $0.severity == .error }.map(\.description)
            if !errors.isEmpty {
                stopped.append(hour)
                if stopped.count == 1 { Issue.record("hour \(hour) of the outage: \(errors)") }
                continue
            }
            let (_, report) = try await h.apply(now)
            let failed = report.results.filter { $0.status == .failed }.map { "\($0.id): \($0.message ?? "")" }
            #expect(failed.isEmpty, "hour \(hour): \(failed)")
        }
        #expect(stopped.isEmpty, "no backup at all in hours \(stopped) of the mirror array's outage")
    }

    /// Snapshots taken by hand fill a mirror destination (`v1_dr`) of group `g`. That is
    /// `g`'s problem alone, but `snapshot-ceiling` is a plan error, and a plan with errors
    /// is refused whole (ApplyRunner): group `other`, on another volume in another pool,
    /// gets no backup either. DESIGN §5: one problem blocks only what it concerns.
    @Test func aFullDestinationStopsAnUnrelatedGroupsBackups() async throws {
        let h = try Harness(R.estate + """

            policies:
              hourly: {frequency: hourly, retention: {count: 3}}
            resource_groups:
              g: {hosts: [h1], volumes: [v1], policies: [{policy: hourly}], replicate: [{to: dr, type: mirror}]}
              other: {hosts: [h2], volumes: [v2], policies: [{policy: hourly}]}
            """)
        try await h.applyCleanly(Self.start.adding(hours: -1))
        let hand = (0..<254).map { StorageOperation.createSnapshot(SnapshotSpec(volume: "v1_dr", name: "hand-\($0)", label: "manual")) }
        try h.backend.performAll(hand, at: Self.start.adding(hours: -0.5))
        #expect(try h.count("v1_dr", at: Self.start) == 255)
        let plan = try h.plan(Self.start)
        let errors = plan.diagnostics.filter { $0.severity == .error }.map(\.description)
        let otherPlanned = plan.actions.contains { $0.kind == .snapshot && $0.group == "other" }
        #expect(otherPlanned)
        #expect(errors.isEmpty, "group 'other''s backup is refused with the whole plan: \(errors)")
    }

    /// `days: 1` of an hourly schedule counts 24 (docs/configuration.md), so hourly `days: 1`
    /// plus another group's `count: 231` is exactly 255, which validate accepts. One apply
    /// that runs 30 minutes late (a lock wait, a slow array) leaves 25 backups younger than
    /// a day 24 hours later: the volume would hold 256, a `snapshot-ceiling` error, and the
    /// plan is refused.
    @Test func aLateApplyWithADaysRuleAt255() async throws {
        let h = try Harness(R.estate + """

            policies:
              hourly-days: {frequency: hourly, label: hourly, retention: {days: 1}}
              hourly-count: {frequency: hourly, label: hourly, retention: {count: 230}}
            resource_groups:
              a: {hosts: [h1], volumes: [v1], policies: [{policy: hourly-days}]}
              b: {hosts: [h2], volumes: [v1], policies: [{policy: hourly-count}]}
            """)
        let zero = Harness.date("2026-03-02T00:00:00Z")
        try await h.applyCleanly(zero.adding(hours: -1))
        try R.seed(h, group: "b", label: "hourly", volumes: ["v1"], count: 229, before: zero.adding(hours: -1), every: 1)
        for hour in 0..<36 {
            // The 10:00 run is 30 minutes late.
            let now = zero.adding(hours: Double(hour) + (hour == 10 ? 0.5 : 0))
            let plan = try h.plan(now)
            let errors = plan.diagnostics.filter { $0.severity == .error }.map(\.description)
            #expect(errors.isEmpty, "\(now.iso8601): \(errors)")
            guard errors.isEmpty else { return }
            try await h.applyCleanly(now)
            #expect(try h.count("v1", at: now) <= 255)
        }
    }

    /// An immutable `count: 255` hourly policy (validate accepts it). Found: immutability
    /// was counted from each backup's creation, so one apply that ran 30 minutes late 255
    /// hours ago left 256 immutable backups at the next elapse and refused the plan. Now it
    /// is counted from the elapse the backup stands for.
    @Test func aLateApplyWithImmutableBackupsAt255() async throws {
        let h = try Harness(R.estate + """

            policies:
              hourly: {frequency: hourly, retention: {count: 255}, immutable: true}
            resource_groups:
              g: {hosts: [h1], volumes: [v1], policies: [{policy: hourly}]}
            """)
        let ten = Harness.date("2026-03-20T10:00:00Z")
        let first = try await h.applyCleanly(ten.adding(hours: -400))
        let initial = try #require(first.actions.first { $0.kind == .snapshot }.map { "\($0.address)".components(separatedBy: "/").last! })
        try h.outside(.deleteSnapshot(volume: "v1", name: initial), at: ten.adding(hours: -140))
        // What 255 hourly applies left: the one for the elapse 255 hours ago ran 30 minutes late.
        for i in 1...255 {
            let created = ten.adding(hours: i == 255 ? -254.5 : -Double(i))
            try h.backend.performAll([.createSnapshot(SnapshotSpec(
                volume: "v1", name: "g_seed_\(i)", label: "hourly", hosts: ["h1"], group: "g",
                // Stamped as the planner stamps: from the elapse the backup stands for.
                immutableUntil: ten.adding(hours: -Double(i) + 255)))], at: created)
        }
        try await h.applyCleanly(ten.adding(hours: -0.5))
        #expect(try h.count("v1", at: ten) == 255)
        var stopped: [String] = []
        for hour in 0..<2 {
            let now = ten.adding(hours: Double(hour))
            let errors = try h.plan(now).diagnostics.filter { $0.severity == .error }.map(\.description)
            if !errors.isEmpty {
                stopped.append(now.iso8601)
                if stopped.count == 1 { Issue.record("\(now.iso8601): \(errors)") }
                continue
            }
            try await h.applyCleanly(now)
        }
        #expect(stopped.isEmpty, "no backup at \(stopped)")
    }

    /// Two groups on one volume whose names collide: group `a` (first host `b_x`) and group
    /// `a_b` (first host `x`) both name their backups `a_b_x_<date>_<time>`. Each group is
    /// planned on its own fork, so neither sees the name the other plans: both snapshots of
    /// the same name land on the shared volume in one apply, and one fails. Names and hosts
    /// are valid (`^[A-Za-z_][A-Za-z0-9._-]{0,62}$`).
    @Test func twoGroupsWhoseBackupNamesCollide() async throws {
        let h = try Harness(R.estate.replacingOccurrences(of: "hosts: {h1: {}, h2: {}}", with: "hosts: {h1: {}, h2: {}, b_x: {}, x: {}}")
            .replacingOccurrences(of: "v2: {pool: gold, size: 10GiB, hosts: [h2], change_rate: 0%}", with: "v2: {pool: gold, size: 10GiB, hosts: [h2], change_rate: 0%}\n  v3: {pool: gold, size: 10GiB, hosts: [b_x, x], change_rate: 0%}") + """

            policies:
              hourly: {frequency: hourly, retention: {count: 3}}
            resource_groups:
              a: {hosts: [b_x], volumes: [v3], policies: [{policy: hourly}]}
              a_b: {hosts: [x], volumes: [v3], policies: [{policy: hourly}]}
            """)
        for hour in 0..<4 {
            let now = Self.start.adding(hours: Double(hour))
            try await h.applyCleanly(now)
            for group in ["a", "a_b"] {
                let newest = try R.snapshots(h, "v3", at: now).filter { $0.group == group }.map(\.created).max()
                #expect(newest == now, "hour \(hour): group \(group)'s backup was not taken (newest \(newest?.iso8601 ?? "none"))")
            }
        }
    }

    /// A backup's name is free on the primary but taken (by a snapshot made by hand) on the
    /// mirror destination: the planner counts the destination as holding the backup, so the
    /// backup is never replicated, the plan converges and nothing reports it.
    @Test(arguments: ["dr", "vault"]) func aNameTakenOnTheDestinationOnly(pool: String) async throws {
        let h = try Harness(R.estate + """

            policies:
              hourly: {frequency: hourly, retention: {count: 3}}
            resource_groups:
              g:
                hosts: [h1]
                volumes: [v1]
                policies: [{policy: hourly}]
                replicate: [{to: \(pool), type: \(pool == "dr" ? "mirror" : "vault")\(pool == "dr" ? "" : ", retention: {hourly: {count: 3}}")}]
            """)
        let ten = Harness.date("2026-03-02T10:00:00Z")
        try await h.applyCleanly(ten.adding(hours: -1))
        try h.outside(.createSnapshot(SnapshotSpec(volume: "v1_\(pool)", name: "g_h1_03-02-2026_10.00.00", label: "manual")), at: ten.adding(hours: -0.5))
        let plan = try await h.applyCleanly(ten)
        let name = try #require(plan.actions.first { $0.kind == .snapshot }.map { "\($0.address)".components(separatedBy: "/").last! })
        let copies = try R.snapshots(h, "v1_\(pool)", at: ten).filter { $0.group == "g" }.map(\.name)
        #expect(copies.contains(name), "backup \(name) is not on v1_\(pool) (holds \(copies)); plan drift \(plan.drift.map(\.change)), diagnostics \(plan.diagnostics.map(\.description))")
    }
}
