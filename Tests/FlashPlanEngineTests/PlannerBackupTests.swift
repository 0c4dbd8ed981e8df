import FlashPlanConfig
import FlashPlanModel
import Foundation
import Testing

@testable import FlashPlanEngine
@testable import FlashPlanApp

/// Due backups, naming, federated backups (DESIGN §4).
@Suite struct PlannerBackupTests {
    struct DueCase: Sendable, CustomTestStringConvertible {
        var name: String
        var frequency = "daily"
        var schedule: String?
        var settings = "settings: {timezone: UTC}"
        /// Existing backups of group g: (name, label, created).
        var existing: [(String, String, String)] = []
        var now = Estate.now
        var due: Bool
        var reason: String?
        var testDescription: String { name }
    }

    static let dueCases: [DueCase] = [
        DueCase(name: "no backup yet", due: true, reason: "no 'daily' backup yet"),
        DueCase(name: "newest after the last elapse", existing: [("b", "daily", "2026-11-21T00:00:05Z")], due: false),
        DueCase(name: "newest exactly at the last elapse", existing: [("b", "daily", "2026-11-21T00:00:00Z")], due: false),
        DueCase(
            name: "newest just before the last elapse", existing: [("b", "daily", "2026-11-20T23:59:59Z")], due: true,
            reason: "older than the last elapse of '*-*-* 00:00:00' at 2026-11-21 00:00:00"),
        DueCase(name: "many missed elapses", existing: [("b", "daily", "2026-10-01T00:00:00Z")], due: true),
        DueCase(name: "another label does not count", existing: [("b", "weekly", "2026-11-21T01:00:00Z")], due: true, reason: "no 'daily' backup yet"),
        DueCase(name: "hourly, last hour missed", frequency: "hourly", existing: [("b", "hourly", "2026-11-21T09:30:00Z")], due: true),
        DueCase(name: "hourly, this hour taken", frequency: "hourly", existing: [("b", "hourly", "2026-11-21T10:00:00Z")], due: false),
        // 2026-11-21 is a Saturday: the last Monday 00:00 is 2026-11-16.
        DueCase(name: "weekly, taken since Monday", frequency: "weekly", existing: [("b", "weekly", "2026-11-16T00:10:00Z")], due: false),
        DueCase(name: "weekly, taken before Monday", frequency: "weekly", existing: [("b", "weekly", "2026-11-15T23:00:00Z")], due: true),
        DueCase(name: "monthly, taken last month", frequency: "monthly", existing: [("b", "monthly", "2026-10-31T12:00:00Z")], due: true),
        DueCase(name: "monthly, taken this month", frequency: "monthly", existing: [("b", "monthly", "2026-11-01T00:00:00Z")], due: false),
        DueCase(name: "schedule not yet reached today", schedule: "*-*-* 12:00:00", existing: [("b", "daily", "2026-11-20T12:30:00Z")], due: false),
        DueCase(name: "schedule missed yesterday", schedule: "*-*-* 12:00:00", existing: [("b", "daily", "2026-11-20T11:00:00Z")], due: true),
        DueCase(
            name: "elapse in settings.timezone (Rome midnight is 23:00 UTC)", settings: "settings: {timezone: Europe/Rome}",
            existing: [("b", "daily", "2026-11-20T23:30:00Z")], due: false),
        DueCase(
            name: "same backup due in UTC", existing: [("b", "daily", "2026-11-20T23:30:00Z")], due: true),
        DueCase(name: "frequency none, no backup", frequency: "none", due: false),
        DueCase(name: "frequency none, old backup", frequency: "none", existing: [("b", "none", "2026-01-01T00:00:00Z")], due: false),
        DueCase(
            name: "frequency none ignores its schedule", frequency: "none", schedule: "*-*-* 00:00:00",
            existing: [("b", "none", "2026-01-01T00:00:00Z")], due: false),
    ]

    @Test(arguments: dueCases) func due(_ c: DueCase) {
        let configuration = Estate.configuration(settings: c.settings, Estate.group(frequency: c.frequency, retention: "{count: 30}", schedule: c.schedule))
        var observed = PlannerFixture.provisioned(configuration)
        for (name, label, created) in c.existing { observed.snapshots += Estate.backup(name, label: label, at: created) }
        let plan = PlannerFixture.plan(configuration, observed, now: c.now)
        let snapshots = plan.actions(.snapshot)
        #expect(snapshots.count == (c.due ? 1 : 0), "\(plan.ids)")
        if let reason = c.reason { #expect(snapshots.first?.reason.contains(reason) == true, "\(snapshots.first?.reason ?? "-")") }
        #expect(plan.actions(.prune).isEmpty)
    }

    /// Several schedules for one label: the latest elapse of any of them counts.
    @Test func theLatestElapseOfAnyScheduleOfTheLabelCounts() throws {
        let configuration = Estate.configuration("""
            policies: {p: {frequency: daily, retention: {count: 7}}}
            resource_groups:
              g:
                hosts: [h1]
                volumes: [v1]
                policies: [{policy: p, schedule: "Mon..Fri *-*-* 22:00"}, {policy: p, schedule: "Sat 04:00"}]
            """)
        // Saturday 2026-11-21 10:00 UTC: the last elapses are Fri 22:00 and Sat 04:00.
        for (newest, due) in [("2026-11-20T23:00:00Z", true), ("2026-11-21T04:30:00Z", false)] {
            var observed = PlannerFixture.provisioned(configuration)
            observed.snapshots += Estate.backup("g_prev", at: newest)
            let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
            #expect(plan.actions(.snapshot).count == (due ? 1 : 0), "\(newest)")
            if due { #expect(plan.actions(.snapshot).first?.reason.contains("'Sat 04:00' at 2026-11-21 04:00:00") == true) }
        }
    }

    @Test func manyMissedElapsesCatchUpWithOneBackup() throws {
        let configuration = Estate.configuration(Estate.group(frequency: "hourly", retention: "{count: 24}", volumes: ["v1", "v2"]))
        var observed = PlannerFixture.provisioned(configuration)
        observed.snapshots += Estate.backup("old", label: "hourly", at: "2026-11-14T10:00:00Z", volumes: ["v1", "v2"])
        let plan = PlannerFixture.plan(configuration, observed, now: "2026-11-21T10:20:00Z")
        let backup = try #require(plan.actions(.snapshot).first)
        #expect(plan.actions(.snapshot).count == 1)
        #expect(backup.operations.count == 2)
        #expect(backup.reason.contains("2026-11-21 10:00:00"))
        #expect(plan.summary.snapshots == 2)
    }

    struct NameCase: Sendable, CustomTestStringConvertible {
        var zone: String
        var now: String
        var name: String
        var testDescription: String { "\(zone) at \(now)" }
    }

    static let nameCases: [NameCase] = [
        NameCase(zone: "UTC", now: "2026-11-21T10:00:00Z", name: "g_h1_11-21-2026_10.00.00"),
        NameCase(zone: "Europe/Rome", now: "2026-11-21T10:00:00Z", name: "g_h1_11-21-2026_11.00.00"),
        NameCase(zone: "Europe/Rome", now: "2026-07-01T10:00:00Z", name: "g_h1_07-01-2026_12.00.00"),
        NameCase(zone: "Europe/Rome", now: "2026-12-31T23:30:05Z", name: "g_h1_01-01-2027_00.30.05"),
        NameCase(zone: "America/New_York", now: "2026-03-02T04:05:06Z", name: "g_h1_03-01-2026_23.05.06"),
        NameCase(zone: "Asia/Kolkata", now: "2026-01-09T08:00:09Z", name: "g_h1_01-09-2026_13.30.09"),
    ]

    @Test(arguments: nameCases) func naming(_ c: NameCase) throws {
        let configuration = Estate.configuration(settings: "settings: {timezone: \(c.zone)}", Estate.group())
        let plan = PlannerFixture.plan(configuration, PlannerFixture.provisioned(configuration), now: c.now)
        let backup = try #require(plan.actions(.snapshot).first)
        #expect(backup.address == "backup.g/\(c.name)")
        #expect(backup.id == "snapshot:backup.g/\(c.name)")
        #expect(plan.snapshotSpecs(backup.id).map(\.name) == [c.name])
        #expect(plan.decision(c.name)?.planned == true)
    }

    @Test func twoLabelsDueAtOnceGetTheLabelSuffix() {
        let configuration = Estate.configuration("""
            policies:
              h: {frequency: hourly, retention: {count: 24}}
              d: {frequency: daily, retention: {count: 7}}
            resource_groups:
              g: {hosts: [h1], volumes: [v1], policies: [{policy: h}, {policy: d}]}
            """)
        let plan = PlannerFixture.plan(configuration, PlannerFixture.provisioned(configuration), now: "2026-11-21T00:00:00Z")
        #expect(Set(plan.ids) == ["snapshot:backup.g/g_h1_11-21-2026_00.00.00", "snapshot:backup.g/g_h1_11-21-2026_00.00.00_daily"])
        #expect(plan.snapshotSpecs("snapshot:backup.g/g_h1_11-21-2026_00.00.00").first?.label == "hourly")
        #expect(plan.snapshotSpecs("snapshot:backup.g/g_h1_11-21-2026_00.00.00_daily").first?.label == "daily")
    }

    /// 02:30 happens twice in Rome on 2026-10-25 (CEST, then CET). A timer running all
    /// along fires once in the fold (DESIGN §3), so the second 02:30 makes nothing due —
    /// before the chain semantics it took a second backup, under the first one's name
    /// with `_hourly` appended.
    @Test func aDSTFoldMakesNoBackupDueTwice() {
        let configuration = Estate.configuration(
            settings: "settings: {timezone: Europe/Rome}", Estate.group(frequency: "hourly", retention: "{count: 24}", schedule: "*-*-* *:30:00"))
        var observed = PlannerFixture.provisioned(configuration)
        observed.snapshots += Estate.backup("g_h1_10-25-2026_02.30.00", label: "hourly", at: "2026-10-25T00:30:00Z")
        #expect(PlannerFixture.plan(configuration, observed, now: "2026-10-25T01:30:00Z").ids == [])
        #expect(PlannerFixture.plan(configuration, observed, now: "2026-10-25T02:30:00Z").ids == ["snapshot:backup.g/g_h1_10-25-2026_03.30.00"])
    }

    /// A name taken by a snapshot made in the fold's first pass gets the label suffix,
    /// then `_2`: a due backup is never dropped for its name.
    @Test func takenNamesGetTheLabelSuffixThenANumber() {
        let configuration = Estate.configuration(
            settings: "settings: {timezone: Europe/Rome}", Estate.group(frequency: "daily", retention: "{count: 3}", schedule: "*-*-* 02:30:00"))
        var observed = PlannerFixture.provisioned(configuration)
        observed.snapshots += Estate.backup("g_h1_10-24-2026_02.30.00", label: "daily", at: "2026-10-24T00:30:00Z")
        observed.snapshots.append(PlannerFixture.snapshot("v1", "g_h1_10-25-2026_02.30.00", label: "manual", group: nil, at: "2026-10-25T00:00:00Z"))
        #expect(PlannerFixture.plan(configuration, observed, now: "2026-10-25T00:30:00Z").ids == ["snapshot:backup.g/g_h1_10-25-2026_02.30.00_daily"])
        observed.snapshots.append(PlannerFixture.snapshot("v1", "g_h1_10-25-2026_02.30.00_daily", label: "manual", group: nil, at: "2026-10-25T00:00:00Z"))
        #expect(PlannerFixture.plan(configuration, observed, now: "2026-10-25T00:30:00Z").ids == ["snapshot:backup.g/g_h1_10-25-2026_02.30.00_2"])
    }

    @Test func aNameTakenByHandGetsTheLabelSuffix() {
        let configuration = Estate.configuration(Estate.group())
        var observed = PlannerFixture.provisioned(configuration)
        observed.snapshots.append(PlannerFixture.snapshot("v1", "g_h1_11-21-2026_10.00.00", label: "manual", group: nil, at: "2026-11-21T09:00:00Z"))
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.ids == ["snapshot:backup.g/g_h1_11-21-2026_10.00.00_daily"])
    }

    @Test func federatedBackupSnapsASharedVolumeOnce() throws {
        let configuration = Estate.configuration("""
            policies: {p: {frequency: daily, retention: {count: 3}}}
            resource_groups:
              g: {hosts: [h1, h2], volumes: [v1, v2], policies: [{policy: p}], tag: erp}
            """)
        let plan = PlannerFixture.plan(configuration, PlannerFixture.provisioned(configuration), now: Estate.now)
        #expect(plan.actions.count == 1)
        let backup = try #require(plan.actions(.snapshot).first)
        #expect(backup.address == "backup.g/g_h1_11-21-2026_10.00.00")
        let specs = plan.snapshotSpecs(backup.id)
        #expect(specs.map(\.volume) == ["v1", "v2"])
        #expect(Set(specs.map(\.name)).count == 1)
        #expect(specs.allSatisfy { $0.label == "daily" && $0.tag == "erp" && $0.group == "g" && $0.immutableUntil == nil })
        #expect(specs.first { $0.volume == "v1" }?.hosts == ["h1"])
        #expect(specs.first { $0.volume == "v2" }?.hosts == ["h1", "h2"])
        #expect(plan.summary.snapshots == 2)
        #expect(backup.arrays == ["a1"])
    }

    /// `days: D`: D days from the backup; `count: N`: N intervals from the elapse it stands
    /// for (Estate.now is 10:00 on Saturday 2026-11-21: daily elapsed at 00:00, weekly on Monday the 16th).
    @Test func immutablePolicyStampsTheEndOfItsRetention() {
        let now = PlannerFixture.date(Estate.now)
        for (retention, frequency, until) in [
            ("{count: 3}", "daily", PlannerFixture.date("2026-11-21T00:00:00Z").addingTimeInterval(3 * 86400)),
            ("{days: 30}", "daily", now.addingTimeInterval(30 * 86400)),
            ("{count: 2}", "weekly", PlannerFixture.date("2026-11-16T00:00:00Z").addingTimeInterval(14 * 86400)),
        ] {
            let configuration = Estate.configuration(Estate.group(frequency: frequency, retention: retention, immutable: true))
            let plan = PlannerFixture.plan(configuration, PlannerFixture.provisioned(configuration), now: Estate.now)
            let spec = plan.actions(.snapshot).first.map { plan.snapshotSpecs($0.id) }?.first
            #expect(spec?.immutableUntil == until, "\(retention)")
        }
    }

    @Test func snapshotsOfANewVolumeWaitForIt() {
        let configuration = Estate.configuration(Estate.group(volumes: ["v1", "v2"]))
        var observed = PlannerFixture.provisioned(configuration)
        observed.volumes.removeAll { $0.name == "v2" }
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.orders("create-volume:volume.v2", before: "snapshot:backup.g/g_h1_11-21-2026_10.00.00"))
    }

    @Test func groupsAreDueIndependently() {
        let configuration = Estate.configuration("""
            policies: {p: {frequency: daily, retention: {count: 3}}}
            resource_groups:
              g: {hosts: [h1], volumes: [v1], policies: [{policy: p}]}
              k: {hosts: [h2], volumes: [v2], policies: [{policy: p}]}
            """)
        var observed = PlannerFixture.provisioned(configuration)
        observed.snapshots += Estate.backup("g_recent", at: "2026-11-21T05:00:00Z")
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.ids == ["snapshot:backup.k/k_h2_11-21-2026_10.00.00"])
        #expect(plan.actions.first?.group == "k")
    }
}
