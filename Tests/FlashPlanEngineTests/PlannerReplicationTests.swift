import FlashPlanConfig
import FlashPlanModel
import Foundation
import Testing

@testable import FlashPlanEngine
@testable import FlashPlanApp

/// Mirror and vault updates, relationships, clones and the order of a group's steps (DESIGN §4).
@Suite struct PlannerReplicationTests {
    static let mirror = "    replicate: [{to: dr, type: mirror}]"
    static let vault = "    replicate: [{to: vault, type: vault, retention: {daily: {count: 2}}}]"
    static func b(_ day: Int, _ time: String = "00:00:00") -> String { PlannerRetentionTests.b(day, time) }
    static let new = b(21, "10:00:00")

    /// Group g on v1 with `replicate`, primary holding daily backups of 11-20 back `days` days,
    /// the destination in `pool` existing with an idle relationship and holding `held`.
    static func estate(
        retention: String = "{count: 2}", replicate: String, pool: String, type: Replication.Kind, days: Int = 2,
        held: [String], clones: String = ""
    ) -> (Configuration, ObservedState) {
        let configuration = Estate.configuration(Estate.group(retention: retention, extra: replicate + (clones.isEmpty ? "" : "\n" + clones)))
        var observed = PlannerFixture.provisioned(configuration)
        let primary = PlannerRetentionTests.daily(days, from: 20)
        observed.snapshots += primary
        observed.volumes.append(Estate.destination("v1", in: pool))
        observed.relationships.append(Estate.relationship("v1", to: pool, type))
        observed.snapshots += Estate.held(primary.filter { held.contains($0.name) }, in: pool)
        return (configuration, observed)
    }

    // MARK: Mirror

    @Test func mirrorSendsTheNewBackupAndDropsWhatTheSourcePruned() throws {
        let (configuration, observed) = Self.estate(replicate: Self.mirror, pool: "dr", type: .mirror, held: [Self.b(20), Self.b(19)])
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.prunedBackups == [Self.b(19)])
        let update = try #require(plan.update(of: "v1_dr"))
        #expect(update.transfer == [Self.new])
        #expect(update.drop == [Self.b(19)])
        let transfer = try #require(plan.action("transfer:relationship.v1_dr"))
        #expect(transfer.kind.symbol == ">")
        #expect(transfer.reason.contains("send 1 backup") && transfer.reason.contains("drop 1"))
        #expect(plan.orders("snapshot:backup.g/\(Self.new)", before: transfer.id))
        #expect(plan.orders("prune:backup.g/\(Self.b(19))", before: transfer.id))
        #expect(transfer.arrays == ["a1", "a2"])
        #expect(plan.summary.transfers == 1)
    }

    @Test func mirrorInSyncHasNothingToDo() {
        let (configuration, observed) = Self.estate(replicate: Self.mirror, pool: "dr", type: .mirror, held: [Self.b(20), Self.b(19)])
        let plan = PlannerFixture.plan(configuration, observed, now: "2026-11-20T12:00:00Z")
        #expect(plan.actions.isEmpty, "\(plan.ids)")
    }

    @Test func mirrorCatchesUpOnEverythingItLacksAndDropsStrays() {
        var (configuration, observed) = Self.estate(replicate: Self.mirror, pool: "dr", type: .mirror, held: [])
        observed.snapshots += Estate.held(Estate.backup("g_gone", at: "2026-11-01T00:00:00Z"), in: "dr")
        let plan = PlannerFixture.plan(configuration, observed, now: "2026-11-20T12:00:00Z")
        #expect(plan.update(of: "v1_dr")?.transfer == [Self.b(19), Self.b(20)])
        #expect(plan.update(of: "v1_dr")?.drop == ["g_gone"])
        _ = configuration
    }

    @Test func newMirrorIsCreatedInitialisedAndUpdated() throws {
        let configuration = Estate.configuration(Estate.group(extra: Self.mirror))
        let plan = PlannerFixture.plan(configuration, PlannerFixture.provisioned(configuration), now: Estate.now)
        let expected = [
            "snapshot:backup.g/\(Self.new)", "create-volume:volume.v1_dr", "create-relationship:relationship.v1_dr",
            "initialize-relationship:relationship.v1_dr", "transfer:relationship.v1_dr",
        ]
        #expect(Set(plan.ids) == Set(expected))
        let volume = try #require(plan.action("create-volume:volume.v1_dr"))
        #expect(volume.operations == [.createVolume(VolumeSpec(name: "v1_dr", pool: "dr", size: .gib(100), thin: true, role: .destination))])
        #expect(volume.group == "g")
        #expect(plan.orders("create-volume:volume.v1_dr", before: "create-relationship:relationship.v1_dr"))
        #expect(plan.orders("create-relationship:relationship.v1_dr", before: "initialize-relationship:relationship.v1_dr"))
        #expect(plan.orders("initialize-relationship:relationship.v1_dr", before: "transfer:relationship.v1_dr"))
        #expect(plan.orders("snapshot:backup.g/\(Self.new)", before: "transfer:relationship.v1_dr"))
        #expect(plan.action("create-relationship:relationship.v1_dr")?.operations
            == [.createRelationship(source: "v1", destination: "v1_dr", type: .mirror, mode: .async, group: "g")])
        #expect(plan.update(of: "v1_dr")?.transfer == [Self.new])
    }

    @Test func destinationFollowsItsSourceSize() {
        var (configuration, observed) = Self.estate(replicate: Self.mirror, pool: "dr", type: .mirror, held: [Self.b(20), Self.b(19)])
        observed.volumes[observed.volumes.firstIndex { $0.name == "v1_dr" }!].size = .gib(50)
        let plan = PlannerFixture.plan(configuration, observed, now: "2026-11-20T12:00:00Z")
        #expect(plan.ids == ["resize-volume:volume.v1_dr"])
        _ = configuration
    }

    // MARK: Relationship states

    struct StateCase: Sendable, CustomTestStringConvertible {
        var state: ObservedRelationship.State
        var action: String?
        var destructive: Bool
        var drift: Bool
        var testDescription: String { state.rawValue }
    }

    static let stateCases: [StateCase] = [
        StateCase(state: .idle, action: nil, destructive: false, drift: false),
        StateCase(state: .transferring, action: nil, destructive: false, drift: false),
        StateCase(state: .uninitialized, action: "initialize-relationship:relationship.v1_dr", destructive: false, drift: false),
        StateCase(state: .broken, action: "resync-relationship:relationship.v1_dr", destructive: true, drift: true),
    ]

    @Test(arguments: stateCases) func relationshipState(_ c: StateCase) throws {
        var (configuration, observed) = Self.estate(replicate: Self.mirror, pool: "dr", type: .mirror, held: [Self.b(20), Self.b(19)])
        observed.relationships[0].state = c.state
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let prepare = plan.actions.filter { $0.kind == .initializeRelationship || $0.kind == .resyncRelationship }
        #expect(prepare.map(\.id.description) == (c.action.map { [$0] } ?? []))
        if let id = c.action {
            #expect(plan.action(id)?.destructive == c.destructive)
            #expect(plan.orders(id, before: "transfer:relationship.v1_dr"))
        }
        let drift = plan.drift.first { $0.address == "relationship.v1_dr" }
        #expect((drift != nil) == c.drift)
        if c.drift {
            #expect(drift?.change == "relationship broken")
            #expect(drift?.response.contains("resync") == true)
        }
        _ = configuration
    }

    /// flashplan's own restore onto a destination stops its relationship: the resync's
    /// reason must say so, and that it overwrites the restored data, not call it a stray break.
    @Test func resyncAfterFlashplansRestoreSaysItOverwritesTheRestore() throws {
        var (configuration, observed) = Self.estate(replicate: Self.mirror, pool: "dr", type: .mirror, held: [Self.b(20), Self.b(19)])
        observed.relationships[0].state = .broken
        let restoredAt = PlannerFixture.date("2026-11-21T09:30:00Z")
        observed.relationships[0].stoppedByRestore = .init(backup: "g_h1_backup", at: restoredAt)
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let resync = try #require(plan.action("resync-relationship:relationship.v1_dr"))
        #expect(resync.destructive)
        #expect(resync.reason.contains("stopped by flashplan's restore of backup 'g_h1_backup' onto 'v1_dr'"), "\(resync.reason)")
        #expect(resync.reason.contains("resync overwrites the restored data on 'v1_dr'"), "\(resync.reason)")
        #expect(!resync.reason.contains("outside flashplan"), "\(resync.reason)")
        let drift = try #require(plan.drift.first { $0.address == "relationship.v1_dr" })
        #expect(drift.change.hasPrefix("relationship stopped by the restore of backup 'g_h1_backup'"), "\(drift.change)")
        _ = configuration
    }

    @Test func relationshipOfAnotherKindIsAnError() {
        var (configuration, observed) = Self.estate(replicate: Self.mirror, pool: "dr", type: .mirror, held: [])
        observed.relationships[0].type = .vault
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.rules.contains(.relationshipMismatch))
        _ = configuration
    }

    // MARK: Vault

    @Test func vaultReceivesOnlyItsLabelsAndPrunesByItsOwnRule() throws {
        let configuration = Estate.configuration("""
            policies:
              h: {frequency: hourly, retention: {count: 3}}
              d: {frequency: daily, retention: {count: 5}}
            resource_groups:
              g:
                hosts: [h1]
                volumes: [v1]
                policies: [{policy: h}, {policy: d}]
                replicate: [{to: vault, type: vault, retention: {daily: {count: 2}}}]
            """)
        var observed = PlannerFixture.provisioned(configuration)
        let daily = PlannerRetentionTests.daily(3, from: 20)
        let hourly = Estate.backup("g_hourly", label: "hourly", at: "2026-11-21T09:00:00Z")
        observed.snapshots += daily + hourly
        observed.volumes.append(Estate.destination("v1", in: "vault"))
        observed.relationships.append(Estate.relationship("v1", to: "vault", .vault))
        // The vault holds 11-20 and 11-19, not 11-18.
        observed.snapshots += Estate.held(daily.filter { $0.name != Self.b(18) }, in: "vault")
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        // Both labels due at 10:00: hourly gets the name, daily the suffix.
        let newDaily = Self.new + "_daily"
        #expect(Set(plan.actions(.snapshot).map(\.address)) == ["backup.g/\(Self.new)", "backup.g/\(newDaily)"])
        // Only daily backups go to the vault, and only those it keeps: the new one; not 11-18
        // (two newer are enough), no hourly.
        let update = try #require(plan.update(of: "v1_vault"))
        #expect(update.transfer == [newDaily])
        #expect(update.drop.isEmpty)
        // The vault keeps 2 dailies: the new one and 11-20; 11-19 is pruned there.
        let vaultPrunes = plan.actions(.prune).filter { $0.address.description.hasPrefix("snapshot.") }
        #expect(vaultPrunes.map(\.address) == ["snapshot.v1_vault/\(Self.b(19))"])
        let prune = try #require(vaultPrunes.first)
        #expect(prune.operations == [.deleteSnapshot(volume: "v1_vault", name: Self.b(19))])
        #expect(prune.reason.contains("vault 'daily' retention count 2: beyond the newest 2 (#3)"))
        #expect(plan.orders("transfer:relationship.v1_vault", before: prune.id))
        #expect(plan.decision(Self.b(19), at: "vault")?.verdict == .prune)
        #expect(plan.decision(Self.b(20), at: "vault")?.verdict == .keep)
        #expect(plan.decision(newDaily, at: "vault")?.planned == true)
        #expect(plan.decision(Self.b(18), at: "vault") == nil)
        #expect(plan.decision("g_hourly", at: "vault") == nil)
        #expect(plan.decision(Self.new, at: "vault") == nil)
        // Primary keeps all its dailies (count 5).
        #expect(plan.prunedBackups.isEmpty)
    }

    @Test func vaultDaysRuleAndProtectedSnapshots() {
        var (configuration, observed) = Self.estate(
            retention: "{count: 10}", replicate: "    replicate: [{to: vault, type: vault, retention: {daily: {days: 2}}}]", pool: "vault",
            type: .vault, days: 6, held: (15...20).map { Self.b($0) })
        // 11-16 on the vault is immutable, 11-17 on the vault the parent of a clone made by
        // hand (not named `<clone>_<volume>`: one flashplan made, undeclared, would be deleted).
        let i16 = observed.snapshots.firstIndex { $0.volume == "v1_vault" && $0.name == Self.b(16) }!
        observed.snapshots[i16].immutableUntil = PlannerFixture.date("2027-01-01T00:00:00Z")
        observed.clones.append(ObservedClone(name: "qa", volume: "v1_vault", pool: "vault", parentSnapshot: Self.b(17), created: .distantPast))
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let pruned = Set(plan.actions(.prune).map(\.address))
        // Younger than 2 days at 11-21 10:00: the new backup and 11-20; 11-16 and 11-17 are protected.
        #expect(pruned == ["snapshot.v1_vault/\(Self.b(19))", "snapshot.v1_vault/\(Self.b(18))", "snapshot.v1_vault/\(Self.b(15))"])
        #expect(plan.decision(Self.b(16), at: "vault")?.reason.contains("protected: immutable until") == true)
        #expect(plan.decision(Self.b(17), at: "vault")?.reason.contains("protected: parent of clone qa") == true)
        #expect(plan.decision(Self.b(20), at: "vault")?.reason == "younger than 2 days")
        #expect(plan.decision(Self.b(19), at: "vault")?.reason == "older than 2 days")
        #expect(plan.update(of: "v1_vault")?.transfer == [Self.new])
        _ = configuration
    }

    // MARK: Clones

    @Test func cloneIsMadeFromTheNewestBackup() throws {
        let configuration = Estate.configuration(Estate.group(extra: "    clones: [{name: dev, label: daily, host: h2}]"))
        let plan = PlannerFixture.plan(configuration, PlannerFixture.provisioned(configuration), now: Estate.now)
        let clone = try #require(plan.action("create-clone:clone.dev_v1"))
        #expect(clone.operations == [.createClone(name: "dev_v1", volume: "v1", snapshot: Self.new, host: "h2")])
        #expect(clone.after?["pool"] == "gold")
        #expect(clone.dependsOn == ["snapshot:backup.g/\(Self.new)"])
    }

    @Test func cloneWithoutRefreshIsLeftAlone() {
        let configuration = Estate.configuration(Estate.group(retention: "{count: 1}", extra: "    clones: [{name: dev, label: daily}]"))
        var observed = PlannerFixture.provisioned(configuration)
        observed.snapshots += PlannerRetentionTests.daily(2, from: 20)
        observed.clones.append(ObservedClone(name: "dev_v1", volume: "v1", pool: "gold", parentSnapshot: Self.b(19), created: .distantPast))
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.actions(.createClone).isEmpty && plan.actions(.deleteClone).isEmpty)
        // And its parent stays, protected.
        #expect(plan.decision(Self.b(19))?.reason.contains("parent of clone dev_v1") == true)
    }

    @Test func refreshNewestRecreatesTheCloneAndThenPrunesTheOldParent() throws {
        let configuration = Estate.configuration(
            Estate.group(retention: "{count: 1}", extra: "    clones: [{name: dev, label: daily, refresh: newest}]"))
        var observed = PlannerFixture.provisioned(configuration)
        observed.snapshots += PlannerRetentionTests.daily(2, from: 20)
        observed.clones.append(ObservedClone(name: "dev_v1", volume: "v1", pool: "gold", parentSnapshot: Self.b(19), created: .distantPast))
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let delete = try #require(plan.action("delete-clone:clone.dev_v1"))
        #expect(delete.destructive)
        #expect(delete.operations == [.deleteClone(name: "dev_v1")])
        let create = try #require(plan.action("create-clone:clone.dev_v1"))
        #expect(create.operations == [.createClone(name: "dev_v1", volume: "v1", snapshot: Self.new, host: nil)])
        #expect(plan.orders(delete.id, before: create.id))
        #expect(plan.orders("snapshot:backup.g/\(Self.new)", before: create.id))
        // The old parent is no longer protected: pruned, after the clone is gone.
        #expect(plan.prunedBackups == [Self.b(20), Self.b(19)])
        #expect(plan.orders(delete.id, before: "prune:backup.g/\(Self.b(19))"))
        #expect(!plan.orders(delete.id, before: "prune:backup.g/\(Self.b(20))"))
    }

    /// Found by the property tests: refreshing one clone released its parent even though
    /// another clone still depended on it.
    @Test func refreshKeepsAParentOtherClonesStillUse() {
        let configuration = Estate.configuration(
            Estate.group(retention: "{count: 1}", extra: "    clones: [{name: dev, label: daily, refresh: newest}]"))
        var observed = PlannerFixture.provisioned(configuration)
        observed.snapshots += PlannerRetentionTests.daily(2, from: 20)
        observed.clones.append(ObservedClone(name: "dev_v1", volume: "v1", pool: "gold", parentSnapshot: Self.b(19), created: .distantPast))
        observed.clones.append(ObservedClone(name: "audit", volume: "v1", pool: "gold", parentSnapshot: Self.b(19), created: .distantPast))
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.action("delete-clone:clone.dev_v1") != nil)
        #expect(plan.prunedBackups == [Self.b(20)])
        #expect(plan.decision(Self.b(19))?.reason.contains("protected: parent of clone audit") == true, "\(plan.decision(Self.b(19)).map { "\($0)" } ?? "-")")
    }

    @Test func refreshWithoutANewerBackupDoesNothing() {
        let configuration = Estate.configuration(Estate.group(extra: "    clones: [{name: dev, label: daily, refresh: newest}]"))
        var observed = PlannerFixture.provisioned(configuration)
        observed.snapshots += PlannerRetentionTests.daily(1, from: 21)
        observed.clones.append(ObservedClone(name: "dev_v1", volume: "v1", pool: "gold", parentSnapshot: Self.b(21), created: .distantPast))
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.actions.isEmpty, "\(plan.ids)")
    }

    @Test func cloneFromTheMirrorWaitsForTheTransfer() throws {
        let (configuration, observed) = Self.estate(
            replicate: Self.mirror, pool: "dr", type: .mirror, held: [Self.b(20), Self.b(19)],
            clones: "    clones: [{name: rep, label: daily, from: dr, host: h2}]")
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let clone = try #require(plan.action("create-clone:clone.rep_v1"))
        #expect(clone.operations == [.createClone(name: "rep_v1", volume: "v1_dr", snapshot: Self.new, host: "h2")])
        #expect(clone.after?["pool"] == "dr")
        #expect(plan.orders("transfer:relationship.v1_dr", before: clone.id))
    }

    /// Refreshing a clone made from the mirror releases its old parent there. The old clone
    /// is deleted only after the update brings the new parent (were the update held or
    /// failed, the host would otherwise be left with no clone), so the update cannot drop
    /// the old parent itself: a prune of its own does, after the delete.
    @Test func refreshFromTheMirrorLetsTheMirrorDropTheOldParent() throws {
        var (configuration, observed) = Self.estate(
            retention: "{count: 1}", replicate: Self.mirror, pool: "dr", type: .mirror, days: 1, held: [Self.b(20)],
            clones: "    clones: [{name: rep, label: daily, from: dr, refresh: newest}]")
        observed.clones.append(ObservedClone(name: "rep_v1", volume: "v1_dr", pool: "dr", parentSnapshot: Self.b(20), created: .distantPast))
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.prunedBackups == [Self.b(20)])
        let update = try #require(plan.update(of: "v1_dr"))
        #expect(update.transfer == [Self.new])
        #expect(update.drop == [], "still the old clone's parent while the update runs")
        #expect(plan.orders("transfer:relationship.v1_dr", before: "delete-clone:clone.rep_v1"))
        #expect(plan.orders("delete-clone:clone.rep_v1", before: "create-clone:clone.rep_v1"))
        let drop = try #require(plan.action("prune:snapshot.v1_dr/\(Self.b(20))"), "\(plan.ids)")
        #expect(plan.orders("delete-clone:clone.rep_v1", before: drop.id))
        // A mirror holds exactly its source's backups once the plan has run.
        let after = observed.applying(plan, at: PlannerFixture.date(Estate.now))
        #expect(PlannerFixture.plan(configuration, after, now: Estate.now).actions.isEmpty)
        _ = configuration
    }

    /// The same from a vault: the old parent is no longer protected there once released.
    @Test func refreshFromTheVaultLetsTheVaultPruneTheOldParent() throws {
        var (configuration, observed) = Self.estate(
            retention: "{count: 1}", replicate: "    replicate: [{to: vault, type: vault, retention: {daily: {count: 1}}}]",
            pool: "vault", type: .vault, days: 1, held: [Self.b(20)],
            clones: "    clones: [{name: rep, label: daily, from: vault, refresh: newest}]")
        observed.clones.append(ObservedClone(name: "rep_v1", volume: "v1_vault", pool: "vault", parentSnapshot: Self.b(20), created: .distantPast))
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.update(of: "v1_vault")?.transfer == [Self.new])
        let prune = try #require(plan.action("prune:snapshot.v1_vault/\(Self.b(20))"))
        #expect(plan.orders("delete-clone:clone.rep_v1", before: prune.id))
        #expect(plan.orders("transfer:relationship.v1_vault", before: "create-clone:clone.rep_v1"))
        _ = configuration
    }

    // MARK: Order of a group's steps

    @Test func aGroupsStepsRunInOrder() throws {
        let configuration = Estate.configuration("""
            policies: {d: {frequency: daily, retention: {count: 2}}}
            resource_groups:
              g:
                hosts: [h1]
                volumes: [v1, v2]
                policies: [{policy: d}]
                replicate:
                  - {to: dr, type: mirror}
                  - {to: vault, type: vault, retention: {daily: {count: 2}}}
                clones: [{name: rep, label: daily, from: vault, refresh: newest}]
            """)
        var observed = PlannerFixture.provisioned(configuration)
        let primary = PlannerRetentionTests.daily(2, volumes: ["v1", "v2"], from: 20)
        observed.snapshots += primary
        for volume in ["v1", "v2"] {
            for pool in ["dr", "vault"] {
                observed.volumes.append(Estate.destination(volume, in: pool))
                observed.relationships.append(Estate.relationship(volume, to: pool, pool == "dr" ? .mirror : .vault))
                observed.snapshots += Estate.held(primary.filter { $0.volume == volume }, in: pool)
            }
            observed.clones.append(
                ObservedClone(name: "rep_\(volume)", volume: "\(volume)_vault", pool: "vault", parentSnapshot: Self.b(20), created: .distantPast))
        }
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let snapshot = "snapshot:backup.g/\(Self.new)"
        let prune = "prune:backup.g/\(Self.b(19))"
        #expect(Set(plan.actions(.snapshot).map(\.id.description)) == [snapshot])
        #expect(plan.prunedBackups == [Self.b(19)])
        for volume in ["v1", "v2"] {
            let mirror = "transfer:relationship.\(volume)_dr"
            let vault = "transfer:relationship.\(volume)_vault"
            let vaultPrune = "prune:snapshot.\(volume)_vault/\(Self.b(19))"
            let clone = "create-clone:clone.rep_\(volume)"
            for id in [mirror, vault, vaultPrune, clone, "delete-clone:clone.rep_\(volume)"] { #expect(plan.action(id) != nil, "\(id) missing: \(plan.ids)") }
            #expect(plan.orders(snapshot, before: prune))
            #expect(plan.orders(prune, before: mirror))
            #expect(plan.orders(snapshot, before: vault))
            #expect(plan.orders(prune, before: vault))
            #expect(plan.orders(vault, before: vaultPrune))
            #expect(plan.orders(vault, before: clone))
            #expect(plan.orders(snapshot, before: clone))
            #expect(plan.update(of: "\(volume)_dr")?.drop == [Self.b(19)])
        }
        // The vault's decisions are per backup, not per destination volume.
        let vaultDecisions = plan.retention.filter { $0.location == "vault" }
        #expect(vaultDecisions.map(\.backup).sorted() == [Self.b(20), Self.b(19), Self.new].sorted(), "\(vaultDecisions)")
        // The list itself is in a valid order: no action depends on a later one.
        for (index, action) in plan.actions.enumerated() {
            for dependency in action.dependsOn {
                let position = try #require(plan.actions.firstIndex { $0.id == dependency })
                #expect(position < index, "\(action.id) is listed before its dependency \(dependency)")
            }
        }
    }
}
