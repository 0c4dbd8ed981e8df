import Foundation

/// A systemd calendar event (`OnCalendar=` syntax, systemd.time(7)) such as
/// `daily`, `Mon..Fri *-*-* 02:30:00` or `*-*-01 00:00:00 Europe/Rome`.
///
/// Parsing, normalization and next-elapse computation follow
/// `systemd-analyze calendar` (systemd 252) exactly, including how it treats
/// DST gaps (a time that does not exist is skipped) and folds (a repeated
/// local time fires once, at its first occurrence), month ends, `~` and
/// expressions that never fire.
///
/// An expression that names a zone (`… Europe/Rome`, `… UTC`) is evaluated in
/// it; otherwise in the `defaultTimeZone` the caller passes (flashplan's
/// `settings.timezone`).
///
/// Not supported: systemd's matching of the *process's* local zone
/// abbreviations (`… CET` when `TZ` is Europe/Berlin); here a trailing word is
/// a zone only if it is an IANA zone name (`CET` happens to be one).
public struct CalendarEvent: Sendable, Hashable {
    /// The expression as written.
    public let expression: String
    let spec: CalendarSpec
    private let zoneRules: ZoneRules?

    /// Parses `expression`.
    /// - Throws: ``CalendarEventError`` with the offset of the offending token.
    public init(parsing expression: String) throws(CalendarEventError) {
        self.expression = expression
        spec = try CalendarEventParser.parse(expression)
        if let name = spec.timeZoneName, let zone = TimeZone(identifier: name) {
            zoneRules = ZoneRules.rules(for: zone)
        } else {
            zoneRules = nil
        }
    }

    /// systemd's normalized form, as `systemd-analyze calendar` prints it
    /// on its "Normalized form:" line.
    public var normalized: String { spec.normalizedString }

    /// The last year the event can fire in, when it names a bounded set of years
    /// (`2026-*-* 02:30`, `2026..2027-*-*`); nil when it goes on for ever (`*`, or a
    /// repetition without end such as `2026/1`). Past that year it never fires again.
    public var lastYear: Int? {
        guard let years = spec.year else { return nil }
        var last = Int.min
        for component in years {
            if component.repeatStep > 0, component.stop < 0 { return nil }
            last = max(last, component.stop >= 0 ? component.stop : component.start)
        }
        return last == Int.min ? nil : last
    }

    /// The zone named in the expression, if any (`UTC` for ` UTC`).
    public var timeZone: TimeZone? {
        if spec.utc { return TimeZone(identifier: "UTC") }
        return spec.timeZoneName.flatMap(TimeZone.init(identifier:))
    }

    public static func == (a: CalendarEvent, b: CalendarEvent) -> Bool {
        a.expression == b.expression
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(expression)
    }

    // MARK: - Elapses

    func rules(defaultTimeZone: TimeZone) -> ZoneRules? {
        if spec.utc { return nil }
        if let zoneRules { return zoneRules }
        let rules = ZoneRules.rules(for: defaultTimeZone)
        // A fixed zone at UTC is plain UTC arithmetic.
        if rules.isFixed && rules.lookup(0) == (0, false) { return nil }
        return rules
    }

    /// First elapse strictly after `date`, like systemd; nil if it never
    /// fires again (systemd stops at the end of 2199).
    public func nextElapse(after date: Date, defaultTimeZone: TimeZone) -> Date? {
        let rules = rules(defaultTimeZone: defaultTimeZone)
        return spec.nextElapse(afterMicroseconds: Self.microseconds(date), rules: rules).map(Self.date)
    }

    /// The next `count` elapses after `date`, each strictly after the
    /// previous one (what `systemd-analyze calendar --iterations` lists).
    public func nextElapses(after date: Date, count: Int, defaultTimeZone: TimeZone) -> [Date] {
        let rules = rules(defaultTimeZone: defaultTimeZone)
        var result: [Date] = []
        var cursor = Self.microseconds(date)
        while result.count < count, let next = spec.nextElapse(afterMicroseconds: cursor, rules: rules) {
            result.append(Self.date(next))
            cursor = next
        }
        return result
    }

    static func microseconds(_ date: Date) -> Int {
        Int((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    static func date(_ usec: Int) -> Date {
        Date(timeIntervalSince1970: Double(usec) / 1_000_000)
    }
}
