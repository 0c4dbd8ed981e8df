/// The next-elapse search, a faithful port of systemd 252's find_next()
/// (src/shared/calendarspec.c), because "exactly like systemd" includes its
/// quirks: it walks the broken-down local time unit by unit, lets mktime
/// normalize overflows and DST gaps, and restarts from the normalized time.
extension CalendarSpec {
    /// systemd's safety valve against endless searches.
    static let maxIterations = 1000

    /// calendar_spec_next_usec: the first elapse strictly after `usec`
    /// (microseconds since the epoch), or nil if there is none before 2200
    /// (or systemd would give up searching).
    func nextElapse(afterMicroseconds usec: Int, rules: ZoneRules?) -> Int? {
        var hazard = false
        let plain = search(after: usec, rules: rules, carryDST: false, hazard: &hazard)
        guard hazard else { return plain.elapse }
        // systemd's find_next feeds the DST flag of a normalized time back
        // into the next mktime. Where that flag no longer fits the time (after
        // a month or year rolled over into the other DST state, or inside a
        // gap), glibc moves the time by the DST offset: systemd can then loop
        // until its safety valve (an error, "never" here) or land before the
        // base time, in which case systemd 252 searches again and finds what
        // the plain search finds. Verified case by case against
        // systemd-analyze (Fixtures/generate.py).
        var ignored = false
        let carried = search(after: usec, rules: rules, carryDST: true, hazard: &ignored)
        switch carried {
        case .stuck: return nil
        case .found(let t) where t > usec: return t
        default: return plain.elapse
        }
    }

    enum SearchResult {
        case found(Int)
        case never
        /// systemd's MAX_CALENDAR_ITERATIONS was reached.
        case stuck

        var elapse: Int? {
            if case .found(let t) = self { t } else { nil }
        }
    }

    private func search(after usec: Int, rules: ZoneRules?, carryDST: Bool, hazard: inout Bool) -> SearchResult {
        var clock = LocalClock(rules: utc ? nil : rules)
        let next = usec + 1
        let seconds = CivilTime.floorDiv(next, Self.usecPerSecond)
        var tm = clock.localTime(seconds)
        var tmUsec = next - seconds * Self.usecPerSecond
        switch findNext(&tm, &tmUsec, clock: &clock, carryDST: carryDST, hazard: &hazard) {
        case .found: break
        case .never: return .never
        case .stuck: return .stuck
        }
        guard let t = clock.makeTime(&tm) else { return .never }
        return .found(t * Self.usecPerSecond + tmUsec)
    }

    // find_matching_component: 0 unchanged, 1 changed, -1 no match (ENOENT).
    private func matchComponent(_ chain: CalendarChain?, isDay: Bool, tm: CivilTime, value: inout Int, clock: inout LocalClock) -> Int {
        guard let chain else { return 0 }
        let endOfMonth = self.endOfMonth && isDay
        var best = -1
        var found = false
        for c in chain {
            var start = c.start
            var stop = c.stop
            if endOfMonth {
                start = Self.endOfMonthDay(tm, c.start, clock: &clock)
                stop = Self.endOfMonthDay(tm, c.stop, clock: &clock)
                if stop > 0 { swap(&start, &stop) }
            }
            if start >= value {
                if !found || start < best {
                    best = start
                    found = true
                }
            } else if c.repeatStep > 0 {
                let k = start + c.repeatStep * ((value - start + c.repeatStep - 1) / c.repeatStep)
                if (!found || k < best) && (stop < 0 || k <= stop) {
                    best = k
                    found = true
                }
            }
        }
        guard found else { return -1 }
        let changed = value != best
        value = best
        return changed ? 1 : 0
    }

    // find_end_of_month: the day of tm's month that is `day` days before its
    // end (1 = last day), -1 if that falls outside the month.
    private static func endOfMonthDay(_ tm: CivilTime, _ day: Int, clock: inout LocalClock) -> Int {
        var t = tm
        t.month += 1
        t.mday = 1 - day
        guard clock.makeTime(&t) != nil, t.month == tm.month else { return -1 }
        return t.mday
    }

    // tm_within_bounds: 1 in bounds, 0 normalized (tm updated, with the
    // next smaller unit reset), -1 out of range or going backwards.
    private static func withinBounds(_ tm: inout CivilTime, clock: inout LocalClock) -> Int {
        if tm.year > maxYear { return -1 }
        var t = tm
        guard clock.makeTime(&t) != nil else { return -1 }
        let cmp: Int
        if t.year != tm.year {
            cmp = t.year < tm.year ? -1 : 1
            t.month = 0
        } else if t.month != tm.month {
            cmp = t.month < tm.month ? -1 : 1
            t.mday = 1
        } else if t.mday != tm.mday {
            cmp = t.mday < tm.mday ? -1 : 1
            t.hour = 0
        } else if t.hour != tm.hour {
            cmp = t.hour < tm.hour ? -1 : 1
            t.minute = 0
        } else if t.minute != tm.minute {
            cmp = t.minute < tm.minute ? -1 : 1
            t.second = 0
        } else {
            cmp = t.second == tm.second ? 0 : (t.second < tm.second ? -1 : 1)
        }
        if cmp < 0 { return -1 }
        if cmp > 0 { tm = t }
        return cmp == 0 ? 1 : 0
    }

    private func matchesWeekday(_ tm: CivilTime, clock: inout LocalClock) -> Bool {
        if weekdaysBits < 0 || weekdaysBits >= Self.allWeekdays { return true }
        var t = tm
        guard clock.makeTime(&t) != nil else { return false }
        let k = t.weekday == 0 ? 6 : t.weekday - 1
        return weekdaysBits & (1 << k) != 0
    }

    // find_next
    private func findNext(_ tm: inout CivilTime, _ usec: inout Int, clock: inout LocalClock,
                          carryDST: Bool, hazard: inout Bool) -> SearchResult {
        var c = tm
        var tmUsec = usec
        for iteration in 0..<Self.maxIterations {
            // A DST flag carried over from a normalization: drop it, but note
            // when it disagrees with the time it is attached to — then
            // systemd's mktime would have moved the time (see nextElapse).
            // (It would when the flag is the other one, or when the time sits
            // in a gap, where glibc resolves a given flag backwards.)
            let carried = c.isDST
            let requested = c
            if iteration > 0 && !carryDST { c.isDST = -1 }
            _ = clock.makeTime(&c)
            if iteration > 0 && !carryDST && carried >= 0
                && (c.isDST != carried || c.hour != requested.hour || c.minute != requested.minute || c.mday != requested.mday) {
                hazard = true
            }
            c.isDST = -1

            var yearValue = c.year
            var r = matchComponent(year, isDay: false, tm: c, value: &yearValue, clock: &clock)
            c.year = yearValue
            if r > 0 {
                c.month = 0; c.mday = 1
                c.hour = 0; c.minute = 0; c.second = 0; tmUsec = 0
            }
            if r < 0 { return .never }
            if Self.withinBounds(&c, clock: &clock) <= 0 { return .never }

            c.month += 1
            var month = c.month
            r = matchComponent(self.month, isDay: false, tm: c, value: &month, clock: &clock)
            c.month = month - 1
            if r > 0 {
                c.mday = 1
                c.hour = 0; c.minute = 0; c.second = 0; tmUsec = 0
            }
            if r >= 0 { r = Self.withinBounds(&c, clock: &clock) }
            if r < 0 {
                c.year += 1; c.month = 0; c.mday = 1
                c.hour = 0; c.minute = 0; c.second = 0; tmUsec = 0
                continue
            }
            if r == 0 { continue }

            var mday = c.mday
            r = matchComponent(day, isDay: true, tm: c, value: &mday, clock: &clock)
            c.mday = mday
            if r > 0 { c.hour = 0; c.minute = 0; c.second = 0; tmUsec = 0 }
            if r >= 0 { r = Self.withinBounds(&c, clock: &clock) }
            if r < 0 {
                c.month += 1; c.mday = 1
                c.hour = 0; c.minute = 0; c.second = 0; tmUsec = 0
                continue
            }
            if r == 0 { continue }

            if !matchesWeekday(c, clock: &clock) {
                c.mday += 1
                c.hour = 0; c.minute = 0; c.second = 0; tmUsec = 0
                continue
            }

            var hourValue = c.hour
            r = matchComponent(hour, isDay: false, tm: c, value: &hourValue, clock: &clock)
            c.hour = hourValue
            if r > 0 { c.minute = 0; c.second = 0; tmUsec = 0 }
            if r >= 0 { r = Self.withinBounds(&c, clock: &clock) }
            if r < 0 {
                c.mday += 1
                c.hour = 0; c.minute = 0; c.second = 0; tmUsec = 0
                continue
            }
            // The hour just set may not exist (DST): start again from the
            // normalized time.
            if r == 0 { continue }

            var minuteValue = c.minute
            r = matchComponent(minute, isDay: false, tm: c, value: &minuteValue, clock: &clock)
            c.minute = minuteValue
            if r > 0 { c.second = 0; tmUsec = 0 }
            if r >= 0 { r = Self.withinBounds(&c, clock: &clock) }
            if r < 0 {
                c.hour += 1
                c.minute = 0; c.second = 0; tmUsec = 0
                continue
            }
            if r == 0 { continue }

            var secondValue = c.second * Self.usecPerSecond + tmUsec
            r = matchComponent(microsecond, isDay: false, tm: c, value: &secondValue, clock: &clock)
            tmUsec = secondValue % Self.usecPerSecond
            c.second = secondValue / Self.usecPerSecond
            if r >= 0 { r = Self.withinBounds(&c, clock: &clock) }
            if r < 0 {
                c.minute += 1
                c.second = 0; tmUsec = 0
                continue
            }
            if r == 0 { continue }

            tm = c
            usec = tmUsec
            return .found(0)
        }
        return .stuck
    }
}
