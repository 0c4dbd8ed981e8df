import Foundation

/// The times a user gives on the command line (`--now`, `schedule --base-time`): a full
/// ISO-8601 date-time, `YYYY-MM-DDTHH:MM:SS` followed by `Z` or an offset `±HH:MM`
/// (`2026-10-25T02:30:00+02:00`, `2026-11-21T10:00:00Z`). Everything else is refused with
/// the reason, never guessed or truncated:
///
/// - a date alone (no midnight is assumed), a time without a zone (no local zone is
///   assumed), missing seconds;
/// - fractional seconds: flashplan's clock has whole seconds (plans, journals and backup
///   names carry whole seconds), so a fraction would silently be dropped;
/// - an offset other than `±HH:MM` (`+2`, `+0200`, `+02`) or beyond ±14:00;
/// - fields out of range (month 13, February 30, 24:00, a leap second `:60`), a time
///   before 1970 or after 9999;
/// - whitespace, control characters, non-ASCII digits, lowercase `t`/`z`, text after the zone.
public enum CommandLineTime {
    /// Why a value was refused: a phrase completing "'VALUE' is not accepted: …".
    public struct Refusal: Error, Equatable, CustomStringConvertible, Sendable {
        public var reason: String
        public init(_ reason: String) { self.reason = reason }
        public var description: String { reason }
    }

    /// What a refusal shows as a valid value.
    public static let example = "2026-10-25T02:30:00+02:00 or 2026-11-21T10:00:00Z"

    /// The instant `text` names, or the reason it is refused.
    public static func parse(_ text: String) throws(Refusal) -> Date {
        let scalars = Array(text.unicodeScalars)
        guard !scalars.isEmpty else { throw Refusal("it is empty") }
        if scalars.contains(where: { $0.properties.isWhitespace }) {
            throw Refusal("it contains whitespace")
        }
        if scalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            throw Refusal("it contains a control character")
        }
        guard scalars.allSatisfy(\.isASCII) else {
            throw Refusal("it contains a character that is not ASCII (only the digits 0-9, '-', ':', 'T', 'Z' and '+')")
        }
        let bytes = scalars.map { UInt8($0.value) }
        var reader = Reader(bytes: bytes)

        // Date: YYYY-MM-DD.
        guard let year = reader.digits(4), reader.take("-"), let month = reader.digits(2), reader.take("-"),
            let day = reader.digits(2)
        else { throw Refusal("it does not start with a date YYYY-MM-DD") }
        guard (1...12).contains(month) else { throw Refusal("month \(month) does not exist") }
        let monthLength = daysIn(month: month, year: year)
        guard (1...monthLength).contains(day) else {
            throw Refusal("day \(day) does not exist in \(monthName(month)) \(year)")
        }
        if reader.atEnd { throw Refusal("it is a date without a time of day (midnight is not assumed)") }

        // Time: THH:MM:SS.
        if reader.peek == UInt8(ascii: "t") { throw Refusal("the date and time must be separated by an uppercase 'T'") }
        guard reader.take("T") else { throw Refusal("the date must be followed by 'T' and the time of day") }
        guard let hour = reader.digits(2), reader.take(":"), let minute = reader.digits(2) else {
            throw Refusal("the time of day is not HH:MM:SS")
        }
        guard reader.take(":") else { throw Refusal("the time of day has no seconds (HH:MM:SS)") }
        guard let second = reader.digits(2) else { throw Refusal("the seconds are not two digits") }
        if hour == 24 { throw Refusal("24:00:00 is not accepted (it is 00:00:00 of the next day)") }
        guard hour < 24 else { throw Refusal("hour \(hour) does not exist") }
        guard minute < 60 else { throw Refusal("minute \(minute) does not exist") }
        if second == 60 { throw Refusal("leap seconds (:60) are not accepted") }
        guard second < 60 else { throw Refusal("second \(second) does not exist") }
        if reader.peek == UInt8(ascii: ".") || reader.peek == UInt8(ascii: ",") {
            throw Refusal("fractional seconds are not accepted: flashplan's clock counts whole seconds and would drop them")
        }

        // Zone: Z or ±HH:MM.
        if reader.atEnd { throw Refusal("it has no zone; add Z or an offset such as +02:00 (the local zone is not assumed)") }
        var offset = 0
        if reader.peek == UInt8(ascii: "z") { throw Refusal("the zone must be an uppercase 'Z'") }
        if reader.take("Z") {
        } else if let sign = reader.peek, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            reader.index += 1
            guard let hours = reader.digits(2), reader.take(":"), let minutes = reader.digits(2) else {
                throw Refusal("the offset is not ±HH:MM (+02:00, -05:00)")
            }
            guard minutes < 60, hours * 60 + minutes <= 14 * 60 else {
                throw Refusal("offset \(sign == UInt8(ascii: "+") ? "+" : "-")\(pad(hours)):\(pad(minutes)) does not exist (offsets go up to ±14:00)")
            }
            offset = (sign == UInt8(ascii: "+") ? 1 : -1) * (hours * 3600 + minutes * 60)
        } else {
            throw Refusal("the time must be followed by Z or an offset ±HH:MM")
        }
        guard reader.atEnd else { throw Refusal("there is text after the zone") }

        let seconds = daysFromCivil(year: year, month: month, day: day) * 86400
            + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        guard seconds >= 0 else { throw Refusal("it is before 1970-01-01T00:00:00Z") }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0
        var atEnd: Bool { index == bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[index] }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard peek == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        /// Exactly `count` ASCII digits, and not followed by another digit.
        mutating func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for offset in 0..<count {
                let digit = bytes[index + offset] &- 0x30
                guard digit < 10 else { return nil }
                value = value * 10 + Int(digit)
            }
            if index + count < bytes.count, bytes[index + count] &- 0x30 < 10 { return nil }
            index += count
            return value
        }
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func monthName(_ month: Int) -> String {
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
         "November", "December"][month - 1]
    }

    /// Days since 1970-01-01 (H. Hinnant's days_from_civil, as in `Date(iso8601:)`).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = Int64((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1)
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

/// A command-line flag's value that was refused: names the flag, echoes the value (control
/// characters escaped, a very long value cut in the middle for display) and shows what to write.
///
///     --now '2026-10-25T02:30:00' is refused: it has no zone; …; write e.g. 2026-10-25T02:30:00+02:00 or 2026-11-21T10:00:00Z
public struct FlagValueError: Error, Equatable, CustomStringConvertible, Sendable {
    public var flag: String
    public var value: String
    public var reason: String
    public var expected: String

    public init(flag: String, value: String, reason: String, expected: String) {
        self.flag = flag
        self.value = value
        self.reason = reason
        self.expected = expected
    }

    /// At most this many characters of the value are echoed.
    static let echoLimit = 80

    public var description: String {
        var shown = value
        let scalars = value.unicodeScalars
        if scalars.count > Self.echoLimit {
            var cut = String.UnicodeScalarView()
            cut.append(contentsOf: scalars.prefix(Self.echoLimit / 2))
            cut.append("…")
            cut.append(contentsOf: scalars.suffix(Self.echoLimit / 2 - 1))
            shown = String(cut)
        }
        return "\(flag) '\(Escaping.escape(shown))' is refused: \(reason); write \(expected)"
    }
}

extension CommandLineTime {
    /// `parse`, with the refusal worded for `flag`.
    public static func parse(_ text: String, flag: String) throws(FlagValueError) -> Date {
        do {
            return try parse(text)
        } catch {
            throw FlagValueError(
                flag: flag, value: text, reason: error.reason,
                expected: "a full ISO-8601 date-time with Z or an offset, e.g. \(example)")
        }
    }
}
