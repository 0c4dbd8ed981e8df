import FlashPlanSchedule
import Foundation

/// A policy entry's schedule, parsed once when the configuration is loaded: the
/// expression as written (or its frequency's default) and the calendar event, with
/// the time zone it is read in resolved (its own, else `settings.timezone`).
///
/// The planner and `status` use this value and never parse again, so an expression
/// that fails to parse is a validation error, never a schedule that silently never
/// makes a backup due.
public struct Schedule: Sendable, Hashable {
    /// As written in `schedule`, or the frequency's default (`hourly`, `*-*-* 00:00:00`, …).
    public var expression: String
    public var event: CalendarEvent
    /// The zone the expression is read in.
    public var timeZone: TimeZone

    public init(expression: String, event: CalendarEvent, timeZone: TimeZone) {
        self.expression = expression
        self.event = event
        self.timeZone = timeZone
    }

    /// The last elapse at or before `date` of the chain a running timer follows (DESIGN §3).
    public func latestElapse(atOrBefore date: Date) -> Date? {
        event.previousElapse(atOrBefore: date, defaultTimeZone: timeZone)
    }

    /// The shortest time between two elapses (a 23-hour day counts), nil if it never fires twice.
    public var minimumInterval: TimeInterval? {
        event.minimumInterval(defaultTimeZone: timeZone)
    }
}
