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
}
