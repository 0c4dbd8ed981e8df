import Foundation

/// What an apply did, action by action.
public struct ApplyReport: Sendable, Hashable, Codable {
    public var applyID: String
    public var results: [ActionResult]
    public var interrupted: Bool
    public var started: Date
    /// Wall-clock seconds the actions took.
    public var seconds: Double

    public init(applyID: String, results: [ActionResult], interrupted: Bool, started: Date, seconds: Double) {
        self.applyID = applyID
        self.results = results
        self.interrupted = interrupted
        self.started = started
        self.seconds = seconds
    }

    public func count(_ status: ActionResult.Status) -> Int { results.filter { $0.status == status }.count }

    /// 0 everything done; 1 nothing applied because everything that ran failed (and
    /// what depended on it was skipped); 3 partly applied — some actions failed, or were
    /// blocked or held by the plan. A run whose only work was held for consent or blocked
    /// (an offline array, the snapshot ceiling) is partly applied, not a failure: the
    /// plan chose to leave that work, and said why.
    public var exitCode: Int32 {
        let applied = count(.applied)
        if applied == results.count { return 0 }
        if applied == 0, !results.contains(where: \.wasBlocked) { return 1 }
        return 3
    }

    public var outcome: String {
        switch exitCode {
        case 0: "success"
        case 1: "failed"
        default: interrupted ? "interrupted" : "partial"
        }
    }
}
