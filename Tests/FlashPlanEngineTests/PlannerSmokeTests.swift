import FlashPlanConfig
import FlashPlanModel
import Foundation
import Testing

@testable import FlashPlanEngine
@testable import FlashPlanApp

@Suite struct PlannerSmokeTests {
    @Test func shippedPoliciesOnAnEmptyStatePlanEverything() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let loaded = try ConfigurationLoader.load(directory: root.appendingPathComponent("policies").path)
        #expect(!loaded.hasErrors)
        let plan = Planner(
            configuration: loaded.configuration, observed: ObservedState(lineage: "l", serial: 0),
            now: PlannerFixture.date("2026-11-21T10:00:00Z")
        ).plan()
        #expect(!PlanTextRenderer().render(plan).isEmpty)
        #expect(plan.summary.create > 0)
        #expect(plan.summary.snapshots > 0)
        #expect(!plan.hasErrors, "\(plan.diagnostics)")
    }
}
