import FlashPlanModel
import Foundation

/// Whether one backup is kept or pruned, and why.
public struct RetentionDecision: Sendable, Hashable, Codable {
    public enum Verdict: String, Sendable, Hashable, Codable { case keep, prune }

    public var group: String
    public var label: String
    /// The primary copy, or the destination pool the backup is held in.
    public var location: CopyLocation
    public var backup: String
    public var created: Date
    public var verdict: Verdict
    public var reason: String
    /// True when the backup is created by this plan.
    public var planned: Bool
    /// What kept a backup its rule would prune (immutable, clone parent, replication
    /// base); empty when the rule keeps it, or prunes it.
    public var protections: [Protection]

    public init(
        group: String, label: String, location: CopyLocation, backup: String, created: Date, verdict: Verdict, reason: String,
        planned: Bool = false, protections: [Protection] = []
    ) {
        self.group = group
        self.label = label
        self.location = location
        self.backup = backup
        self.created = created
        self.verdict = verdict
        self.reason = reason
        self.planned = planned
        self.protections = protections
    }
}
