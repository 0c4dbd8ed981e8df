import FlashPlanModel
import Foundation

/// One backup of a resource group: the snapshots of the same name on the group's volumes.
struct Backup: Sendable, Hashable {
    var name: String
    var label: String
    var created: Date
    /// Primary volumes holding a snapshot of this backup.
    var volumes: [String]
    /// Mirror destination volumes holding a copy (a backup is the group's wherever its
    /// copies live: one whose primary copy was lost outside flashplan is still retained).
    var copies: [String] = []
    var immutableUntil: Date?
    /// Created by this plan.
    var planned: Bool

    /// Counts one more volume holding it; the latest immutability of its snapshots wins.
    mutating func add(volume: String, immutableUntil until: Date?) {
        volumes.append(volume)
        if let until, until > (immutableUntil ?? .distantPast) { immutableUntil = until }
    }

    /// Counts a copy on a mirror destination.
    mutating func add(copy volume: String, immutableUntil until: Date?) {
        copies.append(volume)
        if let until, until > (immutableUntil ?? .distantPast) { immutableUntil = until }
    }

    var candidate: RetentionEvaluator.Candidate { RetentionEvaluator.Candidate(name: name, created: created) }
}
