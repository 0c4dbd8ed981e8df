import FlashPlanConfig
import FlashPlanModel
import Foundation
import Testing

@testable import FlashPlanEngine

/// Clones the configuration stops declaring, clones moved to another host, and refreshes
/// that cannot be completed (red-team findings: a removed clone was never deleted nor
/// reported, a new `host:` was never applied, a refresh from a broken mirror deleted the
/// old clone while the new one could not be made).
@Suite struct PlannerCloneTests {
    static func b(_ day: Int, _ time: String = "00:00:00") -> String { PlannerRetentionTests.b(day, time) }
    static let new = b(21, "10:00:00")

    /// Group g on v1 (daily, count 3) holding daily backups of 11-20 and 11-19, with the
    /// observed clone `clone` of v1 made from 11-19 and mapped to `hosts`.
    static func estate(
        retention: String = "{count: 3}", extra: String = "", clone: String = "dev_v1", hosts: [String] = ["h2"]
    ) -> (Configuration, ObservedState) {
        let configuration = Estate.configuration(Estate.group(retention: retention, extra: extra))
        var observed = PlannerFixture.provisioned(configuration)
        observed.snapshots += PlannerRetentionTests.daily(2, from: 20)
        observed.clones.append(
            ObservedClone(name: clone, volume: "v1", pool: "gold", parentSnapshot: b(19), host: hosts.first, created: .distantPast))
        observed.volumes.append(
            ObservedVolume(name: clone, pool: "gold", size: .gib(100), hosts: hosts, role: .clone, created: .distantPast))
        return (configuration, observed)
    }

    // MARK: A clone the configuration no longer declares

    @Test func aCloneTheGroupNoLongerDeclaresIsDeletedAsADestructiveAction() throws {
        let (configuration, observed) = Self.estate(retention: "{count: 1}")
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let delete = try #require(plan.action("delete-clone:clone.dev_v1"), "\(plan.ids)")
        #expect(delete.operations == [.deleteClone(name: "dev_v1")])
        #expect(delete.destructive && delete.group == "g")
        #expect(delete.reason.contains("no longer declares") && delete.reason.contains("'h2'"), "\(delete.reason)")
        #expect(plan.consentNeeded.map(\.id) == [delete.id], "it needs consent: nothing re-creates it")
        #expect(plan.action("create-clone:clone.dev_v1") == nil)
        // Its parent is released: pruned in the same apply, once the clone is gone.
        #expect(plan.prunedBackups == [Self.b(20), Self.b(19)])
        #expect(plan.action("prune:backup.g/\(Self.b(19))")?.dependsOn.contains(delete.id) == true)
        #expect(!plan.orders(delete.id, before: "prune:backup.g/\(Self.b(20))"))
    }

    /// Held for consent, the delete holds back only the prune of its parent: the mirror
    /// update (which waits for the source's prunes) does not wait for that one; the mirror
    /// drops the parent in a prune of its own, after it.
    @Test func aHeldCloneDeletionNeverHoldsReplication() throws {
        var (configuration, observed) = PlannerReplicationTests.estate(
            retention: "{count: 1}", replicate: PlannerReplicationTests.mirror, pool: "dr", type: .mirror, held: [Self.b(20), Self.b(19)])
        observed.clones.append(ObservedClone(name: "dev_v1", volume: "v1", pool: "gold", parentSnapshot: Self.b(19), created: .distantPast))
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let delete = "delete-clone:clone.dev_v1"
        #expect(plan.orders(delete, before: "prune:backup.g/\(Self.b(19))"))
        #expect(!plan.orders(delete, before: "transfer:relationship.v1_dr"), "\(plan.action("transfer:relationship.v1_dr")?.dependsOn ?? [])")
        #expect(plan.update(of: "v1_dr")?.drop == [Self.b(20)])
        let mirrorPrune = try #require(plan.action("prune:snapshot.v1_dr/\(Self.b(19))"), "\(plan.ids)")
        #expect(mirrorPrune.operations == [.deleteSnapshot(volume: "v1_dr", name: Self.b(19))])
        #expect(plan.orders("prune:backup.g/\(Self.b(19))", before: mirrorPrune.id))
        #expect(plan.orders("transfer:relationship.v1_dr", before: mirrorPrune.id))
        // Applied with consent, a plan at the same time has nothing left to do.
        let after = observed.applying(plan, at: PlannerFixture.date(Estate.now))
        #expect(PlannerFixture.plan(configuration, after, now: Estate.now).actions.isEmpty)
        _ = configuration
    }

    @Test func aCloneStillDeclaredOrNotMadeFromTheGroupsBackupsIsNotDeleted() {
        // Declared: left alone.
        let (declared, observed) = Self.estate(extra: "    clones: [{name: dev, label: daily, host: h2}]")
        #expect(PlannerFixture.plan(declared, observed, now: Estate.now).actions(.deleteClone).isEmpty)
        // Made from a snapshot taken by hand, or not named `<clone>_<volume>`: not flashplan's.
        var (configuration, byHand) = Self.estate(clone: "dev_v1")
        byHand.snapshots += Estate.backup("manual", group: nil, at: "2026-11-19T12:00:00Z")
        byHand.clones[0].parentSnapshot = "manual"
        #expect(PlannerFixture.plan(configuration, byHand, now: Estate.now).actions(.deleteClone).isEmpty)
        let (_, misnamed) = Self.estate(clone: "v1")
        #expect(PlannerFixture.plan(configuration, misnamed, now: Estate.now).actions(.deleteClone).isEmpty)
    }

    /// Another group declares the same clone volume (generated names may collide: clone
    /// `x_a` of volume `b` and clone `x` of volume `a_b` are both `x_a_b`): never deleted
    /// from under it.
    @Test func aCloneNameAnotherGroupDeclaresIsNotDeleted() {
        let configuration = Estate.configuration(
            volumes: """
                volumes:
                  a_b: {pool: gold, size: 100GiB, hosts: [h1]}
                  b: {pool: gold, size: 100GiB, hosts: [h2]}
                """,
            """
            policies:
              p: {frequency: daily, retention: {count: 3}}
            resource_groups:
              g: {hosts: [h1], volumes: [a_b], policies: [{policy: p}]}
              g2: {hosts: [h2], volumes: [b], policies: [{policy: p}], clones: [{name: x_a, label: daily}]}
            """)
        var observed = PlannerFixture.provisioned(configuration)
        observed.snapshots += Estate.backup(Self.b(20), at: "2026-11-20T00:00:00Z", volumes: ["a_b"])
        observed.clones.append(ObservedClone(name: "x_a_b", volume: "a_b", pool: "gold", parentSnapshot: Self.b(20), created: .distantPast))
        observed.volumes.append(ObservedVolume(name: "x_a_b", pool: "gold", size: .gib(100), hosts: ["h1"], role: .clone, created: .distantPast))
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.actions(.deleteClone).isEmpty, "\(plan.ids)")
        // Nor does g2 map g's clone to its own host (the two would take turns forever).
        #expect(!plan.ids.contains { $0.contains("x_a_b") }, "\(plan.ids)")
    }

    /// A removed group's clones are reported and kept, like its backups.
    @Test func aCloneOfARemovedGroupIsReportedAndKept() throws {
        let configuration = Estate.configuration(Estate.group(volumes: ["v2"]))
        var observed = PlannerFixture.provisioned(configuration)
        observed.snapshots += Estate.backup("gone_h1_11-19-2026_00.00.00", group: "gone", at: "2026-11-19T00:00:00Z")
        observed.clones.append(
            ObservedClone(name: "dev_v1", volume: "v1", pool: "gold", parentSnapshot: "gone_h1_11-19-2026_00.00.00", created: .distantPast))
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.actions(.deleteClone).isEmpty)
        let warning = try #require(plan.diagnostics.first { $0.rule == .unmanagedBackups && $0.message.contains("clone") }, "\(plan.diagnostics)")
        #expect(warning.message.contains("'dev_v1'") && warning.message.contains("'gone'"), "\(warning.message)")
        #expect(warning.note?.contains("kept") == true)
    }

    /// At the 255 ceiling, the note names the undeclared clone whose parent fills the last
    /// place, not snapshots taken by hand (there are none).
    @Test func atTheCeilingTheNoteNamesTheCloneHoldingItsParent() throws {
        let configuration = Estate.configuration(Estate.group(frequency: "hourly", retention: "{count: 255}"))
        var observed = PlannerFixture.provisioned(configuration)
        let start = PlannerFixture.date("2026-11-01T00:00:00Z")
        for hour in 0..<255 {
            let time = ISO8601DateFormatter().string(from: start.addingTimeInterval(Double(hour) * 3600))
            observed.snapshots += Estate.backup(Estate.name(time), label: "hourly", at: time)
        }
        let oldest = Estate.name("2026-11-01T00:00:00Z")
        observed.clones.append(ObservedClone(name: "dev_v1", volume: "v1", pool: "gold", parentSnapshot: oldest, host: "h2", created: .distantPast))
        let plan = PlannerFixture.plan(configuration, observed, now: "2026-11-11T15:00:00Z")
        let delete = "delete-clone:clone.dev_v1"
        #expect(plan.action(delete) != nil)
        // The new backup waits for the prune of the clone's parent, which waits for the delete.
        let snapshot = try #require(plan.actions(.snapshot).first)
        #expect(plan.orders(delete, before: snapshot.id))
        let ceiling = try #require(plan.diagnostics.first { $0.rule == .snapshotCeiling }, "\(plan.diagnostics)")
        let text = ceiling.message + " " + (ceiling.note ?? "")
        #expect(text.contains("'dev_v1'") && text.contains(oldest) && text.contains("--allow-destructive"), "\(text)")
        #expect(!text.contains("taken by hand"), "\(text)")
    }

    /// A declared clone keeping its parent at the ceiling: the note names it, and blames
    /// snapshots taken by hand only when the volume holds some.
    @Test func atTheCeilingTheNoteNamesADeclaredCloneToo() throws {
        let configuration = Estate.configuration(Estate.group(frequency: "hourly", retention: "{count: 254}", extra: "    clones: [{name: dev, label: hourly}]"))
        var observed = PlannerFixture.provisioned(configuration)
        let start = PlannerFixture.date("2026-11-01T00:00:00Z")
        for hour in 0..<254 {
            let time = ISO8601DateFormatter().string(from: start.addingTimeInterval(Double(hour) * 3600))
            observed.snapshots += Estate.backup(Estate.name(time), label: "hourly", at: time)
        }
        observed.snapshots += Estate.backup("by-hand", label: "manual", group: nil, at: "2026-10-01T00:00:00Z")
        let oldest = Estate.name("2026-11-01T00:00:00Z")
        observed.clones.append(ObservedClone(name: "dev_v1", volume: "v1", pool: "gold", parentSnapshot: oldest, created: .distantPast))
        let plan = PlannerFixture.plan(configuration, observed, now: "2026-11-11T15:00:00Z")
        let ceiling = try #require(plan.diagnostics.first { $0.rule == .snapshotCeiling }, "\(plan.diagnostics)")
        let note = try #require(ceiling.note)
        #expect(note.contains("'dev_v1' (parent \(oldest)) keeps its parent") && note.contains("taken by hand"), "\(note)")
    }

    // MARK: A clone's host

    @Test func aClonesNewHostIsMappedAndTheOldOneUnmappedWithConsent() throws {
        let (configuration, observed) = Self.estate(extra: "    clones: [{name: dev, label: daily, host: h1}]", hosts: ["h2"])
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let map = try #require(plan.action("map-host:volume.dev_v1/h1"), "\(plan.ids)")
        #expect(map.operations == [.mapHost(volume: "dev_v1", host: "h1")])
        let unmap = try #require(plan.action("unmap-host:volume.dev_v1/h2"))
        #expect(unmap.operations == [.unmapHost(volume: "dev_v1", host: "h2")])
        #expect(unmap.reason.contains("no longer declared for host 'h2'"), "\(unmap.reason)")
        #expect(plan.consentNeeded.map(\.id) == [unmap.id])
        #expect(plan.actions(.deleteClone).isEmpty && plan.actions(.createClone).isEmpty)
    }

    @Test func aClonesRemovedHostIsUnmappedAndAnUnchangedOneLeftAlone() throws {
        let (removed, observed) = Self.estate(extra: "    clones: [{name: dev, label: daily}]", hosts: ["h2"])
        let plan = PlannerFixture.plan(removed, observed, now: Estate.now)
        #expect(plan.ids.filter { $0.contains("dev_v1") } == ["unmap-host:volume.dev_v1/h2"], "\(plan.ids)")
        let (same, _) = Self.estate(extra: "    clones: [{name: dev, label: daily, host: h2}]", hosts: ["h2"])
        #expect(!PlannerFixture.plan(same, observed, now: Estate.now).ids.contains { $0.contains("dev_v1") })
    }

    // MARK: A refresh that cannot be completed

    /// The refresh's delete waits for everything its create waits for: the transfer
    /// bringing the new parent, and through it the held resync of the broken mirror.
    @Test func aRefreshFromABrokenMirrorDeletesTheOldCloneOnlyAfterTheTransfer() throws {
        var (configuration, observed) = PlannerReplicationTests.estate(
            retention: "{count: 3}", replicate: PlannerReplicationTests.mirror, pool: "dr", type: .mirror, days: 1, held: [Self.b(20)],
            clones: "    clones: [{name: rep, label: daily, from: dr, host: h2, refresh: newest}]")
        observed.relationships[0].state = .broken
        observed.clones.append(ObservedClone(name: "rep_v1", volume: "v1_dr", pool: "dr", parentSnapshot: Self.b(20), host: "h2", created: .distantPast))
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let delete = try #require(plan.action("delete-clone:clone.rep_v1"), "\(plan.ids)")
        #expect(delete.dependsOn.contains("transfer:relationship.v1_dr"), "\(delete.dependsOn)")
        #expect(plan.orders("resync-relationship:relationship.v1_dr", before: delete.id))
        #expect(plan.orders(delete.id, before: "create-clone:clone.rep_v1"))
    }

    /// Carried out: the resync is held for consent, so the executor skips the transfer and
    /// with it the refresh, the delete included. The host keeps the clone it has.
    @Test func aHeldResyncSkipsTheWholeRefresh() async throws {
        var (configuration, observed) = PlannerReplicationTests.estate(
            retention: "{count: 3}", replicate: PlannerReplicationTests.mirror, pool: "dr", type: .mirror, days: 1, held: [Self.b(20)],
            clones: "    clones: [{name: rep, label: daily, from: dr, host: h2, refresh: newest}]")
        observed.relationships[0].state = .broken
        observed.clones.append(ObservedClone(name: "rep_v1", volume: "v1_dr", pool: "dr", parentSnapshot: Self.b(20), host: "h2", created: .distantPast))
        var plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.holdingConsentNeeded().map(\.id.description) == ["resync-relationship:relationship.v1_dr"])
        let backend = RecordingBackend()
        let report = await Executor(backend: backend, ledger: backend).run(plan, applyID: "x", now: PlannerFixture.date(Estate.now))
        let skipped = Set(report.results.filter { $0.status == .skipped }.map { "\($0.kind.rawValue):\($0.address)" })
        #expect(skipped.isSuperset(of: ["delete-clone:clone.rep_v1", "create-clone:clone.rep_v1", "transfer:relationship.v1_dr"]), "\(skipped)")
        #expect(report.results.contains { $0.kind == .snapshot && $0.status == .applied }, "routine work goes on")
    }

    /// When the plan already knows the new clone cannot be made (blocked by a problem it
    /// found), the old one is kept: its delete is held with it.
    @Test func aRefreshWhoseCreateIsBlockedKeepsTheOldClone() throws {
        let configuration = Estate.configuration(Estate.group(extra: "    clones: [{name: dev, label: daily, refresh: newest}]"))
        var builder = PlanBuilder(configuration: configuration, observed: PlannerFixture.provisioned(configuration), now: PlannerFixture.date(Estate.now))
        builder.add(PlanAction(kind: .deleteClone, address: .clone("dev_v1"), reason: "refresh", operation: .deleteClone(name: "dev_v1")))
        var create = PlanAction(
            kind: .createClone, address: .clone("dev_v1"), reason: "refresh", dependsOn: [ActionID(.deleteClone, .clone("dev_v1"))],
            operation: .createClone(name: "dev_v1", volume: "v1", snapshot: Self.new, host: nil))
        create.blockedBy = "pool 'gold' would be 400% overcommitted"
        builder.add(create)
        builder.holdRefreshesThatCannotComplete()
        let delete = try #require(builder.actions.first { $0.kind == .deleteClone })
        #expect(delete.blockedBy == "its replacement cannot be made: pool 'gold' would be 400% overcommitted")
    }
}
