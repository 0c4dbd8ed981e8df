import Foundation

extension CalendarEvent {
    /// How far back ``previousElapse(atOrBefore:defaultTimeZone:)`` looks.
    public static let previousElapseWindow: TimeInterval = 5 * 366 * 86_400

    /// The latest elapse at or before `date` (used for "is a backup due?");
    /// nil if there is none in the last five years.
    ///
    /// Defined through ``nextElapse(after:defaultTimeZone:)`` so it agrees
    /// with it exactly, DST quirks included: the result `e` is an elapse
    /// (`nextElapse(after: e - 1µs) == e`) with `e <= date`, and there is no
    /// later one up to `date`. In a fall-back fold systemd's elapses depend
    /// on where the search starts — `*:30` run since the day before skips
    /// the repeated 02:30, a timer started at 02:00 in the repeated hour
    /// fires at it — and this counts such an elapse too. It gallops backwards
    /// from `date` until a window holds an elapse, then bisects; a few dozen
    /// next-elapse evaluations, each well under a microsecond for common
    /// expressions.
    public func previousElapse(atOrBefore date: Date, defaultTimeZone: TimeZone) -> Date? {
        let rules = rules(defaultTimeZone: defaultTimeZone)
        let target = Self.microseconds(date)
        return previousElapse(atOrBeforeMicroseconds: target, rules: rules).map(Self.date)
    }

    func previousElapse(atOrBeforeMicroseconds target: Int, rules: ZoneRules?) -> Int? {
        func next(_ s: Int) -> Int? { spec.nextElapse(afterMicroseconds: s, rules: rules) }
        func firesBy(_ s: Int) -> Bool { next(s).map { $0 <= target } ?? false }

        let limit = Int(Self.previousElapseWindow) * CalendarSpec.usecPerSecond
        // Nothing in the whole window (e.g. `*-02-30`): one evaluation, not a gallop.
        guard firesBy(target - limit) else { return nil }
        // Gallop back until a window (s, target] holds an elapse, starting
        // with the event's finest period (a day for `daily`: usually one step).
        var hi = target
        var width = spec.finestPeriodSeconds * CalendarSpec.usecPerSecond
        var lo = target - limit
        while width < limit {
            let s = target - width
            if firesBy(s) {
                lo = s
                break
            }
            hi = s
            width *= 8
        }
        guard var best = latest(from: lo, below: hi, target: target, next: next) else { return nil }
        // In a fall-back fold the chain of elapses from an earlier start can
        // skip one that a timer started inside the fold would hit; look from
        // each zone change up to `target` as well.
        let usec = CalendarSpec.usecPerSecond
        let first = CivilTime.floorDiv(best, usec) + 1, last = CivilTime.floorDiv(target, usec)
        let changes = first <= last ? rules?.transitions(in: first...last) ?? [] : []
        for change in changes {
            let start = change * usec - 1
            if firesBy(start), let candidate = latest(from: start, below: target, target: target, next: next), candidate > best {
                best = candidate
            }
        }
        return best
    }

    /// The last elapse of the chain that starts after `lo` and stays at or
    /// before `target`, given `next(lo) <= target` and `next(hi) > target`.
    private func latest(from lo: Int, below hi: Int, target: Int, next: (Int) -> Int?) -> Int? {
        guard var e = next(lo), e <= target else { return nil }
        var hi = hi
        while true {
            guard let n = next(e), n <= target, n > e else { return e }
            // Several elapses left in the window: jump halfway towards `hi`.
            let mid = n + (hi - n) / 2
            if let m = next(mid), m <= target, m > n {
                e = m
            } else {
                e = n
                hi = max(mid, n)
            }
        }
    }

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
