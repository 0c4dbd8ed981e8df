import Foundation

/// Micro-benchmark of the elapse computations, for `flashplan-bench`.
public enum ScheduleBenchmark {
    /// Expressions measured: common policy schedules plus a DST-zoned one,
    /// a month-end one and one that never fires (the worst case: systemd
    /// walks up to year 2199).
    public static let expressions = [
        "hourly", "daily", "Mon..Fri *-*-* 02:30:00", "*-*-* 00/4:15:00",
        "*-*-01 00:00:00 Europe/Rome", "*-*~01 23:00", "minutely", "*-02-30",
    ]

    /// Runs the measurements and returns a small table: µs per call of
    /// `nextElapse` and `previousElapse` for each expression, evaluated in
    /// Europe/Rome at spread-out instants of 2026. Build with `-c release`.
    public static func run(iterations: Int = 20_000) -> String {
        let zone = TimeZone(identifier: "Europe/Rome") ?? TimeZone(secondsFromGMT: 0)!
        let start = 1_767_225_600.0  // 2026-01-01T00:00:00Z
        var lines = ["schedule micro-benchmark (Europe/Rome, \(iterations) calls each)",
                     "expression                          next µs   previous µs"]
        var sink = 0.0
        for expression in expressions {
            guard let event = try? CalendarEvent(parsing: expression) else { continue }
            // Warm the zone tables once, outside the timing.
            _ = event.nextElapse(after: Date(timeIntervalSince1970: start), defaultTimeZone: zone)
            let n = expression == "*-02-30" ? max(iterations / 20, 1) : iterations
            func date(_ i: Int) -> Date { Date(timeIntervalSince1970: start + Double(i % 10_000) * 3_137.0) }

            let t0 = DispatchTime.now().uptimeNanoseconds
            for i in 0..<n {
                sink += event.nextElapse(after: date(i), defaultTimeZone: zone)?.timeIntervalSince1970 ?? 0
            }
            let t1 = DispatchTime.now().uptimeNanoseconds
            for i in 0..<n {
                sink += event.previousElapse(atOrBefore: date(i), defaultTimeZone: zone)?.timeIntervalSince1970 ?? 0
            }
            let t2 = DispatchTime.now().uptimeNanoseconds
            let next = Double(t1 - t0) / Double(n) / 1000
            let previous = Double(t2 - t1) / Double(n) / 1000
            let name = expression.padding(toLength: 34, withPad: " ", startingAt: 0)
            lines.append("\(name) \(String(format: "%8.2f", next))   \(String(format: "%10.2f", previous))")
        }
        if sink == 42 { lines.append("") }  // keep the optimizer honest
        return lines.joined(separator: "\n")
    }
}
