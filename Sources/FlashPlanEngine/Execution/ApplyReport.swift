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

    /// 0 everything done; 1 nothing applied though there was work; 3 partly applied.
    public var exitCode: Int32 {
        let applied = count(.applied)
        if applied == results.count { return 0 }
        return applied == 0 ? 1 : 3
    }

    public var outcome: String {
        switch exitCode {
        case 0: "success"
        case 1: "failed"
        default: interrupted ? "interrupted" : "partial"
        }
    }
}
