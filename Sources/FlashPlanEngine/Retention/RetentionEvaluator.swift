import FlashPlanModel
import Foundation

/// Applies one retention rule to the backups of one group and label (DESIGN §4).
///
/// Newest first (ties: name); `count: N` keeps the newest N; `days: D` keeps those
/// younger than D days and always the newest one. A protected backup is never
/// pruned, whatever the rule.
public enum RetentionEvaluator {
    public struct Candidate: Sendable, Hashable {
        public var name: String
        public var created: Date
        /// Why it may never be pruned (replication base, clone parent, immutable); empty if not protected.
        public var protections: [Protection]

        public init(name: String, created: Date, protections: [Protection] = []) {
            self.name = name
            self.created = created
            self.protections = protections
        }
    }

    public struct Outcome: Sendable, Hashable {
        public var candidate: Candidate
        public var keep: Bool
        public var reason: String
        /// What kept a backup the rule alone would prune; empty otherwise.
        public var keptBy: [Protection] = []
    }

    /// Newest first; ties broken by name so that the order is total and deterministic.
    public static func newestFirst(_ a: Candidate, _ b: Candidate) -> Bool {
        a.created != b.created ? a.created > b.created : a.name < b.name
    }

    /// `time` formats the moments in reasons (the planner shows its local time). With
    /// `byAge` false (the clock is in doubt, `ClockCheck`) a `days:` rule keeps everything.
    public static func evaluate(
        _ candidates: [Candidate], rule: Retention, now: Date, byAge: Bool = true, time: (Date) -> String = \.iso8601
    ) -> [Outcome] {
        let sorted = candidates.sorted(by: newestFirst)
        return sorted.enumerated().map { index, candidate in
            let ruleKeeps: Bool
            let ruleReason: String
            switch rule {
            case .count(let n):
                ruleKeeps = index < n
                ruleReason = ruleKeeps ? "newest \(n) (#\(index + 1))" : "beyond the newest \(n) (#\(index + 1))"
            case .days(let d):
                let cutoff = now.addingTimeInterval(-Double(d) * 86400)
                if candidate.created > cutoff {
                    ruleKeeps = true
                    ruleReason = "younger than \(d) days"
                } else if index == 0 {
                    ruleKeeps = true
                    ruleReason = "newest backup (always kept)"
                } else if !byAge {
                    ruleKeeps = true
                    ruleReason = "older than \(d) days, but the clock is in doubt: nothing is pruned by age until it is confirmed (--allow-clock-jump)"
                } else {
                    ruleKeeps = false
                    ruleReason = "older than \(d) days"
                }
            }
            if !ruleKeeps, !candidate.protections.isEmpty {
                let words = candidate.protections.map { $0.describe(time: time) }.joined(separator: ", ")
                return Outcome(candidate: candidate, keep: true, reason: ruleReason + ", but protected: " + words, keptBy: candidate.protections)
            }
            return Outcome(candidate: candidate, keep: ruleKeeps, reason: ruleReason)
        }
    }
}
