import FlashPlanModel
import FlashPlanSchedule
import Foundation
import Synchronization

extension ConfigurationValidator {
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
                    // Within the text only where it is written as parsed; a folded or
                    // escaped schedule is pointed at where it starts.
                    if entry.schedule != nil, entry.scheduleIsVerbatim { at.column += error.offset }
                    diagnostics.append(.invalidSchedule(expression, error: error.message, at: at))
                    continue
                }
                let zone = event.timeZone ?? TimeZone(identifier: c.settings.timezone) ?? TimeZone(identifier: "UTC")!
                guard event.nextElapse(after: Date(timeIntervalSince1970: 0), defaultTimeZone: zone) != nil else {
                    diagnostics.append(.scheduleNeverFires(expression, at: entry.scheduleLocation))
                    continue
                }
                // A schedule that names its years stops when they are over, and with it
                // the group's backups, silently: the RPO of a schedule with no elapse
                // left is never late. Protection is meant to go on, so it is refused.
                if let last = event.lastYear {
                    diagnostics.append(.scheduleEnds(expression, lastYear: last, at: entry.scheduleLocation))
                    continue
                }
                let schedule = Schedule(expression: expression, event: event, timeZone: zone)
                parsedSchedules[group.name, default: [:]][index] = schedule
                parsedByExpression[expression] = schedule
                // The pace as written, on a clock without time-zone changes: a daily schedule
                // is daily although a DST change makes a day 23 hours (Lord Howe: 23.5), and no
                // tolerance for that lets `*:0/30` pass for hourly. The snapshot estimate
                // keeps the real, shorter interval.
                if let interval = nominalInterval(event, expression: expression),
                    let floor = policy.frequency.minimumInterval, interval < floor
                {
                    diagnostics.append(.scheduleTooFrequent(expression, interval: interval, policy: policy, at: entry.scheduleLocation))
                }
            }
        }
    }

    /// The shortest time between two elapses of `event` read in UTC (its own zone, if it
    /// names one, dropped): how often the schedule fires as written.
    func nominalInterval(_ event: CalendarEvent, expression: String) -> TimeInterval? {
        var plain = event
        if event.timeZone != nil {
            let words = expression.split(separator: " ")
            if words.count > 1, let unzoned = try? CalendarEvent(parsing: words.dropLast().joined(separator: " ")),
                unzoned.timeZone == nil
            {
                plain = unzoned
            }
        }
        return ScheduleStatistics.shared.minimumInterval(plain, zone: TimeZone(identifier: "UTC")!)
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
