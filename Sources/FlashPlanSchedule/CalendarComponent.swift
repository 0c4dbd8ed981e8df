/// One item of a component list such as `01,04..10/2`: a start, an optional
/// inclusive stop and an optional repetition step — systemd's
/// `CalendarComponent`. Seconds are stored in microseconds.
struct CalendarComponent: Sendable, Hashable, Comparable {
    var start: Int
    /// -1 when there is no range.
    var stop: Int
    /// 0 when there is no repetition.
    var repeatStep: Int

    init(start: Int, stop: Int = -1, repeatStep: Int = 0) {
        self.start = start
        self.stop = stop
        self.repeatStep = repeatStep
    }

    // The order systemd sorts chains in (component_compare), which also
    // fixes the order of the normalized form.
    static func < (a: CalendarComponent, b: CalendarComponent) -> Bool {
        if a.start != b.start { return a.start < b.start }
        if a.stop != b.stop { return a.stop < b.stop }
        return a.repeatStep < b.repeatStep
    }
}

/// A list of components; `nil` where systemd keeps a NULL chain (`*`).
typealias CalendarChain = [CalendarComponent]
