import FlashPlanConfig
import FlashPlanModel
import Foundation
import Testing

@testable import FlashPlanEngine
@testable import FlashPlanApp

/// Offline arrays, capacity projection, --target/--exclude and drift (DESIGN §5, §6).
@Suite struct PlannerOperationsTests {
    static func b(_ day: Int, _ time: String = "00:00:00") -> String { PlannerRetentionTests.b(day, time) }
    static let new = b(21, "10:00:00")

    // MARK: Offline arrays

    /// g on v1 (gold, a1) with a mirror in dr (a2); k on v3 (dr, a2); m on v4 (gold, mirrored to dr).
    static let offlineEstate = Estate.yaml(
        volumes: Estate.volumes + """

              v3: {pool: dr, size: 10GiB, hosts: [h2]}
              v4: {pool: gold, size: 10GiB, hosts: [h1], mirror_pool: dr}
            """,
        """
        policies: {d: {frequency: daily, retention: {count: 1}}}
        resource_groups:
          g: {hosts: [h1], volumes: [v1], policies: [{policy: d}], replicate: [{to: vault, type: mirror}]}
          k: {hosts: [h2], volumes: [v3], policies: [{policy: d}]}
          m: {hosts: [h1], volumes: [v4], policies: [{policy: d}]}
        """)

    static func offlinePlan(_ offline: String, extraVolume: String = "") -> Plan {
        let configuration = PlannerFixture.configuration(offlineEstate.replacingOccurrences(of: "\npolicies:", with: extraVolume + "\npolicies:"))
        var observed = PlannerFixture.provisioned(PlannerFixture.configuration(offlineEstate))
        let primary = PlannerRetentionTests.daily(1, from: 20)
        observed.snapshots += primary
        observed.volumes.append(Estate.destination("v1", in: "vault"))
        observed.relationships.append(Estate.relationship("v1", to: "vault", .mirror))
        observed.snapshots += Estate.held(primary, in: "vault")
        observed.arrays[observed.arrays.firstIndex { $0.name == offline }!].status = .offline
        return PlannerFixture.plan(configuration, observed, now: Estate.now)
    }

    @Test func offlineArrayBlocksOnlyItsOwnWork() throws {
        let plan = Self.offlinePlan("a2", extraVolume: "\n  v5: {pool: dr, size: 10GiB}\n  v6: {pool: gold, size: 10GiB}")
        let blocked = "array 'a2' is offline"
        #expect(plan.action("snapshot:backup.g/\(Self.new)")?.blockedBy == nil)
        #expect(plan.action("prune:backup.g/\(Self.b(20))") == nil, "the replication base is protected while its mirror is offline")
        #expect(plan.action("transfer:relationship.v1_vault")?.blockedBy == blocked)
        #expect(plan.action("snapshot:backup.k/k_h2_11-21-2026_10.00.00")?.blockedBy == blocked)
        // A mirrored volume stays online with one copy.
        #expect(plan.action("snapshot:backup.m/m_h1_11-21-2026_10.00.00")?.blockedBy == nil)
        #expect(plan.action("create-volume:volume.v5")?.blockedBy == blocked)
        #expect(plan.action("create-volume:volume.v6")?.blockedBy == nil)
        #expect(plan.drift.contains { $0.address == "array.a2" && $0.change == "array is offline" })
        // Exactly these are blocked.
        #expect(Set(plan.actions.filter { $0.blockedBy != nil }.map(\.id))
            == ["transfer:relationship.v1_vault", "snapshot:backup.k/k_h2_11-21-2026_10.00.00", "create-volume:volume.v5"])
    }

    @Test func offlinePrimaryArrayBlocksItsBackupsButNotTheOthers() {
        let plan = Self.offlinePlan("a1")
        let blocked = "array 'a1' is offline"
        #expect(plan.action("snapshot:backup.g/\(Self.new)")?.blockedBy == blocked)
        // The update cannot run either, so 11-20 stays as the mirror's replication base.
        #expect(plan.action("prune:backup.g/\(Self.b(20))") == nil)
        #expect(plan.action("transfer:relationship.v1_vault")?.blockedBy == blocked)
        #expect(plan.action("snapshot:backup.k/k_h2_11-21-2026_10.00.00")?.blockedBy == nil)
        #expect(plan.action("snapshot:backup.m/m_h1_11-21-2026_10.00.00")?.blockedBy == nil)
    }

    @Test func aNewMirrorOfAnUnreachableSourceIsBlocked() {
        let configuration = Estate.configuration(Estate.group(extra: "    replicate: [{to: dr, type: mirror}]"))
        var observed = PlannerFixture.provisioned(configuration)
        observed.snapshots += PlannerRetentionTests.daily(1, from: 20)
        observed.arrays[0].status = .offline
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let blocked = "array 'a1' is offline"
        #expect(plan.action("create-volume:volume.v1_dr")?.blockedBy == nil)
        #expect(plan.action("create-relationship:relationship.v1_dr")?.blockedBy == blocked)
        #expect(plan.action("initialize-relationship:relationship.v1_dr")?.blockedBy == blocked)
        #expect(plan.action("transfer:relationship.v1_dr")?.blockedBy == blocked)
    }

    @Test func blockedActionsShowInTheRenderings() {
        let plan = Self.offlinePlan("a2")
        #expect(PlanTextRenderer(style: .plain).render(plan).contains("blocked: array 'a2' is offline"))
        #expect(plan.json.contains("\"blocked_by\" : \"array 'a2' is offline\""))
    }

    // MARK: Capacity

    struct CapacityCase: Sendable, CustomTestStringConvertible {
        var name: String
        var extraVolumes = ""
        var used: ByteCount = .zero
        var virtual: ByteCount = .zero
        var rules: Set<Rule>
        var testDescription: String { name }
    }

    static let capacityCases: [CapacityCase] = [
        CapacityCase(name: "plenty of room", extraVolumes: "\n  v5: {pool: gold, size: 1TiB}", rules: []),
        CapacityCase(name: "above warning_threshold", used: .tb(8) + .gib(500), rules: [.poolWarning]),
        CapacityCase(name: "at warning_threshold", used: .tb(8), rules: []),
        CapacityCase(name: "thick volume fills the pool", extraVolumes: "\n  v5: {pool: gold, size: 3TB, thin: false}", used: .tb(8), rules: [.poolFull]),
        CapacityCase(name: "thick volume pushes past the threshold", extraVolumes: "\n  v5: {pool: gold, size: 1TB, thin: false}", used: .tb(7) + .gib(500), rules: [.poolWarning]),
        CapacityCase(name: "thin volume overcommits the pool", extraVolumes: "\n  v5: {pool: gold, size: 30TB}", virtual: .gib(200), rules: [.poolOvercommitted]),
        CapacityCase(name: "thin volume within max_overcommit", extraVolumes: "\n  v5: {pool: gold, size: 25TB}", virtual: .gib(200), rules: []),
        CapacityCase(name: "already overcommitted, nothing added", virtual: .tb(40), rules: []),
    ]

    @Test(arguments: capacityCases) func capacity(_ c: CapacityCase) throws {
        let configuration = Estate.configuration(volumes: Estate.volumes + c.extraVolumes)
        var observed = PlannerFixture.provisioned(Estate.configuration())
        let gold = observed.pools.firstIndex { $0.name == "gold" }!
        observed.pools[gold].usedCapacity = c.used
        observed.pools[gold].virtualCapacity = c.virtual
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.rules == c.rules, "\(plan.diagnostics)")
        for rule in c.rules {
            let diagnostic = try #require(plan.diagnostics(rule).first)
            #expect(diagnostic.severity == (rule == .poolWarning ? .warning : .error))
            #expect(diagnostic.message.contains("pool 'gold'"))
            #expect(diagnostic.location.file == "t.yaml" && diagnostic.location.line > 0)
        }
        let projection = try #require(plan.capacity.first { $0.pool == "gold" })
        #expect(projection.usedNow == c.used)
        #expect(projection.physicalCapacity == .tb(10))
        #expect(plan.capacity.map(\.pool) == ["dr", "gold", "vault"])
    }

    @Test func projectionCountsThickVolumesPhysicallyAndAllVolumesVirtually() throws {
        let configuration = Estate.configuration(
            volumes: Estate.volumes + "\n  v5: {pool: gold, size: 1TB, thin: false}\n  v6: {pool: gold, size: 2TB, mirror_pool: dr}")
        var observed = PlannerFixture.provisioned(Estate.configuration())
        observed.pools[observed.pools.firstIndex { $0.name == "gold" }!].virtualCapacity = .gib(200)
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let gold = try #require(plan.capacity.first { $0.pool == "gold" })
        #expect(gold.usedAfter == .tb(1))
        #expect(gold.virtualAfter == .gib(200) + .tb(3))
        let dr = try #require(plan.capacity.first { $0.pool == "dr" })
        #expect(dr.virtualAfter == .tb(2))
        #expect(dr.usedAfter == .zero)
    }

    // MARK: --target / --exclude

    static let twoGroups = """
        policies: {d: {frequency: daily, retention: {count: 3}}}
        resource_groups:
          g: {hosts: [h1], volumes: [v1], policies: [{policy: d}]}
          k: {hosts: [h2], volumes: [v2], policies: [{policy: d}]}
        """

    struct TargetCase: Sendable, CustomTestStringConvertible {
        var targets: [String] = []
        var excludes: [String] = []
        var actions: Set<String>
        var rules: Set<Rule>
        var testDescription: String { "targets \(targets) excludes \(excludes)" }
    }

    static let gSnapshot = "snapshot:backup.g/g_h1_11-21-2026_10.00.00"
    static let kSnapshot = "snapshot:backup.k/k_h2_11-21-2026_10.00.00"

    static let targetCases: [TargetCase] = [
        TargetCase(actions: ["create-volume:volume.v1", "map-host:volume.v1/h1", gSnapshot, kSnapshot], rules: []),
        // Only g's work and what it depends on: v1 is created, its mapping is not needed.
        TargetCase(targets: ["g"], actions: ["create-volume:volume.v1", gSnapshot], rules: [.targeting]),
        TargetCase(targets: ["k"], actions: [kSnapshot], rules: [.targeting]),
        TargetCase(targets: ["g", "k"], actions: ["create-volume:volume.v1", gSnapshot, kSnapshot], rules: [.targeting]),
        // Not g's work; infrastructure stays.
        TargetCase(excludes: ["g"], actions: ["create-volume:volume.v1", "map-host:volume.v1/h1", kSnapshot], rules: [.targeting]),
        TargetCase(targets: ["g"], excludes: ["g"], actions: ["create-volume:volume.v1"], rules: [.targeting]),
        TargetCase(targets: ["nope"], actions: [], rules: [.targeting, .unknownTarget]),
        TargetCase(excludes: ["nope"], actions: ["create-volume:volume.v1", "map-host:volume.v1/h1", gSnapshot, kSnapshot], rules: [.targeting, .unknownTarget]),
    ]

    @Test(arguments: targetCases) func targeting(_ c: TargetCase) throws {
        let configuration = Estate.configuration(Self.twoGroups)
        var observed = PlannerFixture.provisioned(configuration)
        observed.volumes.removeAll { $0.name == "v1" }
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now, options: PlanOptions(targets: c.targets, excludes: c.excludes))
        #expect(Set(plan.ids) == c.actions)
        #expect(plan.rules == c.rules, "\(plan.diagnostics)")
        #expect(plan.targets == c.targets && plan.excludes == c.excludes)
        // Retention is shown only for the groups in scope.
        let inScope = Set(["g", "k"].filter { !c.excludes.contains($0) && (c.targets.isEmpty || c.targets.contains($0)) })
        #expect(Set(plan.retention.map(\.group)) == inScope)
        // No dangling dependencies.
        for action in plan.actions { #expect(action.dependsOn.allSatisfy { plan.action($0) != nil }) }
        if !c.rules.isEmpty {
            let warning = try #require(plan.diagnostics(.targeting).first)
            #expect(warning.severity == .warning)
            #expect(warning.message.contains("this plan may be incomplete"))
        }
        if c.rules.contains(.unknownTarget) { #expect(plan.hasErrors) }
    }

    @Test func excludingAGroupDropsWhatDependsOnItsWork() {
        // Excluding a group drops its whole chain (destination volume, relationship, transfer,
        // clone); targeting it keeps all of it.
        let configuration = Estate.configuration(Estate.group(extra: "    replicate: [{to: dr, type: mirror}]\n    clones: [{name: dev, label: daily}]"))
        let plan = PlannerFixture.plan(configuration, PlannerFixture.provisioned(configuration), now: Estate.now, options: PlanOptions(excludes: ["g"]))
        #expect(plan.actions.isEmpty, "\(plan.ids)")
        let targeted = PlannerFixture.plan(configuration, PlannerFixture.provisioned(configuration), now: Estate.now, options: PlanOptions(targets: ["g"]))
        #expect(targeted.actions.count == PlannerFixture.plan(configuration, PlannerFixture.provisioned(configuration), now: Estate.now).actions.count)
        // A group is also named by its address, as everywhere else.
        let byAddress = PlannerFixture.plan(
            configuration, PlannerFixture.provisioned(configuration), now: Estate.now, options: PlanOptions(targets: ["group.g"], excludes: ["group.x"]))
        #expect(byAddress.ids == targeted.ids)
        #expect(byAddress.targets == ["g"])
    }

    // MARK: Drift

    struct DriftCase: Sendable, CustomTestStringConvertible {
        var name: String
        var observed: @Sendable (inout ObservedState) -> Void
        /// address → fragment of the change.
        var drift: [String: String]
        var testDescription: String { name }
    }

    static let driftCases: [DriftCase] = [
        DriftCase(name: "nothing changed", observed: { _ in }, drift: [:]),
        DriftCase(
            name: "volume resized outside flashplan",
            observed: { $0.volumes[0].size = .gib(200) },
            drift: ["volume.v1": "volume is \(ByteCount.gib(200)), larger than the declared \(ByteCount.gib(100))"]),
        DriftCase(
            name: "relationship broken",
            observed: { $0.relationships[0].state = .broken },
            drift: ["relationship.v1_dr": "relationship broken"]),
        DriftCase(
            name: "array offline",
            observed: { $0.arrays[1].status = .offline },
            drift: ["array.a2": "array is offline"]),
        DriftCase(
            name: "array degraded",
            observed: { $0.arrays[0].status = .degraded },
            drift: ["array.a1": "array is degraded"]),
        DriftCase(
            name: "backup partially deleted",
            observed: { $0.snapshots.removeAll { $0.volume == "v2" && $0.name == b(19) } },
            drift: ["backup.g/\(b(19))": "snapshot on v2 deleted outside flashplan (the backup is incomplete)"]),
        DriftCase(
            name: "volume added to the group after its backups",
            observed: {
                $0.snapshots.removeAll { $0.volume == "v2" }
                $0.volumes[1].created = PlannerFixture.date("2026-11-20T12:00:00Z")
            },
            drift: [:]),
        DriftCase(
            name: "snapshots taken by hand",
            observed: {
                $0.snapshots.append(PlannerFixture.snapshot("v1", "before-upgrade", label: "manual", group: nil, at: "2026-11-10T00:00:00Z"))
                $0.snapshots.append(PlannerFixture.snapshot("v2", "before-upgrade", label: "manual", group: nil, at: "2026-11-10T00:00:00Z"))
            },
            drift: ["snapshots": "2 snapshots taken outside flashplan"]),
        DriftCase(
            name: "mirror copies out of sync",
            observed: { $0.volumes[0].mirrorPool = "vault"; $0.volumes[0].copiesInSync = false },
            drift: ["volume.v1": "mirror copies out of sync"]),
    ]

    @Test(arguments: driftCases) func drift(_ c: DriftCase) {
        // v1 and v2 in group g, mirrored to dr; backups of 11-20 and 11-19 everywhere.
        let configuration = Estate.configuration(Estate.group(retention: "{count: 5}", volumes: ["v1", "v2"], extra: "    replicate: [{to: dr, type: mirror}]"))
        var observed = PlannerFixture.provisioned(configuration)
        let primary = PlannerRetentionTests.daily(2, volumes: ["v1", "v2"], from: 20)
        observed.snapshots += primary
        for volume in ["v1", "v2"] {
            observed.volumes.append(Estate.destination(volume, in: "dr"))
            observed.relationships.append(Estate.relationship(volume, to: "dr", .mirror))
        }
        observed.snapshots += Estate.held(primary, in: "dr")
        c.observed(&observed)
        let plan = PlannerFixture.plan(configuration, observed, now: "2026-11-20T12:00:00Z")
        #expect(Set(plan.drift.map { $0.address?.description ?? "snapshots" }) == Set(c.drift.keys), "\(plan.drift)")
        for (address, change) in c.drift {
            let item = plan.drift.first { ($0.address?.description ?? "snapshots") == address }
            #expect(item?.change.contains(change) == true, "\(item?.change ?? "-")")
            #expect(item?.response.isEmpty == false)
        }
        // Drift is listed apart and in a stable order.
        #expect(plan.drift == plan.drift.sorted { ($0.address?.description ?? "~", $0.change) < ($1.address?.description ?? "~", $1.change) })
    }

    @Test func driftIsRenderedApart() {
        let configuration = Estate.configuration(Estate.group())
        var observed = PlannerFixture.provisioned(configuration)
        observed.volumes[0].size = .gib(300)
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        let text = PlanTextRenderer(style: .plain).render(plan)
        #expect(text.contains("Changed outside flashplan:\n  ! volume.v1: volume is 300GiB, larger than the declared 100GiB"))
        #expect(PlanMarkdownRenderer.render(plan).contains("#### Changed outside flashplan"))
        #expect(plan.action("resize-volume:volume.v1") == nil)
    }
}
