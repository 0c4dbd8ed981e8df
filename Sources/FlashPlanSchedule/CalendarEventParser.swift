import Foundation

/// Parses an `OnCalendar=` expression the way systemd's
/// calendar_spec_from_string does — accepting exactly what it accepts — but
/// remembers where every token came from so errors can point at it.
struct CalendarEventParser {
    private let chars: [Character]
    /// Where the part before the time zone ends.
    private var end: Int
    private var p = 0
    private var spec = CalendarSpec()

    /// A component with the positions of its tokens, for error messages.
    private struct Located {
        var component: CalendarComponent
        var startOffset: Int
        var stopOffset: Int
        var repeatOffset: Int
    }

    private enum Field: String {
        case year, month, day, hour, minute, second

        var range: ClosedRange<Int> {
            switch self {
            case .year: CalendarSpec.minYear...CalendarSpec.maxYear
            case .month: 1...12
            case .day: 1...31
            case .hour: 0...23
            case .minute: 0...59
            case .second: 0...(60 * CalendarSpec.usecPerSecond - 1)
            }
        }
    }

    private var located: [Field: [Located]] = [:]

    init(_ expression: String) {
        chars = Array(expression)
        end = chars.count
    }

    static func parse(_ expression: String) throws(CalendarEventError) -> CalendarSpec {
        var parser = CalendarEventParser(expression)
        return try parser.run()
    }

    private func fail(_ offset: Int, _ message: String) -> CalendarEventError {
        CalendarEventError(offset: offset, message: message)
    }

    private func char(_ i: Int) -> Character? { i < end ? chars[i] : nil }

    private func isDigit(_ c: Character?) -> Bool {
        guard let c, let a = c.asciiValue else { return false }
        return a >= 48 && a <= 57
    }

    private mutating func run() throws(CalendarEventError) -> CalendarSpec {
        splitTimeZone()
        let zoneStart = end
        do {
            try parseBody()
        } catch {
            // An unrecognised trailing word that looks like a zone name
            // (`Europe/Rom`), or that is where parsing stopped (`CEST`), is
            // better reported as an unknown zone than as a syntax error.
            if zoneStart == chars.count, let space = chars.lastIndex(of: " ") {
                let word = String(chars[(space + 1)...])
                let zoneLike = !word.isEmpty && word.allSatisfy { $0.isLetter || $0 == "/" || $0 == "_" || $0 == "-" || $0 == "+" || $0.isNumber }
                    && word.contains { $0.isLetter }
                if zoneLike && (word.contains("/") || error.offset >= space) {
                    throw fail(space + 1, "unknown time zone '\(word)'")
                }
            }
            throw error
        }
        return try normalizeAndValidate()
    }

    // calendar_spec_from_string: " UTC" (any case), else a valid zone name
    // after the last space.
    private mutating func splitTimeZone() {
        if chars.count >= 4, String(chars[(chars.count - 4)...]).lowercased() == " utc" {
            spec.utc = true
            end = chars.count - 4
            return
        }
        if let space = chars.lastIndex(of: " ") {
            let name = String(chars[(space + 1)...])
            if ZoneRules.isValidZoneName(name) {
                spec.timeZoneName = name
                end = space
            }
        }
    }

    private mutating func parseBody() throws(CalendarEventError) {
        if end == 0 {
            throw fail(0, chars.isEmpty ? "empty calendar expression" : "a time zone alone is not a calendar event")
        }
        let body = String(chars[0..<end]).lowercased()
        let usec = [CalendarComponent(start: 0)]
        let midnight: (CalendarChain, CalendarChain, CalendarChain) = ([CalendarComponent(start: 0)], [CalendarComponent(start: 0)], usec)
        switch body {
        case "minutely":
            spec.microsecond = usec
        case "hourly":
            spec.minute = [CalendarComponent(start: 0)]
            spec.microsecond = usec
        case "daily":
            (spec.hour, spec.minute, spec.microsecond) = midnight
        case "monthly":
            spec.day = [CalendarComponent(start: 1)]
            (spec.hour, spec.minute, spec.microsecond) = midnight
        case "annually", "yearly", "anually":
            spec.month = [CalendarComponent(start: 1)]
            spec.day = [CalendarComponent(start: 1)]
            (spec.hour, spec.minute, spec.microsecond) = midnight
        case "weekly":
            spec.weekdaysBits = 1
            (spec.hour, spec.minute, spec.microsecond) = midnight
        case "quarterly":
            spec.month = [1, 4, 7, 10].map { CalendarComponent(start: $0) }
            spec.day = [CalendarComponent(start: 1)]
            (spec.hour, spec.minute, spec.microsecond) = midnight
        case "biannually", "bi-annually", "semiannually", "semi-annually":
            spec.month = [1, 7].map { CalendarComponent(start: $0) }
            spec.day = [CalendarComponent(start: 1)]
            (spec.hour, spec.minute, spec.microsecond) = midnight
        default:
            try parseWeekdays()
            let timestamp = try parseDate()
            if !timestamp {
                try parseTime()
            }
            if p < end {
                throw fail(p, "unexpected '\(chars[p])'")
            }
        }
    }

    private mutating func skipSpaces() {
        while p < end && chars[p] == " " { p += 1 }
    }

    private func hasPrefixNoCase(_ name: String, at i: Int) -> Bool {
        let n = Array(name.lowercased())
        guard i + n.count <= end else { return false }
        for k in 0..<n.count where Character(chars[i + k].lowercased()) != n[k] { return false }
        return true
    }

    // parse_weekdays
    private mutating func parseWeekdays() throws(CalendarEventError) {
        let names: [(String, Int)] = [
            ("Monday", 0), ("Mon", 0), ("Tuesday", 1), ("Tue", 1), ("Wednesday", 2), ("Wed", 2),
            ("Thursday", 3), ("Thu", 3), ("Friday", 4), ("Fri", 4), ("Saturday", 5), ("Sat", 5),
            ("Sunday", 6), ("Sun", 6),
        ]
        var rangeStart = -1
        var rangeStartOffset = 0
        var first = true
        var bits = 0
        defer { if bits != 0 { spec.weekdaysBits = bits } }
        while true {
            guard let (name, nr) = names.first(where: { hasPrefixNoCase($0.0, at: p) }) else {
                if first { return }
                throw fail(p, "expected a weekday name (Mon…Sun)")
            }
            let after = p + name.count
            if let c = char(after), ![" ", "-", ".", ","].contains(c) {
                throw fail(p, "'\(String(chars[p..<min(end, after + 1)]))…' is not a weekday name")
            }
            bits |= 1 << nr
            if rangeStart >= 0 {
                if rangeStart > nr {
                    throw fail(rangeStartOffset, "weekday range \(CalendarSpec.weekdayNames[rangeStart])..\(CalendarSpec.weekdayNames[nr]) goes backwards")
                }
                for j in (rangeStart + 1)..<max(rangeStart + 1, nr) { bits |= 1 << j }
            }
            let nameOffset = p
            p = after
            guard let c = char(p) else { return }
            if c == " " {
                skipSpaces()
                return
            }
            if c == "." {
                if rangeStart >= 0 { throw fail(p, "a weekday range cannot continue with another '..'") }
                if char(p + 1) != "." { throw fail(p, "expected '..' for a weekday range") }
                rangeStart = nr
                rangeStartOffset = nameOffset
                p += 2
            } else if c == "-" {
                if rangeStart >= 0 { throw fail(p, "a weekday range cannot continue with another '-'") }
                rangeStart = nr
                rangeStartOffset = nameOffset
                p += 1
            } else if c == "," {
                rangeStart = -1
                p += 1
            }
            if p >= end || chars[p] == " " {
                skipSpaces()
                if rangeStart >= 0 { throw fail(max(0, p - 1), "weekday range has no end") }
                return
            }
            first = false
        }
    }

    // parse_one_number + parse_component_decimal. Returns the value
    // (microseconds for seconds).
    private mutating func parseDecimal(usec: Bool, what: String) throws(CalendarEventError) -> Int {
        let begin = p
        guard isDigit(char(p)) else {
            if let c = char(p) {
                throw fail(p, "expected a number for the \(what), found '\(c)'")
            }
            throw fail(p, "expected a number for the \(what)")
        }
        var value = 0
        var overflow = false
        while isDigit(char(p)) {
            let digit = Int(chars[p].asciiValue! - 48)
            if value > (Int(Int32.max) * 10) { overflow = true } else { value = value * 10 + digit }
            p += 1
        }
        if usec {
            value = value &* CalendarSpec.usecPerSecond
            if value / CalendarSpec.usecPerSecond > Int(Int32.max) * 10 { overflow = true }
            if char(p) == ".", char(p + 1) != "." {
                p += 1
                // parse_fractional_part_u: six digits, the seventh rounds,
                // the rest are ignored.
                guard isDigit(char(p)) else { throw fail(p, "expected digits after the decimal point") }
                var fraction = 0
                for _ in 0..<6 {
                    if isDigit(char(p)) {
                        fraction = fraction * 10 + Int(chars[p].asciiValue! - 48)
                        p += 1
                    } else {
                        fraction *= 10
                    }
                }
                if let c = char(p), let a = c.asciiValue, a >= 53, a <= 57 { fraction += 1 }
                while isDigit(char(p)) { p += 1 }
                value += fraction
            }
        }
        if overflow || value > Int(Int32.max) {
            throw fail(begin, "number \(String(chars[begin..<p])) is too large")
        }
        return value
    }

    // prepend_component / parse_chain. Returns nil for `*` (except seconds).
    private mutating func parseChain(_ field: Field, label: String? = nil) throws(CalendarEventError) -> CalendarChain? {
        let usec = field == .second
        let what = label ?? field.rawValue
        if char(p) == "*" {
            p += 1
            return usec ? [CalendarComponent(start: 0, repeatStep: CalendarSpec.usecPerSecond)] : nil
        }
        var items: [Located] = []
        while true {
            if items.count > 240 { throw fail(p, "too many items in the \(field.rawValue) list") }
            let startOffset = p
            let start = try parseDecimal(usec: usec, what: what)
            var stop = -1
            var repeatStep = 0
            var stopOffset = startOffset
            var repeatOffset = startOffset
            if char(p) == ".", char(p + 1) == "." {
                p += 2
                stopOffset = p
                stop = try parseDecimal(usec: usec, what: "end of the \(what) range")
                repeatStep = usec ? CalendarSpec.usecPerSecond : 1
            }
            if char(p) == "/" {
                p += 1
                repeatOffset = p
                repeatStep = try parseDecimal(usec: usec, what: "\(what) repetition")
                if repeatStep == 0 { throw fail(repeatOffset, "a repetition of 0 never advances") }
            } else if usec && stop >= 0 && start + repeatStep > stop {
                // systemd refuses second ranges shorter than their implicit
                // one-second step.
                throw fail(startOffset, "seconds range \(String(chars[startOffset..<p])) is shorter than one second; add a repetition such as /1")
            }
            if let c = char(p), ![" ", ",", "-", "~", ":"].contains(c) {
                throw fail(p, "unexpected '\(c)' after the \(what)")
            }
            items.append(Located(component: CalendarComponent(start: start, stop: stop, repeatStep: repeatStep),
                                 startOffset: startOffset, stopOffset: stopOffset, repeatOffset: repeatOffset))
            if char(p) == "," {
                p += 1
                continue
            }
            break
        }
        located[field, default: []] += items
        return items.map(\.component)
    }

    // parse_date. Returns true for `@TIMESTAMP` (no time part follows).
    private mutating func parseDate() throws(CalendarEventError) -> Bool {
        guard p < end else { return false }
        if chars[p] == "@" {
            p += 1
            let begin = p
            guard isDigit(char(p)) else { throw fail(p, "expected seconds since the epoch after '@'") }
            var value = 0
            while isDigit(char(p)) {
                if value > Int(Int32.max) * 1_000_000 { throw fail(begin, "timestamp is too large") }
                value = value * 10 + Int(chars[p].asciiValue! - 48)
                p += 1
            }
            let civil = CivilTime(unixSeconds: value)
            spec.utc = true
            spec.year = [CalendarComponent(start: civil.year)]
            spec.month = [CalendarComponent(start: civil.month + 1)]
            spec.day = [CalendarComponent(start: civil.mday)]
            spec.hour = [CalendarComponent(start: civil.hour)]
            spec.minute = [CalendarComponent(start: civil.minute)]
            spec.microsecond = [CalendarComponent(start: civil.second * CalendarSpec.usecPerSecond)]
            return true
        }
        let saved = p
        let savedLocated = located
        let first = try parseChain(.year, label: "date or hour")
        if p >= end || chars[p] == ":" {
            // It was a time, not a date: parse it again as one.
            p = saved
            located = savedLocated
            return false
        }
        if chars[p] == "~" {
            spec.endOfMonth = true
        } else if chars[p] != "-" {
            throw fail(p, "expected '-' or '~' in the date, or ':' in the time")
        }
        p += 1
        let second = try parseChain(.day, label: "month or day")
        if p >= end || chars[p] == " " {
            // Two parts: month and day. Relabel the first part's positions.
            located[.month] = located[.year]
            located[.year] = nil
            spec.month = first
            spec.day = second
            skipSpaces()
            return false
        }
        if spec.endOfMonth {
            throw fail(p, "'~' must separate the month from the day")
        }
        if chars[p] == "~" {
            spec.endOfMonth = true
        } else if chars[p] != "-" {
            throw fail(p, "expected '-' or '~' before the day")
        }
        p += 1
        let third = try parseChain(.month, label: "day")
        if let c = char(p), c != " " {
            throw fail(p, "unexpected '\(c)' after the date")
        }
        // Three parts: year, month, day; the labels were provisional.
        let yearItems = located[.year], monthItems = located[.day], dayItems = located[.month]
        located[.year] = yearItems
        located[.month] = monthItems
        located[.day] = dayItems
        spec.year = first
        spec.month = second
        spec.day = third
        skipSpaces()
        return false
    }

    // parse_calendar_time
    private mutating func parseTime() throws(CalendarEventError) {
        if p >= end {
            spec.hour = [CalendarComponent(start: 0)]
            spec.minute = [CalendarComponent(start: 0)]
            spec.microsecond = [CalendarComponent(start: 0)]
            return
        }
        let hour = try parseChain(.hour)
        guard char(p) == ":" else {
            if let c = char(p) { throw fail(p, "expected ':' after the hour, found '\(c)'") }
            throw fail(p, "expected ':' and minutes after the hour")
        }
        p += 1
        let minute = try parseChain(.minute)
        spec.hour = hour
        spec.minute = minute
        if p >= end {
            spec.microsecond = [CalendarComponent(start: 0)]
            return
        }
        guard chars[p] == ":" else { throw fail(p, "expected ':' before the seconds, found '\(chars[p])'") }
        p += 1
        spec.microsecond = try parseChain(.second) ?? []
        if p < end { throw fail(p, "unexpected '\(chars[p])' after the time") }
    }

    private func describe(_ value: Int, _ field: Field) -> String {
        guard field == .second else { return String(value) }
        let whole = value / CalendarSpec.usecPerSecond, frac = value % CalendarSpec.usecPerSecond
        if frac == 0 { return String(whole) }
        var f = String(frac)
        f = String(repeating: "0", count: 6 - f.count) + f
        while f.hasSuffix("0") { f.removeLast() }
        return "\(whole).\(f)"
    }

    private func rangeText(_ field: Field, _ range: ClosedRange<Int>) -> String {
        "\(describe(range.lowerBound, field))..\(field == .second ? "59" : describe(range.upperBound, field))"
    }

    // calendar_spec_normalize + calendar_spec_valid, reporting the first
    // offending token in source order.
    private mutating func normalizeAndValidate() throws(CalendarEventError) -> CalendarSpec {
        if spec.weekdaysBits <= 0 || spec.weekdaysBits >= CalendarSpec.allWeekdays { spec.weekdaysBits = -1 }
        if spec.endOfMonth && spec.day == nil { spec.endOfMonth = false }
        // fix_year: 12 → 2012, 89 → 1989.
        func fixYear(_ v: Int) -> Int { v >= 0 && v < 70 ? v + 2000 : (v >= 70 && v < 100 ? v + 1900 : v) }
        spec.year = spec.year?.map { CalendarComponent(start: fixYear($0.start), stop: fixYear($0.stop), repeatStep: $0.repeatStep) }
        if var items = located[.year] {
            for i in items.indices {
                let c = items[i].component
                items[i].component = CalendarComponent(start: fixYear(c.start), stop: fixYear(c.stop), repeatStep: c.repeatStep)
            }
            located[.year] = items
        }

        var problems: [CalendarEventError] = []
        for field in [Field.year, .month, .day, .hour, .minute, .second] {
            guard let items = located[field] else { continue }
            let eom = field == .day && spec.endOfMonth
            for item in items {
                if let problem = validate(item, field, endOfMonth: eom) { problems.append(problem) }
            }
        }
        if let first = problems.min(by: { $0.offset < $1.offset }) { throw first }

        spec.year = spec.year?.normalizedChain()
        spec.month = spec.month?.normalizedChain()
        spec.day = spec.day?.normalizedChain()
        spec.hour = spec.hour?.normalizedChain()
        spec.minute = spec.minute?.normalizedChain()
        spec.microsecond = spec.microsecond.normalizedChain()
        return spec
    }

    // chain_valid for one component, normalized first as systemd does.
    private func validate(_ item: Located, _ field: Field, endOfMonth eom: Bool) -> CalendarEventError? {
        let c = item.component.normalized
        let from = field.range.lowerBound
        let to = field.range.upperBound - (eom ? 3 : 0)
        let name = eom ? "day from the end of the month" : field.rawValue
        if c.start < from || c.start > to {
            return fail(item.startOffset, "\(name) \(describe(c.start, field)) is out of range \(rangeText(field, from...to))")
        }
        if c.repeatStep > to - from {
            return fail(item.repeatOffset, "\(field.rawValue) repetition /\(describe(c.repeatStep, field)) is larger than the range \(rangeText(field, from...to))")
        }
        if c.stop >= 0 {
            if c.stop < from || c.stop > to {
                return fail(item.stopOffset, "\(name) \(describe(item.component.stop, field)) is out of range \(rangeText(field, from...to))")
            }
            if c.start + c.repeatStep > c.stop {
                return fail(item.startOffset, "\(field.rawValue) range \(describe(c.start, field))..\(describe(item.component.stop, field)) is empty or backwards")
            }
        } else if eom && c.start - c.repeatStep < from {
            return fail(item.repeatOffset, "repetition /\(describe(c.repeatStep, field)) from day ~\(c.start) runs past the start of the month")
        } else if !eom && c.start + c.repeatStep > to {
            return fail(item.repeatOffset, "\(field.rawValue) \(describe(c.start, field))/\(describe(c.repeatStep, field)) never repeats within \(rangeText(field, from...to))")
        }
        return nil
    }
}
