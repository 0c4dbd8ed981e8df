import FlashPlanConfig
import FlashPlanModel
import Foundation
import Testing

@testable import FlashPlanEngine
@testable import FlashPlanApp

/// Infrastructure rules (DESIGN §2, §5, §6): what the plan creates, changes and refuses.
@Suite struct PlannerInfrastructureTests {
    @Test func emptyStateInstallsAndCreatesEverythingInDependencyOrder() {
        let configuration = Estate.configuration()
        let plan = PlannerFixture.plan(configuration, ObservedState(lineage: PlannerFixture.lineage, serial: 0), now: Estate.now)
        let expected = [
            "install-array:array.a1", "install-array:array.a2", "install-cluster:cluster.c1",
            "create-pool:pool.dr", "create-pool:pool.gold", "create-pool:pool.vault",
            "create-host:host.h1", "create-host:host.h2",
            "create-volume:volume.v1", "create-volume:volume.v2",
            "map-host:volume.v1/h1", "map-host:volume.v2/h1", "map-host:volume.v2/h2",
        ]
        #expect(Set(plan.ids) == Set(expected))
        #expect(plan.ids.count == expected.count)
        #expect(plan.summary.create == expected.count)
        #expect(plan.summary.total == expected.count)
        #expect(!plan.hasErrors, "\(plan.diagnostics)")
        // Every dependency of an action is in the plan.
        for action in plan.actions { #expect(action.dependsOn.allSatisfy { plan.action($0) != nil }, "\(action.id)") }
        #expect(plan.orders("install-array:array.a1", before: "create-pool:pool.gold"))
        #expect(plan.orders("install-cluster:cluster.c1", before: "create-pool:pool.gold"))
        #expect(!plan.orders("install-array:array.a1", before: "create-pool:pool.dr"))
        #expect(plan.orders("install-array:array.a2", before: "create-pool:pool.dr"))
        #expect(plan.orders("create-pool:pool.gold", before: "create-volume:volume.v1"))
        #expect(plan.orders("create-volume:volume.v2", before: "map-host:volume.v2/h2"))
        #expect(plan.orders("create-host:host.h2", before: "map-host:volume.v2/h2"))
        let pool = plan.action("create-pool:pool.gold")!
        #expect(pool.arrays == ["a1"])
        #expect(pool.after?["cluster"] == "c1")
        let volume = plan.action("create-volume:volume.v1")!
        guard case .createVolume(let spec) = volume.operations.first else {
            Issue.record("create-volume without a createVolume operation")
            return
        }
        #expect(spec.pool == "gold" && spec.size == .gib(100) && spec.role == .primary)
        #expect(plan.action("install-array:array.a2")?.operations.count == 1)
    }

    @Test func provisionedStateWithoutGroupsHasNothingToDo() {
        let configuration = Estate.configuration()
        let plan = PlannerFixture.plan(configuration, PlannerFixture.provisioned(configuration), now: Estate.now)
        #expect(plan.actions.isEmpty, "\(plan.ids)")
        #expect(plan.diagnostics.isEmpty, "\(plan.diagnostics)")
        #expect(plan.drift.isEmpty)
        #expect(PlanTextRenderer.summaryLine(plan) == "No changes. The storage matches the configuration.")
    }

    /// One configuration change against the observed state of the baseline estate.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// The `volumes` section the configuration declares.
        var volumes: String
        /// What the storage holds besides the baseline estate.
        var observed: @Sendable (inout ObservedState) -> Void = { _ in }
        var actions: [String] = []
        var rules: [Rule] = []
        /// Ids that must not be in the plan.
        var absent: [String] = []
        var destructive: [String] = []
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "grow a volume",
            volumes: "volumes: {v1: {pool: gold, size: 200GiB, hosts: [h1]}, v2: {pool: gold, size: 100GiB, hosts: [h1, h2]}}",
            actions: ["resize-volume:volume.v1"]),
        Case(
            name: "shrink refused",
            volumes: "volumes: {v1: {pool: gold, size: 50GiB, hosts: [h1]}, v2: {pool: gold, size: 100GiB, hosts: [h1, h2]}}",
            rules: [.volumeShrink], absent: ["resize-volume:volume.v1"]),
        Case(
            name: "migrate to another pool",
            volumes: "volumes: {v1: {pool: dr, size: 100GiB, hosts: [h1]}, v2: {pool: gold, size: 100GiB, hosts: [h1, h2]}}",
            actions: ["migrate-volume:volume.v1"]),
        Case(
            name: "add a mirror copy",
            volumes: "volumes: {v1: {pool: gold, size: 100GiB, hosts: [h1], mirror_pool: dr}, v2: {pool: gold, size: 100GiB, hosts: [h1, h2]}}",
            actions: ["add-mirror-copy:volume.v1"], absent: ["remove-mirror-copy:volume.v1"]),
        Case(
            name: "remove a mirror copy",
            volumes: Estate.volumes,
            observed: { $0.volumes[0].mirrorPool = "dr" },
            actions: ["remove-mirror-copy:volume.v1"], absent: ["add-mirror-copy:volume.v1"]),
        Case(
            name: "move a mirror copy",
            volumes: "volumes: {v1: {pool: gold, size: 100GiB, hosts: [h1], mirror_pool: vault}, v2: {pool: gold, size: 100GiB, hosts: [h1, h2]}}",
            observed: { $0.volumes[0].mirrorPool = "dr" },
            actions: ["remove-mirror-copy:volume.v1", "add-mirror-copy:volume.v1"]),
        Case(
            name: "map to another host",
            volumes: "volumes: {v1: {pool: gold, size: 100GiB, hosts: [h1, h2]}, v2: {pool: gold, size: 100GiB, hosts: [h1, h2]}}",
            actions: ["map-host:volume.v1/h2"]),
        Case(
            name: "unmap a host",
            volumes: "volumes: {v1: {pool: gold, size: 100GiB, hosts: [h1]}, v2: {pool: gold, size: 100GiB, hosts: [h1]}}",
            actions: ["unmap-host:volume.v2/h2"], absent: ["map-host:volume.v2/h1"]),
        Case(
            name: "state absent refused under prevent_destroy",
            volumes: Estate.volumes + "\n  v3: {pool: gold, size: 10GiB, state: absent}",
            observed: { $0.volumes.append(ObservedVolume(name: "v3", pool: "gold", size: .gib(10), created: .distantPast)) },
            rules: [.destroyPrevented], absent: ["destroy-volume:volume.v3"]),
        Case(
            name: "state absent destroyed without prevent_destroy",
            volumes: Estate.volumes + "\n  v3: {pool: gold, size: 10GiB, state: absent, prevent_destroy: false}",
            observed: { $0.volumes.append(ObservedVolume(name: "v3", pool: "gold", size: .gib(10), created: .distantPast)) },
            actions: ["destroy-volume:volume.v3"], destructive: ["destroy-volume:volume.v3"]),
        Case(
            name: "state absent blocked by a clone",
            volumes: Estate.volumes + "\n  v3: {pool: gold, size: 10GiB, state: absent, prevent_destroy: false}",
            observed: {
                $0.volumes.append(ObservedVolume(name: "v3", pool: "gold", size: .gib(10), created: .distantPast))
                $0.clones.append(ObservedClone(name: "c_v3", volume: "v3", pool: "gold", parentSnapshot: "s", created: .distantPast))
            },
            rules: [.destroyBlocked], absent: ["destroy-volume:volume.v3"]),
        Case(
            name: "state absent and already gone",
            volumes: Estate.volumes + "\n  v3: {pool: gold, size: 10GiB, state: absent, prevent_destroy: false}",
            absent: ["destroy-volume:volume.v3", "create-volume:volume.v3"]),
        Case(
            name: "undeclared volume reported, never deleted",
            volumes: Estate.volumes,
            observed: { $0.volumes.append(ObservedVolume(name: "v9", pool: "gold", size: .gib(10), created: .distantPast)) },
            rules: [.undeclaredVolume], absent: ["destroy-volume:volume.v9"]),
        Case(
            name: "protocol cannot change in place",
            volumes: "volumes: {v1: {pool: gold, size: 100GiB, hosts: [h1], protocol: iscsi}, v2: {pool: gold, size: 100GiB, hosts: [h1, h2]}}",
            rules: [.volumePropertyFixed]),
        Case(
            name: "new volume",
            volumes: Estate.volumes + "\n  v4: {pool: dr, size: 10GiB, hosts: [h2]}",
            actions: ["create-volume:volume.v4", "map-host:volume.v4/h2"]),
    ]

    @Test(arguments: cases) func rule(_ c: Case) {
        var observed = PlannerFixture.provisioned(Estate.configuration())
        c.observed(&observed)
        let plan = PlannerFixture.plan(Estate.configuration(volumes: c.volumes), observed, now: Estate.now)
        #expect(Set(plan.ids) == Set(c.actions), "\(plan.ids)")
        #expect(plan.rules == Set(c.rules), "\(plan.diagnostics)")
        for id in c.absent { #expect(plan.action(id) == nil, "\(id)") }
        for action in plan.actions { #expect(action.destructive == c.destructive.contains(action.id.description), "\(action.id)") }
        // No action ever touches an undeclared volume.
        #expect(!plan.actions.contains { $0.address.description.contains("v9") })
    }

    @Test func resizeShowsBeforeAndAfter() {
        let configuration = Estate.configuration(
            volumes: "volumes: {v1: {pool: gold, size: 1TiB, hosts: [h1]}, v2: {pool: gold, size: 100GiB, hosts: [h1, h2]}}")
        let plan = PlannerFixture.plan(configuration, PlannerFixture.provisioned(Estate.configuration()), now: Estate.now)
        let resize = plan.action("resize-volume:volume.v1")
        #expect(resize?.before?["size"] == "\(ByteCount.gib(100))")
        #expect(resize?.after?["size"] == "\(ByteCount.tib(1))")
        #expect(resize?.operations == [.resizeVolume(name: "v1", size: .tib(1))])
        #expect(resize?.kind.category == .change)
    }

    @Test func shrinkDiagnosticPointsAtTheSize() throws {
        let yaml = Estate.yaml(volumes: "volumes:\n  v1: {pool: gold, size: 50GiB, hosts: [h1]}\n  v2: {pool: gold, size: 100GiB, hosts: [h1, h2]}")
        let configuration = PlannerFixture.configuration(yaml)
        let plan = PlannerFixture.plan(configuration, PlannerFixture.provisioned(Estate.configuration()), now: Estate.now)
        let shrink = try #require(plan.diagnostics(.volumeShrink).first)
        // One volume grown by hand never stops the plan: a warning, the rest goes on.
        #expect(shrink.severity == .warning)
        #expect(shrink.location.file == "t.yaml")
        let line = yaml.split(separator: "\n", omittingEmptySubsequences: false)[shrink.location.line - 1]
        #expect(line.contains("50GiB"))
        #expect(!plan.hasErrors)
    }

    @Test func movedMirrorCopyIsRemovedBeforeTheNewOneIsAdded() {
        var observed = PlannerFixture.provisioned(Estate.configuration())
        observed.volumes[0].mirrorPool = "dr"
        let configuration = Estate.configuration(
            volumes: "volumes: {v1: {pool: gold, size: 100GiB, hosts: [h1], mirror_pool: vault}, v2: {pool: gold, size: 100GiB, hosts: [h1, h2]}}")
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now)
        #expect(plan.orders("remove-mirror-copy:volume.v1", before: "add-mirror-copy:volume.v1"))
        #expect(plan.action("add-mirror-copy:volume.v1")?.operations == [.addMirrorCopy(volume: "v1", pool: "vault")])
    }

    @Test func newVolumeInANewPoolWaitsForThePool() {
        let yaml = Estate.yaml(volumes: Estate.volumes + "\n  v4: {pool: silver, size: 10GiB, hosts: [h3]}")
            .replacingOccurrences(of: "hosts: {h1: {}, h2: {}}", with: "hosts: {h1: {}, h2: {}, h3: {}}")
            .replacingOccurrences(
                of: "  vault: {cluster: c1, capacity_from: [{array: a2, capacity: 5TB}]}",
                with: "  vault: {cluster: c1, capacity_from: [{array: a2, capacity: 4TB}]}\n  silver: {cluster: c1, capacity_from: [{array: a2, capacity: 1TB}]}")
        let plan = PlannerFixture.plan(PlannerFixture.configuration(yaml), PlannerFixture.provisioned(Estate.configuration()), now: Estate.now)
        #expect(plan.orders("create-pool:pool.silver", before: "create-volume:volume.v4"))
        #expect(plan.orders("create-host:host.h3", before: "map-host:volume.v4/h3"))
        #expect(plan.orders("create-volume:volume.v4", before: "map-host:volume.v4/h3"))
        // The observed vault pool has 5TB, the configuration 4TB: removing capacity is refused.
        #expect(plan.rules.contains(.poolShrink))
    }

    @Test func poolCapacityAndSettingsChanges() {
        let yaml = Estate.yaml()
            .replacingOccurrences(
                of: "  gold: {cluster: c1, capacity_from: [{array: a1, capacity: 10TB}]}",
                with: "  gold: {cluster: c1, capacity_from: [{array: a1, capacity: 12TB}], warning_threshold: 70%}")
        let plan = PlannerFixture.plan(PlannerFixture.configuration(yaml), PlannerFixture.provisioned(Estate.configuration()), now: Estate.now)
        #expect(Set(plan.ids) == ["add-pool-capacity:pool.gold/a1", "modify-pool:pool.gold"])
        #expect(plan.action("add-pool-capacity:pool.gold/a1")?.operations == [.addPoolCapacity(pool: "gold", array: "a1", capacity: .tb(2))])
    }
}
