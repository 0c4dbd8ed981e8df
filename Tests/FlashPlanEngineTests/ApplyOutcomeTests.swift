import FlashPlanApp
import FlashPlanEngine
import FlashPlanModel
import Foundation
import Testing

/// The exit code and the metrics outcome of `apply` come from one value.
@Suite struct ApplyOutcomeTests {
    static func report(_ statuses: [ActionResult.Status], interrupted: Bool = false) -> ApplyReport {
        let results = statuses.enumerated().map { index, status in
            ActionResult(
                id: ActionID(.createVolume, .volume("v\(index)")), kind: .createVolume, address: .volume("v\(index)"),
                status: status, message: nil)
        }
        return ApplyReport(applyID: "a", results: results, interrupted: interrupted, started: Date(timeIntervalSince1970: 0), seconds: 0)
    }

    @Test(arguments: [
        (ApplyOutcome.noChanges, Int32(0), "no-changes"),
        (.refused(.lock, message: "held"), 1, "refused"),
        (.refused(.configuration, message: "bad"), 1, "refused"),
        (.cancelled(signal: nil), 1, "cancelled"),
        (.cancelled(signal: 2), 130, "cancelled"),
        (.ran(report([.applied, .applied]), signal: nil, unrecorded: nil), 0, "success"),
        (.ran(report([.applied, .failed]), signal: nil, unrecorded: nil), 3, "partial"),
        (.ran(report([.failed, .skipped]), signal: nil, unrecorded: nil), 1, "failed"),
        (.ran(report([.applied, .notStarted], interrupted: true), signal: 15, unrecorded: nil), 143, "interrupted"),
        // Everything applied but the end of the apply could not be recorded: partly.
        (.ran(report([.applied]), signal: nil, unrecorded: "disk full"), 3, "partial"),
    ])
    func exitCodeAndMetricsDeriveFromTheOutcome(outcome: ApplyOutcome, exitCode: Int32, metrics: String) {
        #expect(outcome.exitCode == exitCode)
        #expect(outcome.metricsOutcome == metrics)
        #expect(ApplyOutcome.metricsOutcomes.contains(outcome.metricsOutcome))
    }
}
