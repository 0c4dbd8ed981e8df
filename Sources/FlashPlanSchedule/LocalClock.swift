/// localtime/mktime (or gmtime/timegm) as glibc does them, over a
/// `ZoneRules` table instead of the process-wide `TZ`.
///
/// systemd's calendar code leans on mktime's exact behaviour in DST gaps and
/// folds: a time in a spring-forward gap comes back moved forward, and an
/// ambiguous time in a fall-back fold is resolved with the UTC offset of the
/// *previous* mktime call (glibc keeps it in a static, `localtime_offset`).
/// That is why this is a value with state, used for one computation.
struct LocalClock {
    /// nil: plain UTC arithmetic (timegm/gmtime).
    let rules: ZoneRules?
    /// glibc's `localtime_offset`: the last result's `t - local`.
    private(set) var guessOffset = 0

    init(rules: ZoneRules?) {
        self.rules = rules
    }

    /// localtime_r / gmtime_r.
    @inline(__always)
    func localTime(_ t: Int) -> CivilTime {
        guard let rules else { return CivilTime(unixSeconds: t, isDST: 0) }
        let (offset, isDST) = rules.lookup(t)
        return CivilTime(unixSeconds: t + offset, isDST: isDST ? 1 : 0)
    }

    @inline(__always)
    private func convert(_ t: Int) -> (local: Int, isDST: Bool) {
        guard let rules else { return (t, false) }
        let (offset, isDST) = rules.lookup(t)
        return (t + offset, isDST)
    }

    /// mktime / timegm: normalizes `tm` in place and returns the UTC second,
    /// or nil where glibc returns -1 (and leaves `tm` alone).
    mutating func makeTime(_ tm: inout CivilTime) -> Int? {
        guard rules != nil else {
            let t = tm.secondsAsUTC
            tm = CivilTime(unixSeconds: t, isDST: 0)
            return t
        }
        let secRequested = tm.second
        // glibc allows for leap seconds: it solves for a clamped second and
        // adds the difference back afterwards.
        var clamped = tm
        clamped.second = min(max(tm.second, 0), 59)
        let local = clamped.secondsAsUTC
        let isdst = tm.isDST
        let off = guessOffset
        let t0 = local + off
        var t = t0, t1 = t0, t2 = t0
        var dst2 = false
        var remainingProbes = 6
        var current = convert(t)
        var found = false
        while true {
            current = convert(t)
            let dt = local - current.local
            if dt == 0 { break }
            if t == t1 && t != t2 && (isdst < 0 ? (current.isDST && !dst2) : ((isdst > 0) != current.isDST)) {
                // Oscillating around a spring-forward gap: take the side
                // glibc prefers.
                found = true
                break
            }
            remainingProbes -= 1
            if remainingProbes == 0 { return nil }
            t1 = t2
            t2 = t
            t += dt
            dst2 = current.isDST
        }
        if !found && isdst >= 0 && (isdst > 0) != current.isDST {
            // The requested DST flag differs: use the offset of a nearby
            // time that has it (glibc's heuristic), else assume one hour.
            let stride = 601_200
            let bound = 457_243_200 / 2 + stride
            var resolved = false
            var delta = stride
            search: while delta < bound {
                for direction in [-1, 1] {
                    let ot = t + delta * direction
                    let other = convert(ot)
                    if other.isDST == (isdst > 0) {
                        t = ot + (local - other.local)
                        resolved = true
                        break search
                    }
                }
                delta += stride
            }
            if !resolved {
                let dstDifference = (isdst == 0 ? 1 : 0) - (current.isDST ? 0 : 1)
                t += 3600 * dstDifference
            }
        }
        guessOffset = t - t0 + off
        if secRequested != clamped.second {
            t += secRequested - clamped.second
        }
        tm = localTime(t)
        return t
    }
}
