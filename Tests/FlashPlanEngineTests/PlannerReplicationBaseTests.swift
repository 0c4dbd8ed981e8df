import FlashPlanConfig
import FlashPlanModel
import Foundation
import Testing

@testable import FlashPlanEngine
@testable import FlashPlanApp

/// The replication base — the newest backup a destination shares with its source — is
/// pruned from the primary only after the update that gives the destination a newer one:
/// an update that fails, is blocked or held leaves source and destination a common backup
/// (DESIGN §4; red-team repro 6).
@Suite struct PlannerReplicationBaseTests {
    static func b(_ day: Int) -> String { PlannerRetentionTests.b(day) }
    /// The backup this plan takes.
    static let new = Estate.name(Estate.now)

    static func replication(_ pool: String) -> String {
        pool == "dr" ? "{to: dr, type: mirror}" : "{to: vault, type: vault, retention: {daily: {count: 10}}}"
    }

    /// Group g keeps `count` daily backups of v1: 11-20, 11-19, 11-18 exist, 11-21 is due;
    /// each destination holds the backups listed for it.
    static func estate(count: Int, holding: [String: [Int]]) -> (Configuration, ObservedState) {
        let pools = holding.keys.sorted()
        let configuration = Estate.configuration(Estate.group(
            retention: "{count: \(count)}", extra: "    replicate: [\(pools.map(replication).joined(separator: ", "))]"))
        var observed = PlannerFixture.provisioned(configuration)
        let primary = PlannerRetentionTests.daily(3, from: 20)
        observed.snapshots += primary
        for pool in pools {
            observed.volumes.append(Estate.destination("v1", in: pool))
            observed.relationships.append(Estate.relationship("v1", to: pool, pool == "dr" ? .mirror : .vault))
            let names = Set(holding[pool]!.map(b))
            observed.snapshots += Estate.held(primary.filter { names.contains($0.name) }, in: pool)
        }
        return (configuration, observed)
    }

    /// The destinations hold only 11-18 (their updates failed since): count 3 prunes it.
    @Test(arguments: ["dr", "vault"]) func theBaseIsPrunedOnlyAfterTheUpdateThatReplacesIt(pool: String) throws {
        let (configuration, observed) = Self.estate(count: 3, holding: [pool: [18]])
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let transfer = "transfer:relationship.v1_\(pool)"
        let prune = "prune:backup.g/\(Self.b(18))"
        #expect(plan.prunedBackups == [Self.b(18)])
        #expect(plan.orders(transfer, before: prune), "\(plan.ids)")
        #expect(!plan.orders(prune, before: transfer))
        #expect(plan.action(prune)?.blockedBy == nil)
        #expect(plan.update(of: "v1_\(pool)")?.transfer.contains(Self.new) == true)
        let reason = try #require(plan.decision(Self.b(18))?.reason)
        #expect(reason.contains("the replication base of v1_\(pool): pruned only once the update gives it a newer backup"), "\(reason)")
        #expect(plan.action(prune)?.reason.contains("replication base of v1_\(pool)") == true)
        // The text plan lists it where it runs.
        #expect(try #require(plan.ids.firstIndex(of: prune)) > (try #require(plan.ids.firstIndex(of: transfer))))
    }

    /// Fan-out: each destination's base waits for that destination's update only, and
    /// neither update waits for a base: one failing destination holds back no other.
    @Test func eachDestinationsBaseWaitsForItsOwnUpdate() {
        let (configuration, observed) = Self.estate(count: 2, holding: ["dr": [18, 19], "vault": [18]])
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let mirror = "transfer:relationship.v1_dr", vault = "transfer:relationship.v1_vault"
        let mirrorBase = "prune:backup.g/\(Self.b(19))", vaultBase = "prune:backup.g/\(Self.b(18))"
        #expect(plan.prunedBackups == [Self.b(19), Self.b(18)])
        #expect(plan.orders(mirror, before: mirrorBase) && !plan.orders(vault, before: mirrorBase), "\(plan.ancestors(of: mirrorBase))")
        #expect(plan.orders(vault, before: vaultBase) && !plan.orders(mirror, before: vaultBase), "\(plan.ancestors(of: vaultBase))")
        for transfer in [mirror, vault] {
            #expect(plan.ancestors(of: transfer).isDisjoint(with: [mirrorBase, vaultBase]), "\(transfer): \(plan.ancestors(of: transfer))")
        }
    }

    /// A prune that is no destination's base still runs before the updates (DESIGN §4 order).
    @Test func otherPrunesStillRunBeforeTheUpdate() {
        let (configuration, observed) = Self.estate(count: 2, holding: ["dr": [18, 19, 20]])
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.prunedBackups == [Self.b(19), Self.b(18)])
        for day in [18, 19] {
            #expect(plan.orders("prune:backup.g/\(Self.b(day))", before: "transfer:relationship.v1_dr"))
            #expect(plan.decision(Self.b(day))?.reason.contains("replication base") == false)
        }
    }

    /// With the destination out of reach, the base is kept outright (as before).
    @Test func anUnreachableDestinationKeepsItsBase() {
        let (configuration, base) = Self.estate(count: 3, holding: ["dr": [18]])
        var observed = base
        observed.arrays[1].status = .offline
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.prunedBackups.isEmpty)
        #expect(plan.decision(Self.b(18))?.verdict == .keep)
    }

    /// The base is the oldest backup of a volume at the 255 ceiling (the destination is
    /// behind): rather than pruning it before the update, the new backup is held with a
    /// warning that says why, and the update sends what it can without it — which releases
    /// the base, so the next apply has room: the volume never stops for good.
    @Test func atTheCeilingTheNewBackupIsHeldNotTheBasePruned() throws {
        let (configuration, base) = Self.estate(count: 3, holding: ["dr": [18]])
        var observed = base
        observed.snapshots += (0..<252).map {
            PlannerFixture.snapshot("v1", "manual-\($0)", label: "manual", group: nil, at: "2026-01-01T00:00:00Z")
        }
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let snapshot = "snapshot:backup.g/\(Self.new)", prune = "prune:backup.g/\(Self.b(18))"
        let transfer = "transfer:relationship.v1_dr"
        #expect(plan.action(snapshot)?.blockedBy?.contains("would hold 256 snapshots") == true)
        let warning = try #require(plan.diagnostics(.snapshotCeiling).first)
        #expect(warning.message.contains("the replication base of v1_dr"), "\(warning.message)")
        #expect(plan.action(transfer)?.blockedBy == nil)
        #expect(!plan.orders(snapshot, before: transfer))
        #expect(plan.update(of: "v1_dr")?.transfer == [Self.b(19), Self.b(20)])
        #expect(plan.orders(transfer, before: prune))
        #expect(plan.action(prune)?.blockedBy == nil)

        // The next apply, with the update done: the base has moved on, backups resume.
        var next = observed
        next.snapshots.removeAll { $0.volume == "v1" && $0.name == Self.b(18) }
        next.snapshots += Estate.held(PlannerRetentionTests.daily(2, from: 20), in: "dr")
        let after = PlannerFixture.plan(configuration, next, now: Estate.now)
        #expect(after.action(snapshot)?.blockedBy == nil)
        #expect(after.rules.contains(.snapshotCeiling) == false)
    }

    /// In a full pool the base frees no space first either: the new backup is held, and
    /// the update sends what the destination lacks without it, releasing the base.
    @Test func inAFullPoolTheNewBackupIsHeldNotTheBasePruned() throws {
        let (configuration, base) = Self.estate(count: 3, holding: ["dr": [18]])
        var observed = base
        let gold = try #require(observed.pools.firstIndex { $0.name == "gold" })
        observed.pools[gold].usedCapacity = observed.pools[gold].physicalCapacity
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let snapshot = "snapshot:backup.g/\(Self.new)", prune = "prune:backup.g/\(Self.b(18))"
        let transfer = "transfer:relationship.v1_dr"
        #expect(plan.action(snapshot)?.blockedBy != nil)
        #expect(plan.action(transfer)?.blockedBy == nil, "\(String(describing: plan.action(transfer)))")
        #expect(!plan.orders(snapshot, before: transfer))
        #expect(plan.update(of: "v1_dr")?.transfer == [Self.b(19), Self.b(20)])
        #expect(plan.orders(transfer, before: prune))
    }

    /// At the ceiling with nothing newer to send (the destination is up to date and the
    /// rule keeps one): keeping the base would stop the volume's backups for good, so it is
    /// pruned first, and its reason says what a failed update would cost.
    @Test func atTheCeilingWithNothingElseToSendTheBaseMakesRoom() throws {
        let configuration = Estate.configuration(Estate.group(retention: "{count: 1}", extra: "    replicate: [{to: dr, type: mirror}]"))
        var observed = PlannerFixture.provisioned(configuration)
        let primary = PlannerRetentionTests.daily(1, from: 20)
        observed.snapshots += primary
        observed.volumes.append(Estate.destination("v1", in: "dr"))
        observed.relationships.append(Estate.relationship("v1", to: "dr", .mirror))
        observed.snapshots += Estate.held(primary, in: "dr")
        observed.snapshots += (0..<254).map {
            PlannerFixture.snapshot("v1", "manual-\($0)", label: "manual", group: nil, at: "2026-01-01T00:00:00Z")
        }
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let snapshot = "snapshot:backup.g/\(Self.new)", prune = "prune:backup.g/\(Self.b(20))"
        #expect(plan.action(snapshot)?.blockedBy == nil)
        #expect(plan.action(prune)?.blockedBy == nil)
        #expect(plan.orders(prune, before: snapshot))
        #expect(plan.orders(snapshot, before: "transfer:relationship.v1_dr"))
        #expect(!plan.rules.contains(.snapshotCeiling))
        let reason = try #require(plan.decision(Self.b(20))?.reason)
        #expect(reason.contains("the replication base of v1_dr, pruned first all the same") && reason.contains("the next one needs a new baseline"), "\(reason)")
        #expect(!reason.contains("pruned only once"))
    }

    // MARK: What retention pruned is not drift

    /// The primary copies retention pruned while the mirror's update failed are left on the
    /// mirror until its next update: an expected gap, not a deletion outside flashplan.
    @Test func primaryCopiesRetentionPrunedAreNotDrift() {
        let configuration = Estate.configuration(Estate.group(retention: "{count: 3}", extra: "    replicate: [{to: dr, type: mirror}]"))
        var observed = PlannerFixture.provisioned(configuration)
        let all = PlannerRetentionTests.daily(6, from: 21)  // 11-21 … 11-16
        observed.snapshots += all.filter { [Self.b(21), Self.b(20), Self.b(19)].contains($0.name) }
        observed.volumes.append(Estate.destination("v1", in: "dr"))
        observed.relationships.append(Estate.relationship("v1", to: "dr", .mirror))
        observed.snapshots += Estate.held(all.filter { [Self.b(18), Self.b(17), Self.b(16)].contains($0.name) }, in: "dr")
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(!plan.drift.contains { $0.change.contains("deleted outside flashplan") }, "\(plan.drift)")
        #expect(Set(plan.update(of: "v1_dr")?.drop ?? []) == [Self.b(18), Self.b(17), Self.b(16)])

        // A copy retention still keeps, gone from the primary, was deleted outside flashplan.
        observed.snapshots.removeAll { $0.volume == "v1" && $0.name == Self.b(20) }
        observed.snapshots += Estate.held(all.filter { $0.name == Self.b(20) }, in: "dr")
        let deleted = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let drift = deleted.drift.filter { $0.change.contains("deleted outside flashplan") }
        #expect(drift.map { "\($0.address!)" } == ["backup.g/\(Self.b(20))"], "\(deleted.drift)")
        #expect(drift.first?.change.contains("the copy on v1_dr is now the only one") == true)
        #expect(deleted.update(of: "v1_dr")?.drop.contains(Self.b(20)) == false)
    }
}
