@testable import FlashPlanApp
import FlashPlanEngine
import FlashPlanModel
import Foundation
import Testing

/// The text plan's retention summary counts each backup once per group, label and location,
/// however the decisions are ordered: the renderer keys runs of decisions, so a key that
/// comes back after another (a mirror and a vault into the same pool) must add up.
@Suite struct RetentionSummaryTests {
    static let created = Date(timeIntervalSince1970: 1_790_000_000)

    static func decision(
        _ group: String, _ label: String, _ location: CopyLocation, _ backup: String, _ verdict: RetentionDecision.Verdict,
        protected: Bool = false
    ) -> RetentionDecision {
        RetentionDecision(
            group: group, label: label, location: location, backup: backup, created: created, verdict: verdict,
            reason: "test", protections: protected ? [.replicationBase(destination: "dst")] : [])
    }

    @Test func decisionsOfOneKeyAddUpAcrossRunsAndCountEachBackupOnce() {
        let pool = CopyLocation.destination(pool: "dr_pool")
        var plan = Plan(
            now: Self.created, state: StateReference(lineage: "", serial: 0), configDigest: "", actions: [], retention: [],
            drift: [], unmanaged: [], diagnostics: [], capacity: [], targets: [], excludes: [])
        plan.retention = [
            Self.decision("erp", "hourly", .primary, "b1", .keep),
            Self.decision("erp", "hourly", .primary, "b2", .prune),
            Self.decision("erp", "hourly", pool, "b1", .keep, protected: true),
            Self.decision("erp", "daily", .primary, "d1", .keep),
            // The same keys again, after others: they add to the counts above.
            Self.decision("erp", "hourly", pool, "b0", .prune),
            Self.decision("erp", "hourly", pool, "b1", .keep, protected: true),
            Self.decision("erp", "hourly", .primary, "b3", .keep),
            Self.decision("crm", "hourly", .primary, "c1", .prune),
        ]
        #expect(PlanTextRenderer().retentionSummary(plan) == [
            "  crm 'hourly' on primary: keep 0, prune 1",
            "  erp 'daily' on primary: keep 1, prune 0",
            "  erp 'hourly' on dr_pool: keep 1 (1 protected), prune 1",
            "  erp 'hourly' on primary: keep 2, prune 1",
        ])
    }
}
