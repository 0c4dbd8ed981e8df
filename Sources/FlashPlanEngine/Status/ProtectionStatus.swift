import FlashPlanModel
import FlashPlanSchedule
import Foundation

/// Per resource group and label: the newest backup, its age, and whether the
/// recovery point objective is met (no elapse of the schedule was missed).
///
/// This is the one RPO judgement of flashplan: the metrics, `flashplan status` and
/// `flashplan check` all use it.
public struct ProtectionStatus: Sendable, Hashable, Codable {
    public var group: String
    public var label: String
    /// The policies of the group with this label, and their frequency (`none` when every
    /// one of them is on-demand only).
    public var policies: [String]
    public var frequency: Policy.Frequency
    /// The schedules (as written, or the frequency's default) of those policy entries.
    public var schedules: [String]
    public var newestBackup: String?
    public var newestCreated: Date?
    public var ageSeconds: Double?
    /// The last elapse of the schedule at or before `now − grace`: the newest backup
    /// must be at least this recent.
    public var lastElapse: Date?
    /// The next elapse after now: when the next backup is due.
    public var nextElapse: Date?
    public var rpoMet: Bool
    /// When the RPO was first missed: the first elapse after the newest backup (nil when
    /// met, or when the label never had a backup).
    public var lateSince: Date?
    /// `now − lateSince`: how late the label is (nil when met, or never backed up).
    public var lateSeconds: Double?
    /// `lateSeconds` in schedule intervals: divided by the time from `lateSince` to the
    /// elapse after it (an hourly label 30 minutes late is 0.5 late; a daily one, 0.02).
    public var lateIntervals: Double?

    enum CodingKeys: String, CodingKey {
        case group, label, policies, frequency, schedules, newestBackup = "newest_backup", newestCreated = "newest_created",
            ageSeconds = "age_seconds", lastElapse = "last_elapse", nextElapse = "next_elapse", rpoMet = "rpo_met",
            lateSince = "late_since", lateSeconds = "late_seconds", lateIntervals = "late_intervals"
    }

    /// Status of every (group, label) the configuration declares.
    ///
    /// A label is late when its newest backup is older than the last elapse of its
    /// schedule at or before `now − grace`: from an elapse until `grace` after it, the
    /// backup may still be on its way (the timer runs a little after the hour, an apply
    /// takes time), so it is late exactly `grace` after the elapse it missed. A label
    /// whose policies are all `frequency: none` (on demand) is never late.
    public static func evaluate(
        configuration: Configuration, observed: ObservedState, now: Date, grace: TimeInterval = 0
    ) -> [ProtectionStatus] {
        // Keyed by a pair and holding positions, not by a joined string holding copies: this
        // runs over every snapshot, at every step of `flashplan simulate`.
        struct GroupLabel: Hashable {
            var group: String
            var label: String
        }
        var newestIndex: [GroupLabel: Int] = [:]
        let snapshots = observed.snapshots
        for index in snapshots.indices {
            guard let group = snapshots[index].group else { continue }
            let key = GroupLabel(group: group, label: snapshots[index].label)
            if let current = newestIndex[key], snapshots[current].created >= snapshots[index].created { continue }
            newestIndex[key] = index
        }
        let judgedAt = now.addingTimeInterval(-max(0, grace))
        var result: [ProtectionStatus] = []
        for group in configuration.resourceGroups.values.sorted(by: { $0.name < $1.name }) {
            var seen: Set<String> = []
            for entry in group.policies {
                guard let policy = configuration.policies[entry.policy], seen.insert(policy.label).inserted else { continue }
                let entries = group.policies.filter { configuration.policies[$0.policy]?.label == policy.label }
                let policies = entries.map(\.policy)
                let scheduled = entries.filter { configuration.policies[$0.policy]?.frequency != Policy.Frequency.none }
                let frequency = scheduled.compactMap { configuration.policies[$0.policy]?.frequency }.first ?? .none
                let schedules = scheduled.compactMap(\.parsedSchedule)
                let elapse = schedules.compactMap { $0.latestElapse(atOrBefore: judgedAt) }.max()
                let next = schedules.compactMap { $0.event.nextElapse(after: now, defaultTimeZone: $0.timeZone) }.min()
                let snapshot = newestIndex[GroupLabel(group: group.name, label: policy.label)].map { snapshots[$0] }
                let met: Bool
                if scheduled.isEmpty {
                    met = true
                } else if let snapshot {
                    met = elapse.map { snapshot.created >= $0 } ?? true
                } else {
                    met = false
                }
                var lateSince: Date?
                var lateIntervals: Double?
                if !met, let snapshot, let elapse {
                    let missed = schedules.compactMap { schedule in
                        firstElapse(of: schedule, after: snapshot.created, notAfter: elapse).map { (schedule, $0) }
                    }.min { $0.1 < $1.1 }
                    if let (schedule, since) = missed {
                        lateSince = since
                        if let following = schedule.event.nextElapse(after: since, defaultTimeZone: schedule.timeZone) {
                            lateIntervals = now.timeIntervalSince(since) / following.timeIntervalSince(since)
                        }
                    }
                }
                result.append(ProtectionStatus(
                    group: group.name, label: policy.label, policies: policies, frequency: frequency,
                    schedules: schedules.map(\.expression), newestBackup: snapshot?.name, newestCreated: snapshot?.created,
                    ageSeconds: snapshot.map { now.timeIntervalSince($0.created) }, lastElapse: elapse, nextElapse: next,
                    rpoMet: met, lateSince: lateSince, lateSeconds: lateSince.map { now.timeIntervalSince($0) },
                    lateIntervals: lateIntervals))
            }
        }
        return result
    }

    /// The first elapse of the chain a running timer follows (DESIGN §3) strictly after
    /// `date`, at most `limit`. `nextElapse(after:)` alone could name the second pass of a
    /// repeated local time in a DST fold, which the chain never fires; the chain's own
    /// element at or before it tells.
    static func firstElapse(of schedule: Schedule, after date: Date, notAfter limit: Date) -> Date? {
        guard var candidate = schedule.event.nextElapse(after: date, defaultTimeZone: schedule.timeZone) else { return nil }
        if let chained = schedule.latestElapse(atOrBefore: candidate), chained != candidate {
            if chained > date {
                candidate = chained
            } else if let following = schedule.event.nextElapse(after: candidate, defaultTimeZone: schedule.timeZone),
                let chainedFollowing = schedule.latestElapse(atOrBefore: following)
            {
                candidate = chainedFollowing
            }
        }
        return candidate <= limit ? candidate : nil
    }
}
