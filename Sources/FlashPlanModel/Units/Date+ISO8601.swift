import Foundation

extension Date {
    /// `2026-11-21T10:00:00Z`, by arithmetic: formatting a million dates through
    /// ISO8601DateFormatter costs seconds, this costs milliseconds.
    public var iso8601: String {
        let (year, month, day, secondOfDay) = utcCivil
        func pad(_ n: Int64, _ width: Int) -> String {
            let text = String(n)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay % 3600 / 60, 2)):\(pad(secondOfDay % 60, 2))Z"
    }

    /// The UTC calendar date and the second of the day, to the second (rounded down), by
    /// arithmetic; shared by `iso8601` and writers that emit the same text byte by byte.
    public var utcCivil: (year: Int64, month: Int64, day: Int64, secondOfDay: Int64) {
        let seconds = Int64(timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        // Civil date from days since 1970-01-01 (H. Hinnant, "chrono-compatible low-level date algorithms").
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, secondOfDay)
    }
}

extension Date {
    /// Reads exactly what `iso8601` writes (`2026-11-21T10:00:00Z`), by arithmetic;
    /// nil for anything else (other offsets, fractions), which a date parser must read.
    public init?(iso8601 text: String) {
        var text = text
        guard let seconds = text.withUTF8({ bytes -> Int64? in
            guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
                bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "Z")
            else { return nil }
            func number(_ from: Int, _ count: Int) -> Int64? {
                var value: Int64 = 0
                for index in from..<from + count {
                    let digit = bytes[index] &- 0x30
                    guard digit < 10 else { return nil }
                    value = value * 10 + Int64(digit)
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
                let minute = number(14, 2), let second = number(17, 2),
                (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
            else { return nil }
            // Days since 1970-01-01 from the civil date (H. Hinnant), the inverse of `iso8601`.
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yoe = y - era * 400
            let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
            let days = era * 146_097 + doe - 719_468
            return days * 86400 + hour * 3600 + minute * 60 + second
        }) else { return nil }
        self.init(timeIntervalSince1970: TimeInterval(seconds))
    }
}
