extension CalendarComponent {
    /// One item as normalize_chain leaves it: a range trimmed to a whole
    /// number of repetitions, and a range that cannot repeat even once
    /// (`5..5`, `0..5/10`) reduced to its start.
    var normalized: CalendarComponent {
        var c = self
        if c.stop > c.start && c.repeatStep > 0 {
            c.stop -= (c.stop - c.start) % c.repeatStep
        }
        if (c.stop > c.start && c.start + c.repeatStep > c.stop) || c.start == c.stop {
            c.repeatStep = 0
            c.stop = -1
        }
        return c
    }
}

extension Array where Element == CalendarComponent {
    /// systemd's normalize_chain: trims ranges to a whole number of
    /// repetitions, sorts and drops duplicates.
    func normalizedChain() -> [CalendarComponent] {
        var result: [CalendarComponent] = []
        for c in map(\.normalized).sorted() where result.last != c {
            result.append(c)
        }
        return result
    }
}
