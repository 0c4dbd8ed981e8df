import FlashPlanModel
import Foundation

extension ConfigurationValidator {
    /// Until calendar events are parsed, every schedule counts at its frequency's pace.
    mutating func checkSchedules() {}

    func minimumInterval(of entry: PolicyEntry, policy: Policy) -> TimeInterval? {
        policy.frequency.minimumInterval
    }
}
