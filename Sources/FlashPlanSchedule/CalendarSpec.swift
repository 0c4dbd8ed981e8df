/// The parsed, normalized form of a calendar event — the same fields as
/// systemd's `CalendarSpec`, with the same conventions, so the evaluation
/// code can follow systemd's step by step.
struct CalendarSpec: Sendable, Hashable {
    /// Monday = bit 0 … Sunday = bit 6; -1 for "any weekday".
    var weekdaysBits: Int = -1
    /// Full years (1970…2199); `nil` is `*`.
    var year: CalendarChain?
    /// 1…12; `nil` is `*`.
    var month: CalendarChain?
    /// 1…31, or days from the end of the month when `endOfMonth`; `nil` is `*`.
    var day: CalendarChain?
    var hour: CalendarChain?
    var minute: CalendarChain?
    /// Seconds in microseconds. Never `nil`: systemd stores `*` as 0/1s.
    var microsecond: CalendarChain = [CalendarComponent(start: 0, repeatStep: CalendarSpec.usecPerSecond)]
    var endOfMonth = false
    /// Expression ended in ` UTC`: evaluated with timegm/gmtime.
    var utc = false
    /// An IANA zone named at the end of the expression.
    var timeZoneName: String?

    static let usecPerSecond = 1_000_000
    static let minYear = 1970
    static let maxYear = 2199
    static let allWeekdays = 127

    static let weekdayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// The finest unit the event can fire at twice within (1 s, a minute, an
    /// hour or a day): where a backwards search should start looking.
    var finestPeriodSeconds: Int {
        func varies(_ chain: CalendarChain?) -> Bool {
            guard let chain else { return true }
            return chain.count > 1 || chain.contains { $0.repeatStep > 0 }
        }
        if varies(microsecond) { return 1 }
        if varies(minute) { return 60 }
        if varies(hour) { return 3600 }
        return 86_400
    }

    /// systemd's calendar_spec_to_string.
    var normalizedString: String {
        var out = ""
        if weekdaysBits > 0 && weekdaysBits <= Self.allWeekdays {
            out += formattedWeekdays
            out += " "
        }
        out += Self.format(year, width: 4, usec: false)
        out += "-"
        out += Self.format(month, width: 2, usec: false)
        out += endOfMonth ? "~" : "-"
        out += Self.format(day, width: 2, usec: false)
        out += " "
        out += Self.format(hour, width: 2, usec: false)
        out += ":"
        out += Self.format(minute, width: 2, usec: false)
        out += ":"
        out += Self.format(microsecond, width: 2, usec: true)
        if utc {
            out += " UTC"
        } else if let timeZoneName {
            out += " " + timeZoneName
        }
        return out
    }

    // Runs of three or more days collapse to `A..B`, pairs stay `A,B`.
    private var formattedWeekdays: String {
        var out = ""
        var runStart = -1
        var needComma = false
        for x in 0...7 {
            let isSet = x < 7 && (weekdaysBits & (1 << x)) != 0
            if isSet {
                if runStart < 0 {
                    if needComma { out += "," } else { needComma = true }
                    out += Self.weekdayNames[x]
                    runStart = x
                }
            } else if runStart >= 0 {
                if x > runStart + 1 {
                    out += x > runStart + 2 ? ".." : ","
                    out += Self.weekdayNames[x - 1]
                }
                runStart = -1
            }
        }
        return out
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func sixDigits(_ value: Int) -> String { padded(value, 6) }

    // format_chain, quirks included: a range's implicit /1 is not printed.
    static func format(_ chain: CalendarChain?, width: Int, usec: Bool) -> String {
        guard let chain, !chain.isEmpty else { return "*" }
        let d = usec ? usecPerSecond : 1
        if usec && chain.count == 1 && chain[0].start == 0 && chain[0].repeatStep == usecPerSecond && chain[0].stop < 0 {
            return "*"
        }
        var parts: [String] = []
        for c in chain {
            var s = padded(c.start / d, width)
            if c.start % d > 0 { s += "." + sixDigits(c.start % d) }
            if c.stop > 0 { s += ".." + padded(c.stop / d, width) }
            if c.stop % d > 0 { s += "." + sixDigits(c.stop % d) }
            if c.repeatStep > 0 && !(c.stop > 0 && c.repeatStep == d) { s += "/" + String(c.repeatStep / d) }
            if c.repeatStep % d > 0 { s += "." + sixDigits(c.repeatStep % d) }
            parts.append(s)
        }
        return parts.joined(separator: ",")
    }
}
