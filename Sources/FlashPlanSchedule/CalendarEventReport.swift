import Foundation

/// What `flashplan schedule` prints: for each expression its normalized
/// form and next elapses, as text in the layout of `systemd-analyze
/// calendar` or as JSON.
public struct CalendarEventReport: Sendable {
    /// Output formats.
    public enum Format: String, Sendable, CaseIterable {
        case text, json
    }

    /// One expression's result.
    public struct Entry: Sendable {
        /// The expression as given.
        public let expression: String
        /// The parsed event, or why it was rejected.
        public let event: Result<CalendarEvent, CalendarEventError>
        /// The next elapses (empty if it never fires or was rejected).
        public let elapses: [Date]
    }

    /// Results in the order the expressions were given.
    public let entries: [Entry]
    /// The zone times are shown in (and expressions without a zone are read in).
    public let timeZone: TimeZone

    /// Parses and evaluates `expressions`: up to `iterations` elapses each,
    /// strictly after `baseTime`.
    public init(expressions: [String], baseTime: Date, iterations: Int, timeZone: TimeZone) {
        self.timeZone = timeZone
        entries = expressions.map { expression in
            let parsed = Result { () throws(CalendarEventError) -> CalendarEvent in try CalendarEvent(parsing: expression) }
            let elapses = (try? parsed.get())?.nextElapses(after: baseTime, count: max(iterations, 0), defaultTimeZone: timeZone) ?? []
            return Entry(expression: expression, event: parsed, elapses: elapses)
        }
    }

    /// True if any expression was rejected.
    public var hasErrors: Bool {
        entries.contains { if case .failure = $0.event { true } else { false } }
    }

    /// The rejected expressions, each as `error: EXPR:COL: message`, the
    /// expression and a caret line (for stderr).
    public var errorMessages: [String] {
        entries.compactMap { entry in
            guard case .failure(let error) = entry.event else { return nil }
            return error.rendered(expression: entry.expression)
        }
    }

    /// Renders in `format` (valid expressions only; see ``errorMessages``).
    public func render(_ format: Format) -> String {
        switch format {
        case .text: renderText()
        case .json: renderJSON()
        }
    }

    /// systemd-analyze's layout, without its "From now" lines (the base time
    /// is explicit); "Original form" only where it differs from the
    /// normalized one, as systemd does. Times are shown in ``timeZone``, followed by an
    /// "(in UTC)" line unless that zone is UTC.
    public func renderText() -> String {
        let display = ZoneRules.rules(for: timeZone)
        let showUTC = !(display.isFixed && display.lookup(0) == (0, false))
        var blocks: [String] = []
        for entry in entries {
            guard case .success(let event) = entry.event else { continue }
            // Like systemd, the original form only when it differs.
            var lines = event.normalized == entry.expression ? [] : ["  Original form: \(entry.expression)"]
            lines.append("Normalized form: \(event.normalized)")
            if entry.elapses.isEmpty {
                lines.append("    Next elapse: never")
            }
            for (index, elapse) in entry.elapses.enumerated() {
                let label = index == 0 ? "    Next elapse" : "       Iter. #\(index + 1)"
                lines.append("\(label): \(Self.format(elapse, rules: display, zone: timeZone))")
                if showUTC {
                    lines.append("       (in UTC): \(Self.format(elapse, rules: nil, zone: nil))")
                }
            }
            blocks.append(lines.joined(separator: "\n"))
        }
        return blocks.joined(separator: "\n\n")
    }

    /// `[{"expression": …, "normalized": …, "next": ["2026-11-26T10:00:00Z", …]}]`.
    public func renderJSON() -> String {
        var items: [String] = []
        for entry in entries {
            guard case .success(let event) = entry.event else { continue }
            let next = entry.elapses.map { Self.jsonString(Self.iso8601UTC($0)) }
            let nextList = next.isEmpty ? "[]" : "[\n      " + next.joined(separator: ",\n      ") + "\n    ]"
            items.append("""
                  {
                    "expression": \(Self.jsonString(entry.expression)),
                    "normalized": \(Self.jsonString(event.normalized)),
                    "next": \(nextList)
                  }
                """)
        }
        return items.isEmpty ? "[]" : "[\n" + items.joined(separator: ",\n") + "\n]"
    }

    private static let weekdayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    private static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// `Thu 2026-11-26 10:00:00 CET` — seconds only, like systemd.
    static func format(_ date: Date, rules: ZoneRules?, zone: TimeZone?) -> String {
        let usec = CalendarEvent.microseconds(date)
        let seconds = CivilTime.floorDiv(usec, CalendarSpec.usecPerSecond)
        let (offset, isDST) = rules?.lookup(seconds) ?? (0, false)
        let civil = CivilTime(unixSeconds: seconds + offset)
        let abbreviation = zone.map { ZoneAbbreviations.abbreviation(for: $0, at: seconds, offset: offset, isDST: isDST) } ?? "UTC"
        return "\(weekdayNames[civil.weekday]) \(civil.year)-\(two(civil.month + 1))-\(two(civil.mday)) "
            + "\(two(civil.hour)):\(two(civil.minute)):\(two(civil.second)) \(abbreviation)"
    }

    /// `2026-11-26T10:00:00Z`, with microseconds only when there are some.
    public static func iso8601UTC(_ date: Date) -> String {
        let usec = CalendarEvent.microseconds(date)
        let seconds = CivilTime.floorDiv(usec, CalendarSpec.usecPerSecond)
        let fraction = usec - seconds * CalendarSpec.usecPerSecond
        let c = CivilTime(unixSeconds: seconds)
        var text = "\(c.year)-\(two(c.month + 1))-\(two(c.mday))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))"
        if fraction > 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 6 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + "Z"
    }

    /// A JSON string literal. The report writes its own layout (keys in the order of
    /// DESIGN §3); the escaping is the standard encoder's.
    static func jsonString(_ s: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(s)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}
