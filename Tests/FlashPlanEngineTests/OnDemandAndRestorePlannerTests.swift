import FlashPlanConfig
import FlashPlanModel
import Foundation
import FlashPlanSimulator
import Testing

@testable import FlashPlanEngine

/// `flashplan backup` goes through the planner's own due-backup path (`PlanOptions.onDemand`);
/// `flashplan restore` is planned by `RestorePlanner` (DESIGN §7, docs/restore.md).
@Suite struct OnDemandBackupPlannerTests {
    static let policies = """
        policies:
          hourly-6: {frequency: hourly, retention: {count: 6}}
          manual-3: {frequency: none, label: manual, retention: {count: 3}}
        resource_groups:
          g:
            hosts: [h1]
            volumes: [v1, v2]
            policies: [{policy: hourly-6}, {policy: manual-3}]
            replicate:
              - {to: dr, type: mirror, mode: async}
          other:
            hosts: [h2]
            volumes: [v2]
            policies: [{policy: hourly-6}]
        """

    static let onDemand = PlanOptions(onDemand: PlanOptions.OnDemand(group: "g", policy: "manual-3"))

    @Test func aFrequencyNonePolicyIsNeverDueBySchedule() {
        let configuration = Estate.configuration(Self.policies)
        let plan = PlannerFixture.plan(configuration, PlannerFixture.provisioned(configuration), now: Estate.now)
        #expect(plan.actions(.snapshot).map(\.address.description).sorted() == [
            "backup.g/\(Estate.name(Estate.now))", "backup.other/\(Estate.name(Estate.now, group: "other", host: "h2"))",
        ])
        #expect(!plan.actions(.snapshot).contains { $0.after?["label"] == "manual" })
    }

    @Test func onDemandTakesThatPolicysBackupOfThatGroupOnlyWithItsReplication() throws {
        let configuration = Estate.configuration(Self.policies)
        let plan = PlannerFixture.plan(configuration, PlannerFixture.provisioned(configuration), now: Estate.now, options: Self.onDemand)
        let snapshots = plan.actions(.snapshot)
        // Only the asked label: the due hourly backup of g and the other group's work wait for the timer.
        #expect(snapshots.count == 1, "\(snapshots.map(\.id))")
        let backup = try #require(snapshots.first)
        #expect(backup.address == .backup(group: "g", name: Estate.name(Estate.now)))
        #expect(backup.reason == "on demand (flashplan backup --policy manual-3)")
        #expect(backup.after?["label"] == "manual")
        guard case .createSnapshot(let spec)? = backup.operations.first else {
            Issue.record("not a snapshot: \(backup.operations)")
            return
        }
        #expect(spec.group == "g" && spec.label == "manual" && spec.hosts == ["h1"])
        #expect(plan.actions.allSatisfy { $0.group == nil || $0.group == "g" }, "\(plan.actions.map(\.id))")
        // Replicated like a scheduled backup: the mirror receives it in the same plan.
        #expect(plan.update(of: "v1_dr")?.transfer == [Estate.name(Estate.now)])
        // Scoped by definition, not by a user's --target: no targeting warning.
        #expect(plan.diagnostics(.targeting).isEmpty)
    }

    @Test func onDemandBackupsAreNamedAndRetainedLikeScheduledOnes() throws {
        let configuration = Estate.configuration(Self.policies)
        var observed = PlannerFixture.provisioned(configuration)
        // Three manual backups exist, the newest one with the name this one would take.
        observed.snapshots = Estate.backup("m1", label: "manual", at: "2026-11-19T10:00:00Z", volumes: ["v1", "v2"])
            + Estate.backup("m2", label: "manual", at: "2026-11-20T10:00:00Z", volumes: ["v1", "v2"])
            + Estate.backup(Estate.name(Estate.now), label: "manual", at: Estate.now, volumes: ["v1", "v2"])
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now, options: Self.onDemand)
        let backup = try #require(plan.actions(.snapshot).first)
        #expect(backup.address == .backup(group: "g", name: Estate.name(Estate.now) + "_manual"))
        // count: 3 — the oldest is pruned, by the policy's own retention.
        #expect(plan.decision("m1")?.verdict == .prune)
        #expect(plan.action("prune:backup.g/m1") != nil)
        #expect(plan.decision("m2")?.verdict == .keep)
    }
}

@Suite struct RestorePlannerTests {
    /// v3 is mapped to h3 too, a host outside the group.
    static let configuration = PlannerFixture.configuration(
        [
            "settings: {timezone: UTC}",
            Estate.infrastructure.replacingOccurrences(of: "hosts: {h1: {}, h2: {}}", with: "hosts: {h1: {}, h2: {}, h3: {}}"),
            """
            volumes:
              v1: {pool: gold, size: 100GiB, hosts: [h1]}
              v2: {pool: gold, size: 100GiB, hosts: [h1, h2]}
              v3: {pool: gold, size: 100GiB, hosts: [h1, h3]}
            policies:
              p: {frequency: daily, retention: {count: 3}}
            resource_groups:
              g:
                hosts: [h1, h2]
                volumes: [v1, v2, v3]
                policies: [{policy: p}]
                replicate:
                  - {to: dr, type: mirror, mode: async}
            """,
        ].joined(separator: "\n"))

    /// Backup b1 of v1..v3 (valid for the group's hosts on each volume), on primary and on the mirror.
    static func observed(v1Content: Int = 7) -> ObservedState {
        var observed = PlannerFixture.provisioned(configuration)
        observed.volumes = observed.volumes.map { var volume = $0; if volume.name == "v1" { volume.content = v1Content }; return volume }
        observed.volumes += ["v1", "v2", "v3"].map { Estate.destination($0, in: "dr") }
        observed.relationships = ["v1", "v2", "v3"].map { Estate.relationship($0, to: "dr", .mirror) }
        let hosts = ["v1": ["h1"], "v2": ["h1", "h2"], "v3": ["h1"]]
        let primary = ["v1", "v2", "v3"].map { volume in
            ObservedSnapshot(
                volume: volume, name: "b1", label: "daily", created: PlannerFixture.date("2026-11-20T00:00:00Z"),
                hosts: hosts[volume]!, group: "g", content: 3)
        }
        observed.snapshots = primary + Estate.held(primary, in: "dr")
        return observed
    }

    static func plan(_ selection: RestoreSelection, _ observed: ObservedState = observed()) throws(RestoreRefusal) -> Plan {
        try RestorePlanner.plan(
            configuration: configuration, observed: observed, now: PlannerFixture.date(Estate.now), selection: selection)
    }

    static func refusal(_ selection: RestoreSelection, _ observed: ObservedState = observed()) -> RestoreRefusal? {
        do {
            _ = try plan(selection, observed)
            return nil
        } catch {
            return error
        }
    }

    @Test func aVolumeIsRestoredFromItsOwnSnapshotAsADestructiveActionShowingTheContent() throws {
        let plan = try Self.plan(RestoreSelection(group: "g", backup: "backup.g/b1", volume: "v1"))
        #expect(plan.actions.map(\.id.description) == ["restore:snapshot.v1/b1"])
        let action = try #require(plan.actions.first)
        #expect(action.operations == [.restoreSnapshot(volume: "v1", name: "b1")])
        #expect(action.destructive && plan.consentNeeded.map(\.id) == [action.id])
        #expect(action.before?["content"] == "7" && action.after?["content"] == "3")
        #expect(action.arrays == ["a1"])
        #expect(plan.state == StateReference(lineage: PlannerFixture.lineage, serial: 1))
    }

    @Test func aHostSelectsItsVolumesAndSaysWhoElseIsRolledBack() throws {
        let plan = try Self.plan(RestoreSelection(group: "g", backup: "b1", host: "h2"))
        #expect(plan.actions.map(\.id.description) == ["restore:snapshot.v2/b1"])
        #expect(plan.actions[0].reason.contains("also holds data of 'h1'"))
    }

    @Test func aVolumeHoldingDataOfAHostTheBackupIsNotValidForIsRefused() {
        // v3 is mapped to h3 too; the backup is valid for h1 only there.
        let whole = Self.refusal(RestoreSelection(group: "g", backup: "b1"))
        #expect(whole?.message.contains("volume 'v3' also holds data of host 'h3'") == true, "\(String(describing: whole))")
        #expect(whole?.remedy.contains("--volume") == true)
        #expect(Self.refusal(RestoreSelection(group: "g", backup: "b1", volume: "v3")) != nil)
        #expect(Self.refusal(RestoreSelection(group: "g", backup: "b1", volume: "v3", fromPool: "dr")) != nil)
        #expect(Self.refusal(RestoreSelection(group: "g", backup: "b1", volume: "v1")) == nil)
    }

    @Test func aHostTheBackupWasNotMadeForIsRefused() {
        let refusal = Self.refusal(RestoreSelection(group: "g", backup: "b1", host: "h3"))
        #expect(refusal?.message == "backup 'b1' of group 'g' was not made for host 'h3': it is valid for 'h1', 'h2'")
        #expect(refusal?.candidates == ["h1", "h2"])
    }

    @Test func unknownNamesAreRefusedWithWhatTheyMayHaveMeant() {
        #expect(Self.refusal(RestoreSelection(group: "gg", backup: "b1"))?.candidates == ["g"])
        let backup = Self.refusal(RestoreSelection(group: "g", backup: "b2"))
        #expect(backup?.message == "group 'g' has no backup 'b2'" && backup?.candidates == ["b1"])
        let pool = Self.refusal(RestoreSelection(group: "g", backup: "b1", fromPool: "dx"))
        #expect(pool?.message == "there is no pool 'dx' in the state" && pool?.unknown == "dx")
        let noCopy = Self.refusal(RestoreSelection(group: "g", backup: "b1", fromPool: "vault"))
        #expect(noCopy?.message == "backup 'b1' of group 'g' has no copy in pool 'vault'")
        #expect(noCopy?.remedy.contains("dr (mirror), gold (primary)") == true, "\(String(describing: noCopy))")
        let volume = Self.refusal(RestoreSelection(group: "g", backup: "b1", volume: "v9"))
        #expect(volume?.unknown == "v9" && volume?.candidates == ["v1", "v2", "v3"])
        let elsewhere = Self.refusal(RestoreSelection(group: "g", backup: "backup.h/b1"))
        #expect(elsewhere?.message.contains("names a backup of group 'h'") == true)
    }

    @Test func fromAMirrorTheCopyIsRestoredOntoItsOwnVolumeAndItsRelationshipIsStopped() throws {
        var observed = Self.observed()
        observed.arrays = observed.arrays.map { var array = $0; if array.name == "a1" { array.status = .offline }; return array }
        observed.volumes = observed.volumes.map { var volume = $0; if volume.pool == "gold" { volume.online = false }; return volume }
        let offline = Self.refusal(RestoreSelection(group: "g", backup: "b1", volume: "v1"), observed)
        #expect(offline?.message.contains("volume 'v1' is offline") == true)
        #expect(offline?.remedy.contains("--from POOL") == true && offline?.remedy.contains("dr (mirror)") == true)

        let plan = try Self.plan(RestoreSelection(group: "g", backup: "b1", volume: "v1", fromPool: "dr"), observed)
        let action = try #require(plan.actions.first)
        #expect(plan.actions.count == 1)
        #expect(action.operations == [.restoreSnapshot(volume: "v1_dr", name: "b1")])
        #expect(action.after?["relationship"] == "broken")
        #expect(action.arrays == ["a2"])
        #expect(action.reason.contains("mirror copy of v1 in pool dr"))
    }

    @Test func aMirroredVolumeWithACopyOnAnOfflineArrayIsNotRestoredHalfway() {
        var observed = Self.observed()
        observed.arrays = observed.arrays.map { var array = $0; if array.name == "a2" { array.status = .offline }; return array }
        observed.volumes = observed.volumes.map { var volume = $0; if volume.name == "v1" { volume.mirrorPool = "vault" }; return volume }
        let refusal = Self.refusal(RestoreSelection(group: "g", backup: "b1", volume: "v1"), observed)
        #expect(refusal?.message.contains("volume 'v1' has a copy on offline array 'a2'") == true, "\(String(describing: refusal))")
        #expect(Self.refusal(RestoreSelection(group: "g", backup: "b1", volume: "v2"), observed) == nil)
    }

    @Test func withoutAPrimaryCopyTheCopiesAreNamed() {
        var observed = Self.observed()
        observed.snapshots.removeAll { !$0.volume.hasSuffix("_dr") }
        let refusal = Self.refusal(RestoreSelection(group: "g", backup: "b1"), observed)
        #expect(refusal?.message == "backup 'b1' of group 'g' has no primary copy any more (pruned or deleted outside flashplan)")
        #expect(refusal?.remedy == "Its copies are in dr (mirror); restore one of them with --from POOL.")
    }
}

/// The planner, the restore planner and the executor together on the in-memory simulator:
/// an on-demand backup captures the volume's data, a restore gives exactly that data back
/// and keeps the newer backup.
@Suite struct BackupAndRestoreThroughTheExecutorTests {
    static let configuration = Estate.configuration(
        """
        policies:
          manual: {frequency: none, retention: {count: 5}}
        resource_groups:
          g:
            hosts: [h1]
            volumes: [v1]
            policies: [{policy: manual}]
            replicate:
              - {to: dr, type: mirror, mode: async}
        """)

    static func at(_ minutes: Double) -> Date { PlannerFixture.date(Estate.now).addingTimeInterval(minutes * 60) }

    static func backup(_ storage: SimulatedStorage, at now: Date) async throws -> String {
        let plan = Planner(
            configuration: configuration, observed: try storage.observe(now), now: now,
            options: PlanOptions(onDemand: PlanOptions.OnDemand(group: "g", policy: "manual"))
        ).plan()
        let report = try await storage.apply(plan, at: now)
        #expect(report.exitCode == 0, "\(report.results)")
        guard case .backup(_, let name)? = plan.actions.first(where: { $0.kind == .snapshot })?.address else {
            Issue.record("no backup planned: \(plan.actions.map(\.id))")
            return ""
        }
        return name
    }

    @Test func aRestoreGivesBackExactlyTheBackupsDataAndKeepsTheNewerBackup() async throws {
        let store = try StateStore.inMemory()
        let storage = SimulatedStorage(store: store, backend: SimulatorBackend(store: store))
        let first = Planner(configuration: Self.configuration, observed: try storage.observe(Self.at(0)), now: Self.at(0)).plan()
        #expect(try await storage.apply(first, at: Self.at(0)).exitCode == 0)
        #expect(first.actions(.snapshot).isEmpty, "frequency none is never due by schedule")

        try storage.backend.inject(.writeVolume(volume: "v1"), at: Self.at(1))
        let older = try await Self.backup(storage, at: Self.at(2))
        try storage.backend.inject(.writeVolume(volume: "v1"), at: Self.at(3))
        let newer = try await Self.backup(storage, at: Self.at(4))
        try storage.backend.inject(.writeVolume(volume: "v1"), at: Self.at(5))

        func content(_ volume: String, _ snapshot: String? = nil) throws -> Int? {
            let observed = try storage.observe(Self.at(6))
            guard let snapshot else { return observed.volumes.first { $0.name == volume }?.content }
            return observed.snapshots.first { $0.volume == volume && $0.name == snapshot }?.content
        }
        #expect(try content("v1", older) == 1 && content("v1", newer) == 2 && content("v1") == 3)
        #expect(try content("v1_dr", older) == 1, "the mirror copy carries what the backup captured")

        let restore = try RestorePlanner.plan(
            configuration: Self.configuration, observed: try storage.observe(Self.at(6)), now: Self.at(6),
            selection: RestoreSelection(group: "g", backup: older))
        #expect(restore.actions.map(\.id.description) == ["restore:snapshot.v1/\(older)"])
        #expect(try await storage.apply(restore, at: Self.at(6)).exitCode == 0)
        #expect(try content("v1") == 1)
        #expect(try content("v1", newer) == 2, "the newer backup is kept as it was")
        #expect(try storage.observe(Self.at(6)).snapshots.filter { $0.volume == "v1" }.map(\.name) == [older, newer])
        // Nothing is due afterwards: a restore leaves the configuration satisfied.
        #expect(Planner(configuration: Self.configuration, observed: try storage.observe(Self.at(6)), now: Self.at(6)).plan().actions.isEmpty)
    }
}
