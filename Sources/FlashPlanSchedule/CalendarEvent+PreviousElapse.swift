import Foundation
import Synchronization

extension CalendarEvent {
    /// How far back ``previousElapse(atOrBefore:defaultTimeZone:)`` looks.
    public static let previousElapseWindow: TimeInterval = 5 * 366 * 86_400

    /// The latest elapse at or before `date` (used for "is a backup due?");
    /// nil if there is none in the last five years.
    ///
    /// "Elapse" means an element of the chain a timer running all along
    /// follows (DESIGN §3): each elapse is ``nextElapse(after:defaultTimeZone:)``
    /// of the one before. That chain is what systemd fires, and it is the
    /// only reading under which a fall-back fold cannot make a backup due
    /// twice: systemd's search gives a different answer from a start inside
    /// the repeated hour (`*-*-* 02:30` from 02:10 in Rome's second 02:00
    /// hour finds the second 02:30, which the chain skips), so "the latest
    /// time some search could return" would count the fold twice.
    ///
    /// Away from zone changes every start gives a chain element, so the
    /// answer is galloped to and bisected (a few dozen next-elapse
    /// evaluations). Within a day of a change only chain elements are
    /// trusted: the search starts at least a day before the change and
    /// steps from elapse to elapse until it is a day past it: up to about 50
    /// steps for `hourly` (some 40 µs), a handful for `daily` and slower
    /// events, but ~2,900 for `minutely` (over a millisecond), which no
    /// policy may use. A day either side is a generous margin around the
    /// repeated hour, and cheap for the schedules policies use.
    ///
    /// The answer is remembered with the chain's next element: every `date` before that
    /// next elapse has the same previous elapse, so the hourly planner, `status` and a
    /// simulation stepping through time mostly answer from memory.
    public func previousElapse(atOrBefore date: Date, defaultTimeZone: TimeZone) -> Date? {
        let target = Self.microseconds(date)
        let key = ElapseMemo.Key(expression: expression, zone: defaultTimeZone.identifier)
        if let known = ElapseMemo.shared.interval(key, containing: target) { return Self.date(known) }
        let rules = rules(defaultTimeZone: defaultTimeZone)
        guard let elapse = previousElapse(atOrBeforeMicroseconds: target, rules: rules) else { return nil }
        // Only a chain element with a later next element bounds an interval; an elapse with
        // none after it (the last one an event has) is not remembered.
        if let next = spec.nextElapse(afterMicroseconds: elapse, rules: rules), next > target {
            ElapseMemo.shared.remember(key, elapse: elapse, next: next)
        }
        return Self.date(elapse)
    }

    /// The uncached search, for tests that check the memory against it.
    func previousElapseUncached(atOrBefore date: Date, defaultTimeZone: TimeZone) -> Date? {
        previousElapse(atOrBeforeMicroseconds: Self.microseconds(date), rules: rules(defaultTimeZone: defaultTimeZone)).map(Self.date)
    }

    func previousElapse(atOrBeforeMicroseconds target: Int, rules: ZoneRules?) -> Int? {
        func next(_ s: Int) -> Int? { spec.nextElapse(afterMicroseconds: s, rules: rules) }
        func firesBy(_ s: Int) -> Bool { next(s).map { $0 <= target } ?? false }
        let usec = CalendarSpec.usecPerSecond
        let day = 86_400 * usec
        func changes(_ from: Int, _ to: Int) -> [Int] {
            let first = CivilTime.floorDiv(from, usec), last = CivilTime.floorDiv(to, usec)
            return first <= last ? rules?.transitions(in: first...last) ?? [] : []
        }
        // A start no zone change precedes by less than a day: from there the
        // search finds the chain's next element, as the chain itself does.
        func clean(_ s: Int) -> Int {
            var s = s
            while let change = changes(s - day, s).first {
                s = change * usec - day - 1
            }
            return s
        }

        let limit = Int(Self.previousElapseWindow) * usec
        // Nothing in the whole window (e.g. `*-02-30`): one evaluation, not a gallop.
        guard firesBy(target - limit) else { return nil }
        // Gallop back from a clean start that fires by `target`, starting
        // with the event's finest period (a day for `daily`: usually one step).
        var hi = target
        var width = spec.finestPeriodSeconds * usec
        var lo = clean(target - limit)
        while width < limit {
            let s = clean(target - width)
            if firesBy(s) {
                lo = s
                break
            }
            hi = s
            width = max(width, target - s) * 8
        }
        guard var e = next(lo), e <= target else { return nil }
        // Through each zone change up to `target`: bisect to the chain's last
        // element a day before it, then step along the chain until a day past
        // it; from there on every start is clean again.
        for change in changes(lo, target) {
            let before = change * usec - day - 1
            if e < before { e = latest(after: e, below: before, target: before, next: next) }
            while e < change * usec + day {
                guard let n = next(e), n <= target, n > e else { return e }
                e = n
            }
        }
        return latest(after: e, below: max(hi, e), target: target, next: next)
    }

    /// The last element at or before `target` of the chain through `e`
    /// (itself at or before `target`), given `next(hi) > target` and clean
    /// starts between `e` and `target`: bisects rather than steps.
    private func latest(after e: Int, below hi: Int, target: Int, next: (Int) -> Int?) -> Int {
        var e = e, hi = hi
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

/// The last previous-elapse answer of each event: `[elapse, next elapse)` of its chain,
/// within which every time has that previous elapse.
final class ElapseMemo: Sendable {
    struct Key: Hashable, Sendable {
        var expression: String
        var zone: String
    }

    static let shared = ElapseMemo()

    /// At most this many events are remembered (a configuration has a few dozen).
    private static let capacity = 4096
    private let intervals = Mutex<[Key: (elapse: Int, next: Int)]>([:])

    func interval(_ key: Key, containing target: Int) -> Int? {
        intervals.withLock { known in
            guard let interval = known[key], interval.elapse <= target, target < interval.next else { return nil }
            return interval.elapse
        }
    }

    func remember(_ key: Key, elapse: Int, next: Int) {
        intervals.withLock { known in
            if known.count >= Self.capacity, known[key] == nil { known.removeAll(keepingCapacity: true) }
            known[key] = (elapse, next)
        }
    }
}
