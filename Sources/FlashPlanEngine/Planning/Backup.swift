import FlashPlanModel
import Foundation

/// One backup of a resource group: the snapshots of the same name on the group's volumes.
struct Backup: Sendable, Hashable {
    var name: String
    var label: String
    var created: Date
    /// Volumes holding a snapshot of this backup.
    var volumes: [String]
    var immutableUntil: Date?
    /// Created by this plan.
    var planned: Bool

    /// Counts one more volume holding it; the latest immutability of its snapshots wins.
    mutating func add(volume: String, immutableUntil until: Date?) {
        volumes.append(volume)
        if let until, until > (immutableUntil ?? .distantPast) { immutableUntil = until }
    }

    var candidate: RetentionEvaluator.Candidate { RetentionEvaluator.Candidate(name: name, created: created) }
}
