import Foundation

extension CalendarEvent {
    /// A fixed starting point so the estimates below are pure functions of
    /// the expression (2024-01-01T00:00:00Z: a leap year, both DST changes).
    static let statisticsReference = 1_704_067_200 * 1_000_000

    /// The smallest gap between consecutive elapses, in seconds, found over
    /// the first 5,000 elapses or four years (whichever comes first) from
    /// 2024-01-01 or the first elapse after it; nil if it fires at most once.
    ///
    /// In a zone with DST a `daily` schedule has a 23-hour gap on the day
    /// clocks spring forward; compare with some slack.
    public func minimumInterval(defaultTimeZone: TimeZone) -> TimeInterval? {
        let rules = rules(defaultTimeZone: defaultTimeZone)
        guard var previous = spec.nextElapse(afterMicroseconds: Self.statisticsReference, rules: rules) else { return nil }
        let horizon = previous + 4 * 366 * 86_400 * CalendarSpec.usecPerSecond
        var smallest: Int?
        var count = 0
        while count < 5000, let next = spec.nextElapse(afterMicroseconds: previous, rules: rules) {
            smallest = min(smallest ?? Int.max, next - previous)
            previous = next
            count += 1
            if next > horizon { break }
        }
        return smallest.map { Double($0) / Double(CalendarSpec.usecPerSecond) }
    }

    /// The largest number of elapses in any one calendar day: the matching
    /// hours × minutes × seconds of a day (a repeated DST hour does not fire
    /// twice in systemd, so this is exact), or 0 if it never fires.
    /// For retention arithmetic: a `days: D` rule counts as D × this.
    public func maximumElapsesPerDay(defaultTimeZone: TimeZone) -> Int {
        let rules = rules(defaultTimeZone: defaultTimeZone)
        guard spec.nextElapse(afterMicroseconds: 0, rules: rules) != nil else { return 0 }
        let hours = Self.countValues(spec.hour, in: 0..<24)
        let minutes = Self.countValues(spec.minute, in: 0..<60)
        let seconds = Self.countValues(spec.microsecond, in: 0..<(60 * CalendarSpec.usecPerSecond))
        let total = hours.multipliedReportingOverflow(by: minutes)
        guard !total.overflow else { return Int.max }
        let all = total.partialValue.multipliedReportingOverflow(by: seconds)
        return all.overflow ? Int.max : all.partialValue
    }

    /// How many values of `range` a chain matches (`nil` matches all).
    static func countValues(_ chain: CalendarChain?, in range: Range<Int>) -> Int {
        guard let chain else { return range.count }
        var total = 0
        var values = Set<Int>()
        for c in chain {
            let last = c.stop >= 0 ? min(c.stop, range.upperBound - 1) : (c.repeatStep > 0 ? range.upperBound - 1 : c.start)
            guard c.start < range.upperBound, last >= c.start else { continue }
            let step = max(c.repeatStep, 1)
            let n = c.repeatStep > 0 ? (last - c.start) / step + 1 : 1
            total += n
            if total > 100_000 { continue }  // too many to dedupe; an upper bound is fine
            var v = c.start
            while v <= last {
                values.insert(v)
                if c.repeatStep == 0 { break }
                v += step
            }
        }
        return total > 100_000 ? total : values.count
    }
}
