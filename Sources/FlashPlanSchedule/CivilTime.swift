/// A broken-down time like C's `struct tm`, with the same conventions the
/// calendar code relies on: fields may be out of range until normalized,
/// `month` is 0-based, `isDST` is -1 (unknown), 0 or 1.
/// `year` is the full year (not years since 1900).
struct CivilTime: Sendable, Hashable {
    var year: Int
    var month: Int
    var mday: Int
    var hour: Int
    var minute: Int
    var second: Int
    var isDST: Int = -1
    /// 0 = Sunday, as in `tm_wday`. Only meaningful after normalization.
    var weekday: Int = 0

    init(year: Int, month: Int, mday: Int, hour: Int, minute: Int, second: Int, isDST: Int = -1) {
        self.year = year
        self.month = month
        self.mday = mday
        self.hour = hour
        self.minute = minute
        self.second = second
        self.isDST = isDST
    }

    /// Breaks down seconds since the epoch, as gmtime does.
    init(unixSeconds t: Int, isDST: Int = 0) {
        let days = Self.floorDiv(t, 86_400)
        let secs = t - days * 86_400
        let (y, m, d) = Self.civil(fromDays: days)
        self.init(year: y, month: m - 1, mday: d, hour: secs / 3600, minute: (secs / 60) % 60, second: secs % 60, isDST: isDST)
        weekday = Self.floorMod(days + 4, 7)
    }

    /// The fields read as if they were UTC, normalizing out-of-range values
    /// linearly (timegm).
    var secondsAsUTC: Int {
        let y = year + Self.floorDiv(month, 12)
        let m = Self.floorMod(month, 12) + 1
        return (Self.days(fromCivil: y, m, 1) + mday - 1) * 86_400 + hour * 3600 + minute * 60 + second
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q
    }

    static func floorMod(_ a: Int, _ b: Int) -> Int { a - floorDiv(a, b) * b }

    // Howard Hinnant's days_from_civil: proleptic Gregorian, 1-based month.
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
