import FlashPlanModel
import Foundation
import Testing

@testable import FlashPlanEngine
@testable import FlashPlanApp

/// A label taken off a vault's retention: reported, kept, and pruned only with
/// `prune_orphaned_labels` (never while protected).
@Suite struct PlannerVaultOrphanTests {
    static let now = "2026-11-21T10:30:00Z"

    static func setUp(pruneOrphans: Bool, immutable: Bool = false) -> (Configuration, ObservedState) {
        let yaml = PlannerFixture.baseYAML.replacingOccurrences(
            of: "settings: {timezone: UTC}", with: "settings: {timezone: UTC, prune_orphaned_labels: \(pruneOrphans)}") + """

            policies:
              daily: {frequency: daily, retention: {count: 5}}
            resource_groups:
              g:
                hosts: [h1]
                volumes: [v1]
                policies: [{policy: daily}]
                replicate: [{to: vault, type: vault, retention: {daily: {count: 5}}}]
            """
        let configuration = PlannerFixture.configuration(yaml)
        var observed = PlannerFixture.provisioned(configuration)
        observed.volumes.append(ObservedVolume(name: "v1_vault", pool: "vault", size: .gib(100), role: .destination, created: PlannerFixture.date("2026-01-01T00:00:00Z")))
        observed.relationships.append(ObservedRelationship(source: "v1", destination: "v1_vault", type: .vault, state: .idle, group: "g"))
        for snapshot in [
            PlannerFixture.snapshot("v1", "g_h1_11-21-2026_00.00.00", label: "daily", group: "g", at: "2026-11-21T00:00:00Z"),
            PlannerFixture.snapshot("v1_vault", "g_h1_11-21-2026_00.00.00", label: "daily", group: "g", at: "2026-11-21T00:00:00Z"),
            PlannerFixture.snapshot("v1_vault", "g_h1_10-01-2026_00.00.00_weekly", label: "weekly", group: "g", at: "2026-10-01T00:00:00Z"),
        ] {
            var snapshot = snapshot
            if immutable, snapshot.label == "weekly" { snapshot.immutableUntil = PlannerFixture.date("2027-01-01T00:00:00Z") }
            observed.snapshots.append(snapshot)
        }
        observed.snapshots.sort { ($0.volume, $0.created, $0.name) < ($1.volume, $1.created, $1.name) }
        return (configuration, observed)
    }

    @Test func anOrphanedVaultLabelIsReportedAndKept() {
        let (configuration, observed) = Self.setUp(pruneOrphans: false)
        let plan = PlannerFixture.plan(configuration, observed, now: Self.now)
        #expect(plan.diagnostics.contains { $0.rule == .orphanedLabel && $0.message.contains("vault 'vault'") && $0.message.contains("'weekly'") })
        #expect(!plan.actions.contains { $0.kind == .prune })
        let decision = plan.retention.first { $0.location == "vault" && $0.label == "weekly" }
        #expect(decision?.verdict == .keep)
    }

    @Test func itIsPrunedWithPruneOrphanedLabels() {
        let (configuration, observed) = Self.setUp(pruneOrphans: true)
        let plan = PlannerFixture.plan(configuration, observed, now: Self.now)
        let prune = plan.actions.first { $0.kind == .prune }
        #expect(prune?.address == "snapshot.v1_vault/g_h1_10-01-2026_00.00.00_weekly")
        #expect(prune?.reason.contains("orphaned label") == true)
    }

    @Test func butNeverWhileProtected() {
        let (configuration, observed) = Self.setUp(pruneOrphans: true, immutable: true)
        let plan = PlannerFixture.plan(configuration, observed, now: Self.now)
        #expect(!plan.actions.contains { $0.kind == .prune })
        #expect(plan.retention.first { $0.location == "vault" && $0.label == "weekly" }?.reason.contains("protected") == true)
    }
}
