import FlashPlanModel
import FlashPlanSchedule
import Foundation
import Synchronization

extension ConfigurationValidator {
    /// Time-zone changes make a day 23 or 25 hours long (Lord Howe: 23.5); a daily
    /// schedule is not "more often than daily" because of them.
    static let dstTolerance: TimeInterval = 3600

    /// Parses every policy entry's schedule (or its frequency's default) and checks it
    /// against the policy's frequency: not more often, and not never.
    mutating func checkSchedules() {
        for group in c.resourceGroups.values.sorted(by: { $0.name < $1.name }) {
            for (index, entry) in group.policies.enumerated() {
                guard let policy = c.policies[entry.policy] else { continue }
                guard let expression = entry.schedule ?? policy.frequency.defaultSchedule else { continue }
                if policy.frequency == .none, entry.schedule != nil {
                    diagnostics.append(.scheduleOnDemand(policy: policy.name, at: entry.scheduleLocation))
                    continue
                }
                let event: CalendarEvent
                do {
                    event = try CalendarEvent(parsing: expression)
                } catch {
                    var at = entry.scheduleLocation
                    at.column += entry.schedule == nil ? 0 : error.offset
                    diagnostics.append(.invalidSchedule(expression, error: error.message, at: at))
                    continue
                }
                let zone = event.timeZone ?? TimeZone(identifier: c.settings.timezone) ?? TimeZone(identifier: "UTC")!
                guard event.nextElapse(after: Date(timeIntervalSince1970: 0), defaultTimeZone: zone) != nil else {
                    diagnostics.append(.scheduleNeverFires(expression, at: entry.scheduleLocation))
                    continue
                }
                let schedule = Schedule(expression: expression, event: event, timeZone: zone)
                parsedSchedules[group.name, default: [:]][index] = schedule
                parsedByExpression[expression] = schedule
                if let interval = ScheduleStatistics.shared.minimumInterval(event, zone: zone),
                    let floor = policy.frequency.minimumInterval, interval < floor - Self.dstTolerance
                {
                    diagnostics.append(.scheduleTooFrequent(expression, interval: interval, policy: policy, at: entry.scheduleLocation))
                }
            }
        }
    }

    /// The shortest time between two backups of an entry, for retention arithmetic: from
    /// the schedule `checkSchedules` parsed (one that failed to parse is an error already;
    /// its frequency's floor stands in so the ceiling check still says something).
    func minimumInterval(of entry: PolicyEntry, policy: Policy) -> TimeInterval? {
        guard let expression = entry.schedule ?? policy.frequency.defaultSchedule,
            let schedule = parsedByExpression[expression]
        else { return policy.frequency.minimumInterval }
        return ScheduleStatistics.shared.minimumInterval(schedule.event, zone: schedule.timeZone) ?? policy.frequency.minimumInterval
    }
}

/// Caches the (costly) interval statistics per expression: a fleet of a thousand
/// groups uses a handful of distinct schedules.
final class ScheduleStatistics: Sendable {
    static let shared = ScheduleStatistics()
    private let cache = Mutex<[String: TimeInterval?]>([:])

    func minimumInterval(_ event: CalendarEvent, zone: TimeZone) -> TimeInterval? {
        let key = event.expression + "\u{0}" + zone.identifier
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let value = event.minimumInterval(defaultTimeZone: zone)
        cache.withLock { $0[key] = value }
        return value
    }
}
