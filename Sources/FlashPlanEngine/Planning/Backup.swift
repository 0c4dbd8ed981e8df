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

/// An update that gives a destination a backup newer than its replication base, after
/// which the base may be pruned from the primary (DESIGN §4).
struct BaseRelease: Sendable, Hashable {
    var transfer: ActionID
    var destination: String
    /// The backups newer than the base that the update sends: it releases the base only
    /// while it still sends one of them.
    var newer: Set<String>
}

extension StorageOperation {
    /// The backups an update sends (none for any other operation).
    var transferredBackups: [String] {
        if case .updateRelationship(_, let transfer, _) = self { return transfer }
        return []
    }
}

extension PlanAction {
    /// After an update's lists changed: what `after` shows follows them, and an update left
    /// with nothing to send or drop is held with `emptied` as the reason.
    mutating func refreshUpdateSummary(emptied: String? = nil) {
        for case .updateRelationship(_, let transfer, let drop) in operations {
            after?["transfer"] = transfer.isEmpty ? nil : transfer.joined(separator: ", ")
            after?["drop"] = drop.isEmpty ? nil : drop.joined(separator: ", ")
            if transfer.isEmpty && drop.isEmpty && blockedBy == nil {
                blockedBy = emptied ?? "nothing left to send or drop"
            }
        }
    }
}
