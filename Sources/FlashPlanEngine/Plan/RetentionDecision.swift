import Foundation

/// Whether one backup is kept or pruned, and why.
public struct RetentionDecision: Sendable, Hashable, Codable {
    public enum Verdict: String, Sendable, Hashable, Codable { case keep, prune }

    public var group: String
    public var label: String
    /// `primary`, or the destination pool the backup is held in.
    public var location: String
    public var backup: String
    public var created: Date
    public var verdict: Verdict
    public var reason: String
    /// True when the backup is created by this plan.
    public var planned: Bool

    public init(
        group: String, label: String, location: String, backup: String, created: Date, verdict: Verdict, reason: String,
        planned: Bool = false
    ) {
        self.group = group
        self.label = label
        self.location = location
        self.backup = backup
        self.created = created
        self.verdict = verdict
        self.reason = reason
        self.planned = planned
    }
}
