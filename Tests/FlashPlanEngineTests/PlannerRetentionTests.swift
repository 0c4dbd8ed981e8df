import FlashPlanConfig
import FlashPlanModel
import Foundation
import Testing

@testable import FlashPlanEngine
@testable import FlashPlanApp

/// Retention on primary, protections, orphaned labels and the 255 ceiling (DESIGN §4).
@Suite struct PlannerRetentionTests {
    /// Backups of group g on v1 (and v2), one per day at 00:00 UTC, newest first: 11-21, 11-20, …
    static func daily(_ days: Int, volumes: [String] = ["v1"], from day: Int = 21) -> [ObservedSnapshot] {
        (0..<days).flatMap { i in
            let time = String(format: "2026-11-%02dT00:00:00Z", day - i)
            return Estate.backup(Estate.name(time), at: time, volumes: volumes)
        }
    }

    static func b(_ day: Int, _ time: String = "00:00:00") -> String { Estate.name(String(format: "2026-11-%02dT%@Z", day, time)) }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var retention: String
        var frequency = "daily"
        var settings = "settings: {timezone: UTC}"
        var observed: @Sendable (inout ObservedState) -> Void
        /// Backup → expected reason fragment, for kept and pruned ones.
        var keep: [String: String]
        var prune: [String: String]
        var rules: Set<Rule> = []
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "count keeps the newest N", retention: "{count: 3}",
            observed: { $0.snapshots += daily(5) },
            keep: [b(21): "newest 3 (#1)", b(20): "newest 3 (#2)", b(19): "newest 3 (#3)"],
            prune: [b(18): "beyond the newest 3 (#4)", b(17): "beyond the newest 3 (#5)"]),
        Case(
            name: "count counts the backup this plan takes", retention: "{count: 2}",
            observed: { $0.snapshots += daily(3, from: 20) },
            keep: [b(21, "10:00:00"): "newest 2 (#1)", b(20): "newest 2 (#2)"],
            prune: [b(19): "beyond the newest 2 (#3)", b(18): "beyond the newest 2 (#4)"]),
        Case(
            name: "count ties are broken by name", retention: "{count: 1}",
            observed: {
                $0.snapshots += Estate.backup("g_b", at: "2026-11-21T00:00:00Z") + Estate.backup("g_a", at: "2026-11-21T00:00:00Z")
            },
            keep: ["g_a": "newest 1 (#1)"], prune: ["g_b": "beyond the newest 1 (#2)"]),
        Case(
            name: "days keeps those younger than D days", retention: "{days: 3}",
            observed: {
                $0.snapshots += Estate.backup("g_0", at: "2026-11-21T00:00:00Z") + Estate.backup("g_1", at: "2026-11-18T11:00:00Z")
                    + Estate.backup("g_2", at: "2026-11-18T09:00:00Z") + Estate.backup("g_3", at: "2026-11-01T00:00:00Z")
            },
            keep: ["g_0": "younger than 3 days", "g_1": "younger than 3 days"],
            prune: ["g_2": "older than 3 days", "g_3": "older than 3 days"]),
        Case(
            name: "days always keeps the newest", retention: "{days: 1}", frequency: "none",
            observed: {
                $0.snapshots += Estate.backup("g_new", label: "none", at: "2026-11-10T00:00:00Z")
                    + Estate.backup("g_old", label: "none", at: "2026-11-01T00:00:00Z")
            },
            keep: ["g_new": "newest backup (always kept)"], prune: ["g_old": "older than 1 days"]),
        Case(
            name: "immutable until the future is protected; expired is not", retention: "{count: 1}",
            observed: {
                $0.snapshots += Estate.backup("g_1", at: "2026-11-21T00:00:00Z")
                    + Estate.backup("g_2", at: "2026-11-20T00:00:00Z", immutableUntil: "2026-12-01T00:00:00Z")
                    + Estate.backup("g_3", at: "2026-11-19T00:00:00Z", immutableUntil: "2026-11-20T00:00:00Z")
            },
            keep: ["g_1": "newest 1 (#1)", "g_2": "beyond the newest 1 (#2), but protected: immutable until 2026-12-01 00:00:00"],
            prune: ["g_3": "beyond the newest 1 (#3)"]),
        Case(
            name: "immutable time shown in settings.timezone", retention: "{count: 1}", settings: "settings: {timezone: Europe/Rome}",
            observed: {
                $0.snapshots += Estate.backup("g_1", at: "2026-11-21T00:00:00Z")
                    + Estate.backup("g_2", at: "2026-11-20T00:00:00Z", immutableUntil: "2026-12-01T00:00:00Z")
            },
            keep: ["g_1": "newest 1 (#1)", "g_2": "immutable until 2026-12-01 01:00:00"], prune: [:]),
        Case(
            name: "immutable on one volume protects the whole backup", retention: "{count: 1}",
            observed: {
                $0.snapshots += Estate.backup("g_1", at: "2026-11-21T00:00:00Z")
                $0.snapshots += Estate.backup("g_2", at: "2026-11-20T00:00:00Z")
                $0.snapshots[1].immutableUntil = PlannerFixture.date("2026-12-01T00:00:00Z")
            },
            keep: ["g_1": "newest 1 (#1)", "g_2": "protected: immutable"], prune: [:]),
        Case(
            // Made by hand (not `<clone>_<volume>`): one flashplan made, undeclared, would be deleted.
            name: "clone parent is protected", retention: "{count: 1}",
            observed: {
                $0.snapshots += daily(3)
                $0.clones.append(ObservedClone(name: "qa", volume: "v1", pool: "gold", parentSnapshot: b(19), created: .distantPast))
            },
            keep: [b(21): "newest 1 (#1)", b(19): "beyond the newest 1 (#3), but protected: parent of clone qa"],
            prune: [b(20): "beyond the newest 1 (#2)"]),
        Case(
            name: "a clone of another volume's snapshot of the same name protects nothing here", retention: "{count: 1}",
            observed: {
                $0.snapshots += daily(2)
                $0.clones.append(ObservedClone(name: "qa_v2", volume: "v2", pool: "gold", parentSnapshot: b(20), created: .distantPast))
            },
            keep: [b(21): "newest 1 (#1)"], prune: [b(20): "beyond the newest 1 (#2)"]),
        Case(
            name: "hand-made snapshots are never pruned", retention: "{count: 1}",
            observed: {
                $0.snapshots += daily(2)
                $0.snapshots.append(PlannerFixture.snapshot("v1", "manual", label: "daily", group: nil, at: "2026-01-01T00:00:00Z"))
            },
            keep: [b(21): "newest 1 (#1)"], prune: [b(20): "beyond the newest 1 (#2)"], rules: []),
        Case(
            name: "orphaned label is reported and kept", retention: "{count: 5}",
            observed: {
                $0.snapshots += daily(1)
                $0.snapshots += Estate.backup("g_w1", label: "weekly", at: "2026-11-16T00:00:00Z")
                    + Estate.backup("g_w2", label: "weekly", at: "2026-11-09T00:00:00Z")
            },
            keep: [b(21): "newest 5 (#1)", "g_w1": "orphaned label", "g_w2": "prune_orphaned_labels is false"], prune: [:],
            rules: [.orphanedLabel]),
        Case(
            name: "orphaned label pruned with prune_orphaned_labels", retention: "{count: 5}",
            settings: "settings: {timezone: UTC, prune_orphaned_labels: true}",
            observed: {
                $0.snapshots += daily(1)
                $0.snapshots += Estate.backup("g_w1", label: "weekly", at: "2026-11-16T00:00:00Z")
                    + Estate.backup("g_w2", label: "weekly", at: "2026-11-09T00:00:00Z", immutableUntil: "2027-01-01T00:00:00Z")
            },
            keep: [b(21): "newest 5 (#1)", "g_w2": "orphaned label, but protected: immutable until"],
            prune: ["g_w1": "orphaned label; prune_orphaned_labels is true"], rules: [.orphanedLabel]),
    ]

    @Test(arguments: cases) func rule(_ c: Case) {
        let configuration = Estate.configuration(settings: c.settings, Estate.group(frequency: c.frequency, retention: c.retention))
        var observed = PlannerFixture.provisioned(configuration)
        c.observed(&observed)
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        for (backup, reason) in c.keep {
            let decision = plan.decision(backup)
            #expect(decision?.verdict == .keep, "\(backup): \(decision.map { "\($0)" } ?? "no decision")")
            #expect(decision?.reason.contains(reason) == true, "\(backup): \(decision?.reason ?? "-")")
        }
        for (backup, reason) in c.prune {
            let decision = plan.decision(backup)
            #expect(decision?.verdict == .prune, "\(backup): \(decision.map { "\($0)" } ?? "no decision")")
            #expect(decision?.reason.contains(reason) == true, "\(backup): \(decision?.reason ?? "-")")
            let action = plan.action("prune:backup.g/\(backup)")
            #expect(action?.destructive == true)
            #expect(action?.reason.contains(reason) == true, "\(action?.reason ?? "no prune action")")
        }
        #expect(plan.prunedBackups == Set(c.prune.keys), "\(plan.ids)")
        // Every backup of the group has exactly one decision on primary.
        let names = Set(observed.snapshots.filter { $0.group == "g" }.map(\.name))
        let decided = plan.retention.filter { $0.location == "primary" && !$0.planned }.map(\.backup)
        #expect(decided.count == names.count && Set(decided) == names)
        #expect(plan.rules == c.rules, "\(plan.diagnostics)")
        #expect(!plan.actions.contains { $0.address.description.contains("manual") })
    }

    @Test func pruneDeletesTheSnapshotOnEveryVolumeOfTheBackupInOneAction() throws {
        let configuration = Estate.configuration(Estate.group(retention: "{count: 1}", volumes: ["v1", "v2"]))
        var observed = PlannerFixture.provisioned(configuration)
        observed.snapshots += Self.daily(2, volumes: ["v1", "v2"])
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let prune = try #require(plan.action("prune:backup.g/\(Self.b(20))"))
        #expect(prune.operations == [.deleteSnapshot(volume: "v1", name: Self.b(20)), .deleteSnapshot(volume: "v2", name: Self.b(20))])
        #expect(prune.kind.category == .prune && prune.kind.symbol == "-")
        #expect(plan.summary.prune == 2)
        #expect(prune.before?["label"] == "daily")
    }

    @Test func pruneOfAPartialBackupDeletesWhatIsLeft() throws {
        let configuration = Estate.configuration(Estate.group(retention: "{count: 1}", volumes: ["v1", "v2"]))
        var observed = PlannerFixture.provisioned(configuration)
        observed.snapshots += Self.daily(1, volumes: ["v1", "v2"]) + Estate.backup("g_partial", at: "2026-11-01T00:00:00Z", volumes: ["v2"])
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let prune = try #require(plan.action("prune:backup.g/g_partial"))
        #expect(prune.operations == [.deleteSnapshot(volume: "v2", name: "g_partial")])
    }

    @Test func pruningWaitsForTheNewBackup() {
        let configuration = Estate.configuration(Estate.group(retention: "{count: 2}"))
        var observed = PlannerFixture.provisioned(configuration)
        observed.snapshots += Self.daily(2, from: 20)
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.orders("snapshot:backup.g/\(Self.b(21, "10:00:00"))", before: "prune:backup.g/\(Self.b(19))"))
    }

    @Test func replicationBaseIsProtectedWhenTheDestinationArrayIsOffline() {
        let configuration = Estate.configuration(Estate.group(retention: "{count: 1}", extra: "    replicate: [{to: dr, type: mirror}]"))
        var observed = PlannerFixture.provisioned(configuration)
        let primary = Self.daily(4)
        observed.snapshots += primary
        observed.volumes.append(Estate.destination("v1", in: "dr"))
        observed.relationships.append(Estate.relationship("v1", to: "dr", .mirror))
        observed.snapshots += Estate.held(primary.filter { [Self.b(19), Self.b(18)].contains($0.name) }, in: "dr")

        // a2 (dr) offline: the newest backup the mirror holds is the replication base.
        var offline = observed
        offline.arrays[1].status = .offline
        let plan = PlannerFixture.plan(configuration, offline, now: Estate.now)
        #expect(plan.decision(Self.b(19))?.verdict == .keep)
        #expect(plan.decision(Self.b(19))?.reason.contains("but protected: replication base of v1_dr") == true, "\(plan.retention)")
        #expect(plan.prunedBackups == [Self.b(20), Self.b(18)])
        #expect(plan.action("transfer:relationship.v1_dr")?.blockedBy == "array 'a2' is offline")
        #expect(plan.action("prune:backup.g/\(Self.b(20))")?.blockedBy == nil)

        // Online, the mirror update runs in the same apply: no base to hold on to.
        let online = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(online.prunedBackups == [Self.b(20), Self.b(19), Self.b(18)])
        #expect(Set(online.update(of: "v1_dr")?.drop ?? []) == [Self.b(19), Self.b(18)])
    }

    @Test func replicationBaseOfAVaultIsProtectedWhenTheVaultArrayIsOffline() {
        let configuration = Estate.configuration(
            Estate.group(retention: "{count: 1}", extra: "    replicate: [{to: vault, type: vault, retention: {daily: {count: 10}}}]"))
        var observed = PlannerFixture.provisioned(configuration)
        let primary = Self.daily(3)
        observed.snapshots += primary
        observed.volumes.append(Estate.destination("v1", in: "vault"))
        observed.relationships.append(Estate.relationship("v1", to: "vault", .vault))
        observed.snapshots += Estate.held(primary.filter { $0.name == Self.b(20) }, in: "vault")
        observed.arrays[1].status = .offline
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.decision(Self.b(20))?.reason.contains("replication base of v1_vault") == true)
        #expect(plan.prunedBackups == [Self.b(19)])
    }

    /// Past the ceiling even with its prunes first, the volume's new backup is held
    /// (blocked) with a warning; the plan is not refused as a whole.
    @Test func snapshotCeilingHoldsTheVolumesNewBackups() throws {
        let configuration = Estate.configuration(Estate.group())
        for (handMade, error) in [(254, false), (255, true)] {
            var observed = PlannerFixture.provisioned(configuration)
            observed.snapshots += (0..<handMade).map {
                PlannerFixture.snapshot("v1", "manual-\($0)", label: "manual", group: nil, at: "2026-01-01T00:00:00Z")
            }
            let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
            #expect(plan.actions(.snapshot).count == 1)
            #expect(plan.rules.contains(.snapshotCeiling) == error, "\(handMade)")
            if error {
                let diagnostic = try #require(plan.diagnostics(.snapshotCeiling).first)
                #expect(diagnostic.severity == .warning)
                #expect(diagnostic.message.contains("would hold 256 snapshots"))
                #expect(!plan.hasErrors)
                #expect(plan.actions(.snapshot).first?.blockedBy?.contains("would hold 256 snapshots") == true)
            }
        }
    }

    @Test func snapshotCeilingOnADestination() throws {
        let configuration = Estate.configuration(
            Estate.group(retention: "{count: 3}", extra: "    replicate: [{to: vault, type: vault, retention: {daily: {count: 3}}}]"))
        var observed = PlannerFixture.provisioned(configuration)
        observed.volumes.append(Estate.destination("v1", in: "vault"))
        observed.relationships.append(Estate.relationship("v1", to: "vault", .vault))
        observed.snapshots += (0..<255).map {
            PlannerFixture.snapshot("v1_vault", "manual-\($0)", label: "manual", group: nil, at: "2026-01-01T00:00:00Z")
        }
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.update(of: "v1_vault")?.transfer.count == 1)
        let diagnostic = try #require(plan.diagnostics(.snapshotCeiling).first, "\(plan.diagnostics)")
        #expect(diagnostic.message.contains("'v1_vault' would hold 256"))
    }

    @Test func pruningMakesRoomUnderTheCeiling() {
        let configuration = Estate.configuration(Estate.group(retention: "{count: 1}"))
        var observed = PlannerFixture.provisioned(configuration)
        observed.snapshots += (0..<254).map {
            PlannerFixture.snapshot("v1", "manual-\($0)", label: "manual", group: nil, at: "2026-01-01T00:00:00Z")
        }
        observed.snapshots += Self.daily(1, from: 20)
        // 255 now; +1 backup, −1 prune: still 255.
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.actions(.snapshot).count == 1 && plan.actions(.prune).count == 1)
        #expect(!plan.rules.contains(.snapshotCeiling))
    }
}
