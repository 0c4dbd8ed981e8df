import FlashPlanModel
import Foundation

/// A clock that ran backwards or jumped far forwards (DESIGN §5).
///
/// Retention by age trusts the clock: a clock set a year ahead makes every backup look
/// expired, and one set back makes new backups sort before the ones they should
/// replace. So when `now` is before flashplan's last activity on the state or its newest
/// backup, or more than `maximumGap` after its last activity, the plan warns and prunes
/// nothing by age until the clock is confirmed with `--allow-clock-jump`. Backups that
/// are due are still taken, and retention by count goes on.
public enum ClockCheck {
    /// How far past the last apply a clock may be before it counts as a jump.
    public static let maximumGap: TimeInterval = 31 * 86400

    public enum Fault: Sendable, Hashable {
        /// `now` is before `newest`, the last apply or the newest backup.
        case backwards(newest: Date)
        /// `now` is more than `maximumGap` after the last apply.
        case forwards(lastActivity: Date)
    }

    /// The fault of `now` against what the state says, if any.
    public static func fault(observed: ObservedState, now: Date) -> Fault? {
        var newest = observed.lastActivity
        for snapshot in observed.snapshots where snapshot.group != nil {
            if newest.map({ snapshot.created > $0 }) ?? true { newest = snapshot.created }
        }
        if let newest, now < newest { return .backwards(newest: newest) }
        if let last = observed.lastActivity, now.timeIntervalSince(last) > maximumGap { return .forwards(lastActivity: last) }
        return nil
    }
}

extension Diagnostic {
    static func clockJump(_ fault: ClockCheck.Fault, now: Date) -> Diagnostic {
        let what: String
        switch fault {
        case .backwards(let newest):
            what = "the clock (\(now.iso8601)) is before flashplan's last apply or newest backup (\(newest.iso8601))"
        case .forwards(let last):
            let days = Int(now.timeIntervalSince(last) / 86400)
            what = "the clock (\(now.iso8601)) is \(days) days after flashplan's last apply (\(last.iso8601)), more than 31"
        }
        return .warning(
            .clockJump, at: .unknown,
            "\(what): nothing is pruned by age until the clock is confirmed; due backups are still taken",
            note: "correct the clock, or confirm it with --allow-clock-jump")
    }
}

extension PlanBuilder {
    /// Checks the clock before any retention is evaluated; group forks inherit the verdict.
    mutating func checkClock(_ options: PlanOptions) {
        guard let fault = ClockCheck.fault(observed: observed, now: now) else { return }
        if options.allowClockJump { return }
        pruneByAge = false
        diagnostics.append(.clockJump(fault, now: now))
    }
}
