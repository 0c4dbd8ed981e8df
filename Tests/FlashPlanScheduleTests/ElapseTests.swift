import Foundation
import Testing
@testable import FlashPlanSchedule

private let utc = TimeZone(identifier: "UTC")!
private let rome = TimeZone(identifier: "Europe/Rome")!

private func date(_ iso: String) -> Date {
    let formatter = ISO8601DateFormatter()
    guard let d = formatter.date(from: iso) else { fatalError("bad test date \(iso)") }
    return d
}

private func iso(_ d: Date?) -> String? {
    d.map(CalendarEventReport.iso8601UTC)
}

@Suite struct NextElapseTests {
    @Test func weeklyThursday() throws {
        let event = try CalendarEvent(parsing: "Thu 10:00")
        #expect(iso(event.nextElapse(after: date("2026-11-21T04:00:00Z"), defaultTimeZone: utc)) == "2026-11-26T10:00:00Z")
    }

    @Test func strictlyAfter() throws {
        let event = try CalendarEvent(parsing: "daily")
        #expect(iso(event.nextElapse(after: date("2026-11-22T00:00:00Z"), defaultTimeZone: utc)) == "2026-11-23T00:00:00Z")
    }

    @Test func defaultZoneAndExplicitZone() throws {
        let local = try CalendarEvent(parsing: "*-*-* 02:30")
        #expect(iso(local.nextElapse(after: date("2026-11-21T00:00:00Z"), defaultTimeZone: rome)) == "2026-11-21T01:30:00Z")
        #expect(iso(local.nextElapse(after: date("2026-11-21T00:00:00Z"), defaultTimeZone: utc)) == "2026-11-21T02:30:00Z")
        let zoned = try CalendarEvent(parsing: "*-*-* 02:30 Europe/Rome")
        #expect(iso(zoned.nextElapse(after: date("2026-11-21T00:00:00Z"), defaultTimeZone: utc)) == "2026-11-21T01:30:00Z")
        let utcZoned = try CalendarEvent(parsing: "*-*-* 02:30 UTC")
        #expect(iso(utcZoned.nextElapse(after: date("2026-11-21T00:00:00Z"), defaultTimeZone: rome)) == "2026-11-21T02:30:00Z")
    }

    @Test func springForwardGapIsSkipped() throws {
        // 02:30 does not exist in Rome on 2026-03-29.
        let event = try CalendarEvent(parsing: "*-*-* 02:30")
        let next = event.nextElapses(after: date("2026-03-28T12:00:00Z"), count: 2, defaultTimeZone: rome)
        #expect(next.map(CalendarEventReport.iso8601UTC) == ["2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"])
    }

    @Test func fallBackFoldFiresOnce() throws {
        // 02:30 happens twice in Rome on 2026-10-25; systemd fires at the first.
        let event = try CalendarEvent(parsing: "*-*-* 02:30")
        let next = event.nextElapses(after: date("2026-10-24T12:00:00Z"), count: 2, defaultTimeZone: rome)
        #expect(next.map(CalendarEventReport.iso8601UTC) == ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"])
        // hourly skips the repeated hour, as systemd does.
        let hourly = try CalendarEvent(parsing: "hourly")
        let h = hourly.nextElapses(after: date("2026-10-25T00:00:00Z"), count: 2, defaultTimeZone: rome)
        #expect(h.map(CalendarEventReport.iso8601UTC) == ["2026-10-25T02:00:00Z", "2026-10-25T03:00:00Z"])
    }

    @Test func lordHoweHalfHourGap() throws {
        let event = try CalendarEvent(parsing: "*:0/10")
        let next = event.nextElapses(after: date("2026-10-03T15:00:00Z"), count: 4, defaultTimeZone: TimeZone(identifier: "Australia/Lord_Howe")!)
        #expect(next.map(CalendarEventReport.iso8601UTC) == ["2026-10-03T15:10:00Z", "2026-10-03T15:20:00Z", "2026-10-03T15:30:00Z", "2026-10-03T15:40:00Z"])
    }

    @Test func monthEndsAndLeapDays() throws {
        let lastOfFebruary = try CalendarEvent(parsing: "*-02~01")
        #expect(iso(lastOfFebruary.nextElapse(after: date("2027-03-01T00:00:00Z"), defaultTimeZone: utc)) == "2028-02-29T00:00:00Z")
        let leap = try CalendarEvent(parsing: "*-02-29 12:00")
        #expect(iso(leap.nextElapse(after: date("2025-01-01T00:00:00Z"), defaultTimeZone: utc)) == "2028-02-29T12:00:00Z")
        let thirtyFirst = try CalendarEvent(parsing: "*-*-31")
        #expect(iso(thirtyFirst.nextElapse(after: date("2026-04-01T00:00:00Z"), defaultTimeZone: utc)) == "2026-05-31T00:00:00Z")
    }

    @Test(arguments: ["*-02-30", "*-04-31", "2025-02-29", "2100-02-29", "@0"])
    func neverFires(_ expression: String) throws {
        let event = try CalendarEvent(parsing: expression)
        #expect(event.nextElapse(after: date("2026-01-01T00:00:00Z"), defaultTimeZone: utc) == nil)
        #expect(event.nextElapses(after: date("2026-01-01T00:00:00Z"), count: 5, defaultTimeZone: utc).isEmpty)
    }

    @Test func fractionalSeconds() throws {
        let event = try CalendarEvent(parsing: "*:*:1.5")
        #expect(iso(event.nextElapse(after: date("2026-01-01T00:00:00Z"), defaultTimeZone: utc)) == "2026-01-01T00:00:01.5Z")
    }
}

@Suite struct PreviousElapseTests {
    @Test func latestAtOrBefore() throws {
        let daily = try CalendarEvent(parsing: "daily")
        #expect(iso(daily.previousElapse(atOrBefore: date("2026-11-21T10:00:00Z"), defaultTimeZone: utc)) == "2026-11-21T00:00:00Z")
        #expect(iso(daily.previousElapse(atOrBefore: date("2026-11-21T00:00:00Z"), defaultTimeZone: utc)) == "2026-11-21T00:00:00Z")
        let weekly = try CalendarEvent(parsing: "Mon..Fri 02:30 Europe/Rome")
        // Sunday 2026-11-22 noon: the latest is Friday 02:30 CET.
        #expect(iso(weekly.previousElapse(atOrBefore: date("2026-11-22T12:00:00Z"), defaultTimeZone: utc)) == "2026-11-20T01:30:00Z")
        let minutely = try CalendarEvent(parsing: "minutely")
        #expect(iso(minutely.previousElapse(atOrBefore: date("2026-11-21T10:00:59Z"), defaultTimeZone: rome)) == "2026-11-21T10:00:00Z")
    }

    @Test func noneInTheWindow() throws {
        #expect(try CalendarEvent(parsing: "*-02-30").previousElapse(atOrBefore: date("2026-11-21T10:00:00Z"), defaultTimeZone: utc) == nil)
        #expect(try CalendarEvent(parsing: "2030-01-01").previousElapse(atOrBefore: date("2026-11-21T10:00:00Z"), defaultTimeZone: utc) == nil)
        #expect(try CalendarEvent(parsing: "2015-01-01").previousElapse(atOrBefore: date("2026-11-21T10:00:00Z"), defaultTimeZone: utc) == nil)
        #expect(iso(try CalendarEvent(parsing: "2023-01-01").previousElapse(atOrBefore: date("2026-11-21T10:00:00Z"), defaultTimeZone: utc)) == "2023-01-01T00:00:00Z")
    }

    /// Every elapse systemd listed is found again from itself, and from just
    /// before the next one — when it is an element of the chain a timer
    /// running since two days before the base follows. Listed from a base
    /// inside a fall-back fold, systemd can name an elapse that chain skips
    /// (the repeated 02:30); then the answer is the chain's element before
    /// it. Gaps longer than the five-year window are skipped.
    @Test(arguments: SystemdFixture.shared.cases.filter { !$0.error && $0.stuck != true && ($0.next?.count ?? 0) >= 2 && !($0.normalized ?? "").contains(".") })
    func agreesWithSystemdElapses(_ c: SystemdCase) throws {
        let event = try CalendarEvent(parsing: c.expression)
        guard let zone = TimeZone(identifier: c.timezone), let next = c.next, let lastListed = next.last else { return }
        // The running chain, from two days before the base to the last listed elapse.
        var chain: [Date] = []
        var cursor = Date(timeIntervalSince1970: c.base - 2 * 86_400)
        while let n = event.nextElapse(after: cursor, defaultTimeZone: zone), n.timeIntervalSince1970 < Double(lastListed) + 1 {
            chain.append(n)
            cursor = n
        }
        func chainElement(atOrBefore d: Date) -> Date? { chain.last { $0 <= d } }
        for k in 0..<(next.count - 1) where Double(next[k + 1] - next[k]) < CalendarEvent.previousElapseWindow {
            let at = Date(timeIntervalSince1970: TimeInterval(next[k]))
            let justBeforeNext = Date(timeIntervalSince1970: TimeInterval(next[k + 1]) - 0.001)
            #expect(event.previousElapse(atOrBefore: at, defaultTimeZone: zone) == chainElement(atOrBefore: at))
            #expect(event.previousElapse(atOrBefore: justBeforeNext, defaultTimeZone: zone) == chainElement(atOrBefore: justBeforeNext))
            if chain.contains(at) {
                #expect(event.previousElapse(atOrBefore: at, defaultTimeZone: zone) == at)
            }
        }
    }

    /// What systemd lists from inside a fold is not what a running timer
    /// fires: the second 02:30 is never the latest elapse.
    @Test func listedFoldElapsesOutsideTheChainAreNotDue() throws {
        // Base 2026-10-25T01:10Z is 02:10 CET, inside Rome's repeated hour:
        // systemd lists the second 02:30 (01:30Z), which a running timer skips.
        let rome = try #require(TimeZone(identifier: "Europe/Rome"))
        let event = try CalendarEvent(parsing: "*-*-* 02:30")
        let second = Date(timeIntervalSince1970: 1_792_891_800)  // 2026-10-25T01:30:00Z
        #expect(event.nextElapse(after: Date(timeIntervalSince1970: 1_792_890_600), defaultTimeZone: rome) == second)
        #expect(event.previousElapse(atOrBefore: second, defaultTimeZone: rome) == Date(timeIntervalSince1970: 1_792_888_200))
    }
}

@Suite struct StatisticsTests {
    @Test(arguments: [
        ("hourly", "UTC", 3600.0), ("daily", "UTC", 86_400), ("daily", "Europe/Rome", 82_800),
        ("minutely", "Europe/Rome", 60), ("*:*:0/7.5", "UTC", 7.5), ("Mon..Fri 02:30", "UTC", 86_400),
        ("*-*-* 00/4:15:00", "UTC", 14_400), ("weekly", "UTC", 604_800), ("monthly", "UTC", 28 * 86_400),
    ] as [(String, String, Double)])
    func minimumInterval(_ expression: String, _ zone: String, _ seconds: Double) throws {
        let event = try CalendarEvent(parsing: expression)
        #expect(event.minimumInterval(defaultTimeZone: TimeZone(identifier: zone)!) == seconds)
    }

    @Test(arguments: ["*-02-30", "2030-01-01 10:00", "@1800000000"])
    func minimumIntervalOfRareEvents(_ expression: String) throws {
        #expect(try CalendarEvent(parsing: expression).minimumInterval(defaultTimeZone: utc) == nil)
    }

    @Test(arguments: [
        ("hourly", 24), ("minutely", 1440), ("daily", 1), ("*-*-* 00/4:15:00", 6), ("*:0/15", 96),
        ("*-02-30", 0), ("*:*:*", 86_400), ("Mon 10,14:00", 2), ("*:*:0/0.5", 172_800), ("weekly", 1),
        ("8..17:00,30", 20),
    ] as [(String, Int)])
    func maximumElapsesPerDay(_ expression: String, _ count: Int) throws {
        let event = try CalendarEvent(parsing: expression)
        #expect(event.maximumElapsesPerDay(defaultTimeZone: rome) == count)
    }
}
