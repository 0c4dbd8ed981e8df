import FlashPlanModel
import FlashPlanSchedule
import Foundation

/// Per resource group and label: the newest backup, its age, and whether the
/// recovery point objective is met (no elapse of the schedule was missed).
public struct ProtectionStatus: Sendable, Hashable, Codable {
    public var group: String
    public var label: String
    public var newestBackup: String?
    public var newestCreated: Date?
    public var ageSeconds: Double?
    /// The last elapse of the schedule at or before now.
    public var lastElapse: Date?
    public var rpoMet: Bool

    enum CodingKeys: String, CodingKey {
        case group, label, newestBackup = "newest_backup", newestCreated = "newest_created", ageSeconds = "age_seconds",
            lastElapse = "last_elapse", rpoMet = "rpo_met"
    }

    /// Status of every (group, label) the configuration declares.
    public static func evaluate(configuration: Configuration, observed: ObservedState, now: Date) -> [ProtectionStatus] {
        var newest: [String: ObservedSnapshot] = [:]
        for snapshot in observed.snapshots {
            guard let group = snapshot.group else { continue }
            let key = group + "\u{0}" + snapshot.label
            if snapshot.created > (newest[key]?.created ?? .distantPast) { newest[key] = snapshot }
        }
        var result: [ProtectionStatus] = []
        for group in configuration.resourceGroups.values.sorted(by: { $0.name < $1.name }) {
            var seen: Set<String> = []
            for entry in group.policies {
                guard let policy = configuration.policies[entry.policy], seen.insert(policy.label).inserted else { continue }
                let entries = group.policies.filter { configuration.policies[$0.policy]?.label == policy.label }
                let elapse = entries.compactMap { $0.parsedSchedule?.latestElapse(atOrBefore: now) }.max()
                let snapshot = newest[group.name + "\u{0}" + policy.label]
                let met: Bool
                if policy.frequency == .none {
                    met = true
                } else if let snapshot {
                    met = elapse.map { snapshot.created >= $0 } ?? true
                } else {
                    met = false
                }
                result.append(ProtectionStatus(
                    group: group.name, label: policy.label, newestBackup: snapshot?.name, newestCreated: snapshot?.created,
                    ageSeconds: snapshot.map { now.timeIntervalSince($0.created) }, lastElapse: elapse, rpoMet: met))
            }
        }
        return result
    }
}
