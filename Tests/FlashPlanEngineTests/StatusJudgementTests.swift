import FlashPlanConfig
import FlashPlanModel
import Foundation
import Testing

@testable import FlashPlanApp
@testable import FlashPlanEngine

/// The RPO judgement of `status`, `check` and the metrics (`ProtectionStatus`), and the
/// judging and formatting of `check`.
@Suite struct StatusJudgementTests {
    typealias Fixture = PlannerFixture

    static func configuration(zone: String = "UTC", policies: String, entries: String) -> Configuration {
        Fixture.configuration(Fixture.baseYAML.replacingOccurrences(of: "timezone: UTC", with: "timezone: \(zone)") + """

            policies:
            \(policies)
            resource_groups:
              g:
                hosts: [h1]
                volumes: [v1]
                policies: \(entries)
            """)
    }

    static func observed(_ configuration: Configuration, backups: [(label: String, at: String)]) -> ObservedState {
        var state = Fixture.provisioned(configuration)
        state.snapshots = backups.map {
            ObservedSnapshot(volume: "v1", name: "g_h1_\($0.at)", label: $0.label, created: Fixture.date($0.at), hosts: ["h1"], group: "g")
        }
        return state
    }

    static let hourly = configuration(
        policies: "  hourly-4: {frequency: hourly, retention: {count: 4}}", entries: "[{policy: hourly-4}]")

    @Test func aBackupAfterTheLastElapseMeetsTheRPO() throws {
        let state = Self.observed(Self.hourly, backups: [("hourly", "2026-11-21T10:00:30Z")])
        let row = try #require(ProtectionStatus.evaluate(
            configuration: Self.hourly, observed: state, now: Fixture.date("2026-11-21T10:40:00Z"), grace: 900).first)
        #expect(row.rpoMet)
        #expect(row.lateSince == nil && row.lateSeconds == nil)
        #expect(row.lastElapse == Fixture.date("2026-11-21T10:00:00Z"))
        #expect(row.nextElapse == Fixture.date("2026-11-21T11:00:00Z"))
        #expect(row.ageSeconds == Double(39 * 60 + 30))
        #expect(row.frequency == .hourly && row.policies == ["hourly-4"] && row.schedules == ["hourly"])
    }

    /// Late exactly `grace` after the elapse it missed, not a second before.
    @Test func lateExactlyAtTheEdgeOfTheGrace() throws {
        let state = Self.observed(Self.hourly, backups: [("hourly", "2026-11-21T09:00:30Z")])
        let before = try #require(ProtectionStatus.evaluate(
            configuration: Self.hourly, observed: state, now: Fixture.date("2026-11-21T10:14:59Z"), grace: 900).first)
        #expect(before.rpoMet)
        let at = try #require(ProtectionStatus.evaluate(
            configuration: Self.hourly, observed: state, now: Fixture.date("2026-11-21T10:15:00Z"), grace: 900).first)
        #expect(!at.rpoMet)
        #expect(at.lateSince == Fixture.date("2026-11-21T10:00:00Z"))
        #expect(at.lateSeconds == Double(900))
        // Without a grace the same backup is late from the elapse itself.
        let noGrace = try #require(ProtectionStatus.evaluate(
            configuration: Self.hourly, observed: state, now: Fixture.date("2026-11-21T10:00:00Z")).first)
        #expect(!noGrace.rpoMet)
    }

    /// Three elapses missed: late since the first of them, not the last.
    @Test func lateSinceTheFirstMissedElapse() throws {
        let state = Self.observed(Self.hourly, backups: [("hourly", "2026-11-21T07:00:30Z")])
        let row = try #require(ProtectionStatus.evaluate(
            configuration: Self.hourly, observed: state, now: Fixture.date("2026-11-21T10:20:00Z"), grace: 900).first)
        #expect(!row.rpoMet)
        #expect(row.lateSince == Fixture.date("2026-11-21T08:00:00Z"))
        #expect(row.lateSeconds == Double(2 * 3600 + 20 * 60))
        #expect(row.lateIntervals == Double(2 * 3600 + 20 * 60) / 3600)
    }

    @Test func noBackupAtAllIsLateWithoutASince() throws {
        let state = Self.observed(Self.hourly, backups: [])
        let row = try #require(ProtectionStatus.evaluate(
            configuration: Self.hourly, observed: state, now: Fixture.date("2026-11-21T10:20:00Z"), grace: 900).first)
        #expect(!row.rpoMet)
        #expect(row.newestBackup == nil && row.lateSince == nil)
    }

    @Test func anOnDemandPolicyIsNeverLate() throws {
        let configuration = Self.configuration(
            policies: "  adhoc: {frequency: none, label: adhoc, retention: {count: 3}}", entries: "[{policy: adhoc}]")
        for backups in [[], [(label: "adhoc", at: "2020-01-01T00:00:00Z")]] {
            let row = try #require(ProtectionStatus.evaluate(
                configuration: configuration, observed: Self.observed(configuration, backups: backups),
                now: Fixture.date("2026-11-21T10:20:00Z"), grace: 0).first)
            #expect(row.rpoMet)
            #expect(row.frequency == Policy.Frequency.none)
            #expect(row.schedules.isEmpty && row.nextElapse == nil && row.lateSince == nil)
        }
    }

    /// 2026-10-25 in Rome: 03:00 CEST becomes 02:00 CET, 02:30 happens twice. A daily 02:30
    /// backup taken at the first 02:30 (00:30Z) covers that day: the second pass is not an
    /// elapse of the chain, so the label is not late after it, and when the next day's
    /// backup is missed, it is late since that day's 02:30 (01:30Z), not the fold's.
    @Test func dstFoldDay() throws {
        let configuration = Self.configuration(
            zone: "Europe/Rome", policies: "  daily-7: {frequency: daily, retention: {count: 7}}",
            entries: "[{policy: daily-7, schedule: \"*-*-* 02:30:00\"}]")
        let state = Self.observed(configuration, backups: [("daily", "2026-10-25T00:30:10Z")])
        let sameDay = try #require(ProtectionStatus.evaluate(
            configuration: configuration, observed: state, now: Fixture.date("2026-10-25T02:00:00Z"), grace: 900).first)
        #expect(sameDay.rpoMet, "\(sameDay)")
        #expect(sameDay.nextElapse == Fixture.date("2026-10-26T01:30:00Z"))
        let nextDay = try #require(ProtectionStatus.evaluate(
            configuration: configuration, observed: state, now: Fixture.date("2026-10-26T03:00:00Z"), grace: 900).first)
        #expect(!nextDay.rpoMet)
        #expect(nextDay.lateSince == Fixture.date("2026-10-26T01:30:00Z"))
    }

    /// 2026-03-29 in Rome: 02:00 CET jumps to 03:00 CEST and 02:30 does not exist; systemd
    /// skips that day's elapse, so the backup of the 28th still meets the RPO all day, and
    /// the next one is due at 02:30 CEST on the 30th (00:30Z), late from 00:45Z.
    @Test func dstGapDay() throws {
        let configuration = Self.configuration(
            zone: "Europe/Rome", policies: "  daily-7: {frequency: daily, retention: {count: 7}}",
            entries: "[{policy: daily-7, schedule: \"*-*-* 02:30:00\"}]")
        let state = Self.observed(configuration, backups: [("daily", "2026-03-28T01:30:05Z")])
        let gapDay = try #require(ProtectionStatus.evaluate(
            configuration: configuration, observed: state, now: Fixture.date("2026-03-29T22:00:00Z"), grace: 900).first)
        #expect(gapDay.rpoMet, "\(gapDay)")
        #expect(gapDay.lastElapse == Fixture.date("2026-03-28T01:30:00Z"))
        #expect(gapDay.nextElapse == Fixture.date("2026-03-30T00:30:00Z"))
        let before = try #require(ProtectionStatus.evaluate(
            configuration: configuration, observed: state, now: Fixture.date("2026-03-30T00:44:59Z"), grace: 900).first)
        #expect(before.rpoMet)
        let after = try #require(ProtectionStatus.evaluate(
            configuration: configuration, observed: state, now: Fixture.date("2026-03-30T00:45:00Z"), grace: 900).first)
        #expect(!after.rpoMet)
        #expect(after.lateSince == Fixture.date("2026-03-30T00:30:00Z"))
    }

    // MARK: - check

    static func status(
        protection: [ProtectionStatus] = [], pools: [EstateStatus.PoolStatus] = [], arrays: [EstateStatus.ArrayStatus] = [], held: Int = 0
    ) -> EstateStatus {
        EstateStatus(
            now: Fixture.date("2026-11-21T10:20:00Z"), state: StateReference(lineage: "l", serial: 3), graceSeconds: 900,
            protection: protection, replication: [], clones: [], pools: pools, arrays: arrays, unmanaged: [],
            held: (0..<held).map { EstateStatus.HeldAction(id: "unmap-host:volume.v\($0)/h1", kind: "unmap-host", address: "volume.v\($0)/h1", reason: "r") },
            pending: PlanSummary([]), planErrors: [], lastApply: nil)
    }

    static func label(_ group: String, late: Double?) -> ProtectionStatus {
        ProtectionStatus(
            group: group, label: "hourly", policies: ["p"], frequency: .hourly, schedules: ["hourly"], newestBackup: "b",
            newestCreated: Fixture.date("2026-11-21T07:00:00Z"), ageSeconds: 0, lastElapse: nil, nextElapse: nil,
            rpoMet: late == nil, lateSince: late.map { _ in Fixture.date("2026-11-21T08:00:00Z") }, lateSeconds: late)
    }

    static func pool(_ name: String, percent: Double, warning: Double = 80) -> EstateStatus.PoolStatus {
        EstateStatus.PoolStatus(
            name: name, usedBytes: UInt64(percent * 10), capacityBytes: 1000, usedPercent: percent, warningThreshold: warning,
            criticalThreshold: 90, level: .ok, offlineArrays: [])
    }

    static func array(_ name: String, _ status: ObservedArray.Status, outOfReach: [String] = [], groups: [String] = []) -> EstateStatus.ArrayStatus {
        EstateStatus.ArrayStatus(name: name, status: status, pools: ["p"], volumesOutOfReach: outOfReach, groupsAffected: groups)
    }

    /// An array out of service is never OK: offline with a group's volume out of reach
    /// (its backups cannot run) is CRITICAL; offline holding no group volume, or degraded
    /// (running on its hot spare), WARNING.
    @Test func checkRaisesArraysOutOfService() {
        let t = CheckThresholds()
        func run(_ s: EstateStatus) -> CommandOutcome { CheckRunner.render(CheckRunner.judge(s, thresholds: t), status: s, thresholds: t) }
        #expect(run(Self.status(arrays: [Self.array("fa", .online)])).exitCode == 0)
        let groupOut = run(Self.status(arrays: [Self.array("fa", .offline, outOfReach: ["v1"], groups: ["g"]), Self.array("fb", .online)]))
        #expect(groupOut.exitCode == 2, "\(groupOut)")
        #expect(groupOut.stdout.hasPrefix("FLASHPLAN CRITICAL - array fa offline"), "\(groupOut)")
        #expect(groupOut.stdout.contains("CRITICAL: array fa is offline: 1 volume out of reach (v1), groups g cannot be backed up"), "\(groupOut)")
        #expect(groupOut.stdout.contains(" arrays_offline=1;;0;0;2"), "\(groupOut)")
        let noGroup = run(Self.status(arrays: [Self.array("fb", .offline, outOfReach: ["v1_dr"])]))
        #expect(noGroup.exitCode == 1, "\(noGroup)")
        #expect(noGroup.stdout.contains("WARNING: array fb is offline: 1 volume out of reach (v1_dr)"), "\(noGroup)")
        let degraded = run(Self.status(arrays: [Self.array("fa", .degraded)]))
        #expect(degraded.exitCode == 1, "\(degraded)")
        #expect(degraded.stdout.contains("WARNING: array fa is degraded"), "\(degraded)")
    }

    @Test func checkStates() {
        let t = CheckThresholds()
        func state(_ s: EstateStatus) -> Int32 { CheckRunner.render(CheckRunner.judge(s, thresholds: t), status: s, thresholds: t).exitCode }
        #expect(state(Self.status(protection: [Self.label("g", late: nil)], pools: [Self.pool("p", percent: 50)])) == 0)
        #expect(state(Self.status(protection: [Self.label("g", late: 1800)])) == 1)
        #expect(state(Self.status(protection: [Self.label("g", late: 3601)])) == 2)
        #expect(state(Self.status(pools: [Self.pool("p", percent: 80)])) == 1)
        #expect(state(Self.status(pools: [Self.pool("p", percent: 79.9)])) == 0)
        #expect(state(Self.status(pools: [Self.pool("p", percent: 90)])) == 2)
        // A pool whose own warning threshold is above the critical one is critical only from it.
        #expect(state(Self.status(pools: [Self.pool("p", percent: 92, warning: 95)])) == 0)
        #expect(state(Self.status(held: 1)) == 1)
    }

    /// Each threshold counts on its own: past the critical one is CRITICAL although the
    /// warning one is higher or in other units (a red-team pass found OK for both).
    @Test func aCriticalThresholdBelowTheWarningOneStillCounts() {
        var t = CheckThresholds()
        t.rpoWarning = .seconds(7200)
        t.rpoCritical = .seconds(3600)
        func state(_ s: EstateStatus) -> Int32 { CheckRunner.render(CheckRunner.judge(s, thresholds: t), status: s, thresholds: t).exitCode }
        #expect(state(Self.status(protection: [Self.label("g", late: 5400)])) == 2)
        #expect(state(Self.status(protection: [Self.label("g", late: 1800)])) == 0)
        t.rpoCritical = .intervals(1.0)
        var row = Self.label("g", late: 5400)
        row.lateIntervals = 1.5
        #expect(state(Self.status(protection: [row])) == 2)
        // Replication lag alike: an hour behind with warning 5h and critical 30m.
        t = CheckThresholds()
        t.lagWarning = 5 * 3600
        t.lagCritical = 1800
        var lagging = Self.status()
        lagging.replication = [
            EstateStatus.ReplicationStatus(
                group: "g", pool: "dr", type: .mirror, mode: .async, state: "idle", lagSeconds: 3600, lastTransfer: nil, relationships: [])
        ]
        #expect(state(lagging) == 2)
    }

    /// Lateness thresholds in schedule intervals: 30 minutes is half an hourly interval
    /// and a 48th of a daily one.
    @Test func lateInIntervals() {
        var t = CheckThresholds()
        t.rpoWarning = .intervals(0.25)
        t.rpoCritical = .intervals(1.0)
        func row(_ group: String, late: Double, intervals: Double) -> ProtectionStatus {
            var row = Self.label(group, late: late)
            row.lateIntervals = intervals
            return row
        }
        func state(_ s: EstateStatus) -> Int32 { CheckRunner.render(CheckRunner.judge(s, thresholds: t), status: s, thresholds: t).exitCode }
        #expect(state(Self.status(protection: [row("hourly", late: 1800, intervals: 0.5)])) == 1)
        #expect(state(Self.status(protection: [row("daily", late: 1800, intervals: 1800.0 / 86400)])) == 0)
        #expect(state(Self.status(protection: [row("hourly", late: 3 * 3600, intervals: 3)])) == 2)
        let s = Self.status(protection: [row("hourly", late: 1800, intervals: 0.5)])
        let line = CheckRunner.render(CheckRunner.judge(s, thresholds: t), status: s, thresholds: t).stdout
        #expect(line.contains(" rpo_max_late=1800s;;;0 rpo_max_late_intervals=0.50;0.25;1;0 "), "\(line)")
    }

    @Test func checkSummaryLineAndPerfdata() {
        let t = CheckThresholds()
        let s = Self.status(protection: [Self.label("db", late: 3 * 3600), Self.label("web", late: nil)], pools: [Self.pool("p1", percent: 92)])
        let outcome = CheckRunner.render(CheckRunner.judge(s, thresholds: t), status: s, thresholds: t)
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        #expect(outcome.exitCode == 2)
        #expect(lines[0].hasPrefix("FLASHPLAN CRITICAL - 1 label missed RPO (db: hourly 3h late), pool p1 92% | "), "\(lines[0])")
        #expect(lines[0].contains(" rpo_late_labels=1;;;0;2 "))
        #expect(lines[0].contains(" rpo_max_late=10800s;0;3600;0 rpo_max_late_intervals=0;;;0 "), "\(lines[0])")
        #expect(lines[0].contains(" pool_p1_used=92%;80;90;0;100"))
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("CRITICAL: ") || $0.hasPrefix("WARNING: ") })
        #expect(lines.count == 3)
    }

    @Test func perfdataLabelsWithSpacesAreQuoted() {
        #expect(CheckRunner.Perf(label: "pool a b_used", value: "5", unit: "%").text == "'pool a b_used'=5%")
        #expect(CheckRunner.Perf(label: "it's", value: "1").text == "'it''s'=1")
        #expect(CheckRunner.Perf(label: "x", value: "1", crit: "0").text == "x=1;;0")
    }

    @Test func durationsAndNamesFitTheColumns() {
        #expect(StatusFormatting.duration(0) == "0s")
        #expect(StatusFormatting.duration(59) == "59s")
        #expect(StatusFormatting.duration(3600 * 3 + 1200) == "3h20m")
        #expect(StatusFormatting.duration(86400 + 14 * 3600 + 59) == "1d14h")
        let long = String(repeating: "a", count: 63)
        #expect(StatusFormatting.name(long, limit: 20).count == 20)
        #expect(StatusFormatting.name("a\u{1B}[31m", limit: 40) == "a\\u{1B}[31m")
        // Cut in the middle, but never inside an escape sequence.
        let hostile = "ab\u{1B}[2J" + String(repeating: "x", count: 30) + "\u{202E}yz"
        let cut = StatusFormatting.name(hostile, limit: 20)
        #expect(cut == "ab\\u{1B}[…\\u{202E}yz", "\(cut)")
        #expect(!cut.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E })
        #expect(StatusFormatting.wrap(String(repeating: "word ", count: 40), indent: 4).allSatisfy { $0.count <= 80 })
    }

    @Test func sinceTakesATimeOrADuration() throws {
        let now = Fixture.date("2026-11-21T10:00:00Z")
        #expect(try SinceArgument.parse("7d", now: now) == Fixture.date("2026-11-14T10:00:00Z"))
        #expect(try SinceArgument.parse("12h", now: now) == Fixture.date("2026-11-20T22:00:00Z"))
        #expect(try SinceArgument.parse("30m", now: now) == Fixture.date("2026-11-21T09:30:00Z"))
        #expect(try SinceArgument.parse("2026-11-20T12:00:00+01:00", now: now) == Fixture.date("2026-11-20T11:00:00Z"))
        for bad in ["", "7", "7w", "-7d", "1.5d", "2026-11-20", "2026-11-20T12:00:00", "99999999d", "7 d"] {
            #expect(throws: FlagValueError.self, "\(bad)") { try SinceArgument.parse(bad, now: now) }
        }
    }
}
