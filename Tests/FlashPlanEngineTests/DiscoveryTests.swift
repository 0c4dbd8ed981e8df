import FlashPlanConfig
import FlashPlanModel
import Foundation
import Testing

@testable import FlashPlanEngine

/// `flashplan discover`'s inference (issue 11, item 5): policies from the backups that
/// exist, groups from their backups, and YAML that the loader reads back into a
/// configuration whose plan adopts everything.
@Suite struct DiscoveryTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let now = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18T…Z

    static func hoursAgo(_ hours: Double) -> Date { now.addingTimeInterval(-hours * 3600) }

    /// A moment given in UTC.
    static func utcDate(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int = 0) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = utc
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
    }

    /// Whether `count` keeps every one of `existing` backups and one more made now.
    static func keepsAll(_ existing: [Date], count: Int) -> Bool {
        let candidates = existing.enumerated().map { RetentionEvaluator.Candidate(name: "b\($0.offset)", created: $0.element) }
            + [RetentionEvaluator.Candidate(name: "next", created: now)]
        return RetentionEvaluator.evaluate(candidates, rule: .count(count), now: now).allSatisfy(\.keep)
    }

    // MARK: Inference of one label

    @Test func irregularSpacingOfAnUnnamedLabelIsReadAsTheClosestTwoAndKeepsEveryBackup() {
        let times = [Self.hoursAgo(80), Self.hoursAgo(77), Self.hoursAgo(51), Self.hoursAgo(46.5), Self.hoursAgo(2)]
        let inferred = BackupInference.infer(label: "custom", backups: times, timeZone: Self.utc)
        // The closest two are 3 hours apart: hourly, the more often of the candidates.
        #expect(inferred.frequency == .hourly)
        // Not every backup at the same minute: the frequency's default schedule.
        #expect(inferred.schedule == nil)
        #expect(inferred.count == 6)
        #expect(Self.keepsAll(times, count: inferred.count))
        #expect(inferred.evidence.contains { $0.contains("closest two backups are 3h apart") })
    }

    @Test func backupsAtOneTimeOfDayGiveThatSchedule() {
        let times = (14...17).map { Self.utcDate(2026, 11, $0, 1, 30, 7) }
        let inferred = BackupInference.infer(label: "nightly", backups: times, timeZone: Self.utc)
        #expect(inferred.frequency == .daily)
        #expect(inferred.schedule == "*-*-* 01:30:00")
        #expect(inferred.count == 5)
        // Read in the configuration's zone: 01:30 UTC is 02:30 in Rome in November.
        let rome = BackupInference.infer(label: "nightly", backups: times, timeZone: TimeZone(identifier: "Europe/Rome")!)
        #expect(rome.schedule == "*-*-* 02:30:00")
    }

    @Test func weeklyAndMonthlySchedulesNeedTheSameMomentOfTheirPeriod() {
        // Sundays 2026-11-01, 08 and 15 at 03:00.
        let weeks = [1, 8, 15].map { Self.utcDate(2026, 11, $0, 3, 0) }
        #expect(BackupInference.infer(label: "weekly", backups: weeks, timeZone: Self.utc).schedule == "Sun *-*-* 03:00:00")
        // Two different weekdays: the default.
        let mixed = BackupInference.infer(label: "weekly", backups: [weeks[0], Self.utcDate(2026, 11, 9, 3, 0)], timeZone: Self.utc)
        #expect(mixed.frequency == .weekly)
        #expect(mixed.schedule == nil)
        let months = [9, 10, 11].map { Self.utcDate(2026, $0, 1, 0, 5) }
        #expect(BackupInference.infer(label: "monthly", backups: months, timeZone: Self.utc).schedule == "*-*-01 00:05:00")
        // The 31st is missing from some months: the default, so none is skipped.
        let ends = [7, 8].map { Self.utcDate(2026, $0, 31, 0, 0) }
        #expect(BackupInference.infer(label: "monthly", backups: ends, timeZone: Self.utc).schedule == nil)
    }

    @Test func aSingleBackupOfAnUnnamedLabelIsOnDemandAndKept() {
        let inferred = BackupInference.infer(label: "before-upgrade", backups: [Self.hoursAgo(30)], timeZone: Self.utc)
        #expect(inferred.frequency == .none)
        #expect(inferred.schedule == nil)
        #expect(inferred.count == 2)
        #expect(Self.keepsAll([Self.hoursAgo(30)], count: inferred.count))
        #expect(inferred.evidence.contains { $0.contains("a single backup") })
    }

    @Test func aSingleBackupOfAFrequencyLabelGetsThatFrequencyAndItsDefaultSchedule() {
        let inferred = BackupInference.infer(label: "monthly", backups: [Self.hoursAgo(30)], immutable: true, timeZone: Self.utc)
        #expect(inferred.frequency == .monthly)
        // One backup tells when it was taken, not when its schedule fires.
        #expect(inferred.schedule == nil)
        #expect(inferred.count == 2)
        #expect(inferred.immutable)
    }

    @Test func theCountStopsAtTheMostAVolumeHolds() {
        let times = (0..<255).map { Self.hoursAgo(Double($0 + 1)) }
        let inferred = BackupInference.infer(label: "hourly", backups: times, timeZone: Self.utc)
        #expect(inferred.count == 255)
        #expect(inferred.evidence.contains { $0.contains("the most a volume can hold") })
    }

    // MARK: Backup names

    @Test func backupNamesAreRecognisedWithTheirHostTimeAndSuffix() throws {
        let plain = try #require(Discovery.parseBackupName("erp_db01_11-21-2026_10.15.00", group: "erp"))
        #expect(plain.host == "db01")
        #expect(plain.local.month == 11 && plain.local.day == 21 && plain.local.year == 2026)
        #expect(plain.local.hour == 10 && plain.local.minute == 15 && plain.local.second == 0)
        // Underscores in the group and the host, and the `_<label>` / `_<n>` suffixes.
        let labelled = try #require(Discovery.parseBackupName("my_group_db_01_01-02-2026_03.04.05_weekly", group: "my_group"))
        #expect(labelled.host == "db_01")
        #expect(try #require(Discovery.parseBackupName("g_h_01-02-2026_03.04.05_2", group: "g")).host == "h")
        #expect(Discovery.parseBackupName("other_db01_11-21-2026_10.15.00", group: "erp") == nil)
        #expect(Discovery.parseBackupName("erp_by-hand", group: "erp") == nil)
        #expect(Discovery.parseBackupName("erp__11-21-2026_10.15.00", group: "erp") == nil)
    }

    // MARK: Whole estates

    static func observed(snapshots: [ObservedSnapshot], extraVolumes: [ObservedVolume] = [], hosts: [String] = ["h1", "h2"]) -> ObservedState {
        var state = ObservedState(lineage: "test", serial: 3)
        state.arrays = [ObservedArray(name: "a1", model: .flashSystem820, capacity: .tb(24), site: "rome")]
        state.clusters = [ObservedCluster(name: "c1", site: "rome", ioGroups: 2)]
        state.pools = [ObservedPool(
            name: "gold", cluster: "c1", capacityFrom: [Pool.Extent(array: "a1", capacity: .tb(10))], warningThreshold: Percentage(85),
            maxOvercommit: Percentage(250), easyTier: true, physicalCapacity: .tb(10), usedCapacity: .zero, virtualCapacity: .gib(300))]
        state.hosts = hosts.map { ObservedHost(name: $0, site: "rome") }
        state.volumes = [
            ObservedVolume(name: "v1", pool: "gold", size: .gib(100), hosts: ["h1"], created: now.addingTimeInterval(-30 * 86400)),
            ObservedVolume(name: "v2", pool: "gold", size: .gib(200), accessProtocol: .iscsi, hosts: ["h1", "h2"], changeRate: Percentage(12.5), created: now.addingTimeInterval(-30 * 86400)),
        ] + extraVolumes
        state.snapshots = snapshots
        return state
    }

    static func backup(_ group: String, host: String, hoursAgo hours: Double, label: String, volumes: [String], tag: String? = nil) -> [ObservedSnapshot] {
        let created = Self.hoursAgo(hours)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = utc
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: created)
        func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
        let name = "\(group)_\(host)_\(two(c.month))-\(two(c.day))-\(c.year!)_\(two(c.hour)).\(two(c.minute)).\(two(c.second))" + (label == "daily" ? "" : "_\(label)")
        return volumes.map { ObservedSnapshot(volume: $0, name: name, label: label, created: created, hosts: [host], tag: tag, group: group) }
    }

    /// Discovers, writes YAML, loads it back (with `extra` files of a partial configuration)
    /// and plans it against the same state.
    static func roundTrip(_ observed: ObservedState, configuration extra: [SourceFile] = []) throws -> (String, LoadResult, Plan, ConfigurationFragment) {
        let partial = ConfigurationLoader.load(sources: extra)
        #expect(!partial.hasErrors, "\(partial.diagnostics)")
        let fragment = Discovery(observed: observed, configuration: partial.configuration, isValidName: Language.isValidName).discover()
        let yaml = try ConfigurationWriter.document(fragment, heading: ["test"])
        let loaded = ConfigurationLoader.load(sources: extra + [SourceFile(path: "discovered.yaml", text: yaml)])
        let plan = Planner(configuration: loaded.configuration, observed: observed, now: now).plan()
        return (yaml, loaded, plan, fragment)
    }

    /// Nothing the plan does touches what exists: it may only take new backups and send them.
    static func adoptsEverything(_ plan: Plan) -> Bool {
        plan.actions.allSatisfy { $0.kind == .snapshot || $0.kind == .transfer }
            && plan.retention.allSatisfy { $0.verdict == .keep }
    }

    @Test func aLabelOnlySomeVolumesHaveKeepsTheGroupsVolumesAndEveryBackup() throws {
        // Group g backs up v1 and v2 daily; its 'monthly' backups exist on v1 only (v2 joined later).
        var snapshots: [ObservedSnapshot] = []
        for day in 1...3 { snapshots += Self.backup("g", host: "h1", hoursAgo: Double(day * 24), label: "daily", volumes: ["v1", "v2"]) }
        for month in 1...2 { snapshots += Self.backup("g", host: "h1", hoursAgo: Double(month * 24 * 30 + 5), label: "monthly", volumes: ["v1"]) }
        let observed = Self.observed(snapshots: snapshots.sorted { ($0.volume, $0.created) < ($1.volume, $1.created) })
        let (yaml, loaded, plan, fragment) = try Self.roundTrip(observed)
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)\n\(yaml)")
        let group = try #require(loaded.configuration.resourceGroups["g"])
        #expect(group.volumes == ["v1", "v2"])
        #expect(group.hosts == ["h1"])
        let monthly = try #require(loaded.configuration.policies["g-monthly"])
        #expect(monthly.frequency == .monthly)
        #expect(monthly.retention == .count(3))
        #expect(loaded.configuration.policies["g-daily"]?.retention == .count(4))
        #expect(Self.adoptsEverything(plan), "\(plan.actions.map(\.id))")
        #expect(plan.retention.filter { $0.verdict == .keep && !$0.planned }.count == 5)
        // Infrastructure exactly as observed, so the plan changes none of it.
        #expect(loaded.configuration.pools["gold"]?.warningThreshold == Percentage(85))
        #expect(loaded.configuration.pools["gold"]?.maxOvercommit == Percentage(250))
        #expect(loaded.configuration.volumes["v2"]?.changeRate == Percentage(12.5))
        #expect(loaded.configuration.volumes["v2"]?.accessProtocol == .iscsi)
        #expect(loaded.configuration.arrays["a1"]?.capacity == .tb(24))
        #expect(fragment.notes[.init(.policies, "g-monthly")]?.contains { $0.contains("2 backups") } == true)
        #expect(yaml.contains("# recognised from 5 backups"))
    }

    @Test func aPartialConfigurationGetsOnlyWhatItLacks() throws {
        var snapshots: [ObservedSnapshot] = []
        for hour in 1...3 { snapshots += Self.backup("g", host: "h1", hoursAgo: Double(hour), label: "hourly", volumes: ["v1"]) }
        let observed = Self.observed(snapshots: snapshots)
        let partial = SourceFile(path: "mine.yaml", text: """
            arrays: {a1: {model: FlashSystem 820, capacity: 24TB, site: rome}}
            clusters: {c1: {site: rome, io_groups: 2}}
            pools: {gold: {cluster: c1, capacity_from: [{array: a1, capacity: 10TB}], warning_threshold: 85%, max_overcommit: 250%, easy_tier: true}}
            hosts: {h1: {site: rome}}
            volumes: {v1: {pool: gold, size: 100GiB, hosts: [h1]}}
            policies: {g-hourly: {frequency: daily, retention: {count: 1}}}
            """)
        let (yaml, loaded, plan, fragment) = try Self.roundTrip(observed, configuration: [partial])
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)\n\(yaml)")
        #expect(fragment.arrays.isEmpty && fragment.clusters.isEmpty && fragment.pools.isEmpty)
        #expect(fragment.hosts.map(\.name) == ["h2"])
        #expect(fragment.summary == "1 host, 1 volume, 1 policy, 1 resource group")
        #expect(fragment.volumes.map(\.name) == ["v2"])
        // The configuration's own policy name is not reused.
        #expect(fragment.policies.map(\.name) == ["g-hourly-2"])
        #expect(Self.adoptsEverything(plan))
    }

    @Test func namesYAMLWouldMisreadAreQuotedAndInvalidNamesAreWarnedAbout() throws {
        // Valid names that YAML reads as other things unless quoted, and a tag full of syntax.
        var snapshots = Self.backup("null", host: "true", hoursAgo: 2, label: "daily", volumes: ["v1"], tag: "a: b # c, [d]\n- e")
        // Invalid names: a group, and a volume, that the language cannot spell.
        snapshots += Self.backup("bad group", host: "true", hoursAgo: 2, label: "daily", volumes: ["v2"])
        let odd = ObservedVolume(name: "vol\u{1B}[31m", pool: "gold", size: .gib(1), hosts: ["true"], created: Self.now)
        var observed = Self.observed(snapshots: snapshots, extraVolumes: [odd], hosts: ["true", "h2"])
        observed.volumes[0].hosts = ["true"]
        observed.volumes[1].hosts = ["true", "h2"]
        let (yaml, loaded, plan, fragment) = try Self.roundTrip(observed)
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)\n\(yaml)")
        #expect(loaded.configuration.resourceGroups["null"]?.hosts == ["true"])
        #expect(loaded.configuration.resourceGroups["null"]?.tag == "a: b # c, [d]\n- e", "\(yaml)")
        #expect(loaded.configuration.hosts["true"] != nil)
        #expect(fragment.warnings.contains { $0.contains("group 'bad group'") })
        #expect(fragment.warnings.contains { $0.contains("volume 'vol\\u{1B}[31m'") })
        // The escape character never reaches the YAML, comments included.
        #expect(!yaml.contains("\u{1B}"))
        #expect(yaml.contains("# warning: backups of group 'bad group' are not adopted"))
        #expect(Self.adoptsEverything(plan))
    }

    @Test func replicationAndClonesAreAdoptedWithVaultCounts() throws {
        var snapshots: [ObservedSnapshot] = []
        for day in 1...3 { snapshots += Self.backup("g", host: "h1", hoursAgo: Double(day * 24), label: "daily", volumes: ["v1", "v1_gold2"]) }
        // The vault holds the backups of 3 and 1 days ago, not the one between them.
        snapshots += Self.backup("g", host: "h1", hoursAgo: 72, label: "daily", volumes: ["v1_vault"])
        snapshots += Self.backup("g", host: "h1", hoursAgo: 24, label: "daily", volumes: ["v1_vault"])
        var observed = Self.observed(snapshots: snapshots)
        observed.arrays.append(ObservedArray(name: "a2", model: .flashSystem810, capacity: .tb(10), site: "milan"))
        for pool in ["gold2", "vault"] {
            observed.pools.append(ObservedPool(
                name: pool, cluster: "c1", capacityFrom: [Pool.Extent(array: "a2", capacity: .tb(4))], warningThreshold: Percentage(80),
                maxOvercommit: Percentage(300), easyTier: false, physicalCapacity: .tb(4), usedCapacity: .zero, virtualCapacity: .zero))
        }
        observed.volumes += [
            ObservedVolume(name: "v1_gold2", pool: "gold2", size: .gib(100), role: .destination, created: Self.now),
            ObservedVolume(name: "v1_vault", pool: "vault", size: .gib(100), role: .destination, created: Self.now),
            ObservedVolume(name: "rep_v1", pool: "gold2", size: .gib(100), hosts: ["h2"], role: .clone, created: Self.now),
        ]
        observed.relationships = [
            ObservedRelationship(source: "v1", destination: "v1_gold2", type: .mirror, state: .idle, lastTransfer: Self.hoursAgo(24), group: "g"),
            ObservedRelationship(source: "v1", destination: "v1_vault", type: .vault, state: .idle, lastTransfer: Self.hoursAgo(24), group: "g"),
        ]
        let parent = snapshots.first { $0.volume == "v1_gold2" }!.name
        observed.clones = [ObservedClone(name: "rep_v1", volume: "v1_gold2", pool: "gold2", parentSnapshot: parent, host: "h2", created: Self.now)]
        observed.snapshots.sort { ($0.volume, $0.created) < ($1.volume, $1.created) }
        let (yaml, loaded, plan, _) = try Self.roundTrip(observed)
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)\n\(yaml)")
        let group = try #require(loaded.configuration.resourceGroups["g"])
        #expect(group.volumes == ["v1"])
        #expect(group.replicate.map(\.to) == ["gold2", "vault"])
        // The vault holds 2; its next update weighs the 1 it lacks between them and the new one: 4.
        #expect(group.replicate.last?.retention == ["daily": .count(4)])
        #expect(group.clones.map(\.name) == ["rep"])
        #expect(group.clones.first?.from == .destination(pool: "gold2"))
        #expect(group.clones.first?.refresh == .never)
        #expect(loaded.configuration.volumes["v1_gold2"] == nil)
        #expect(loaded.configuration.volumes["rep_v1"] == nil)
        #expect(Self.adoptsEverything(plan), "\(plan.actions.map(\.id))")
    }

    @Test func aVolumeNearItsCeilingGetsCountsWithoutTheMargin() throws {
        // 200 hourly backups of g1 and 54 daily ones of g2 on v1: 254 snapshots. With one
        // more each the counts would add up to 256, past what validate accepts.
        var snapshots: [ObservedSnapshot] = []
        for hour in 1...200 { snapshots += Self.backup("g1", host: "h1", hoursAgo: Double(hour), label: "hourly", volumes: ["v1"]) }
        for day in 1...54 { snapshots += Self.backup("g2", host: "h1", hoursAgo: Double(day * 24) + 0.5, label: "daily", volumes: ["v1"]) }
        let (yaml, loaded, _, fragment) = try Self.roundTrip(Self.observed(snapshots: snapshots.sorted { $0.created < $1.created }))
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)\n\(yaml)")
        #expect(loaded.configuration.policies["g1-hourly"]?.retention == .count(200))
        #expect(loaded.configuration.policies["g2-daily"]?.retention == .count(54))
        #expect(fragment.warnings.isEmpty, "\(fragment.warnings)")
        #expect(fragment.notes[.init(.policies, "g1-hourly")]?.contains { $0.contains("no room for more") } == true)
    }

    @Test func theConfigurationsOwnGroupsCountTowardsAVolumesCeiling() throws {
        // A declared group keeps 100 on v1; the 155 backups of an undeclared one leave no
        // room for a 156th.
        var snapshots: [ObservedSnapshot] = []
        for hour in 1...155 { snapshots += Self.backup("g", host: "h1", hoursAgo: Double(hour), label: "hourly", volumes: ["v1"]) }
        let partial = SourceFile(path: "mine.yaml", text: """
            policies: {keep100: {frequency: daily, retention: {count: 100}}}
            resource_groups: {mine: {hosts: [h1], volumes: [v1], policies: [{policy: keep100}]}}
            """)
        let observed = Self.observed(snapshots: snapshots.sorted { $0.created < $1.created })
        let partialLoad = ConfigurationLoader.load(sources: [partial])
        let fragment = Discovery(observed: observed, configuration: partialLoad.configuration, isValidName: Language.isValidName).discover()
        #expect(fragment.policies.first { $0.name == "g-hourly" }?.retention == .count(155))
        #expect(fragment.warnings.isEmpty, "\(fragment.warnings)")
    }
}
