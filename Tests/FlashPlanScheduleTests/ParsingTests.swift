import Testing
@testable import FlashPlanSchedule

/// Normalized forms as `systemd-analyze calendar` 252 prints them.
@Suite struct NormalizationTests {
    static let cases: [(String, String)] = [
        ("minutely", "*-*-* *:*:00"),
        ("hourly", "*-*-* *:00:00"),
        ("daily", "*-*-* 00:00:00"),
        ("weekly", "Mon *-*-* 00:00:00"),
        ("monthly", "*-*-01 00:00:00"),
        ("yearly", "*-01-01 00:00:00"),
        ("annually", "*-01-01 00:00:00"),
        ("quarterly", "*-01,04,07,10-01 00:00:00"),
        ("semiannually", "*-01,07-01 00:00:00"),
        ("semi-annually", "*-01,07-01 00:00:00"),
        ("bi-annually", "*-01,07-01 00:00:00"),
        ("HOURLY", "*-*-* *:00:00"),
        ("Thu 10:00", "Thu *-*-* 10:00:00"),
        ("Mon..Fri *-*-* 02:30:00", "Mon..Fri *-*-* 02:30:00"),
        ("*-*-* 00/4:15:00", "*-*-* 00/4:15:00"),
        ("*-*-01 00:00:00 Europe/Rome", "*-*-01 00:00:00 Europe/Rome"),
        ("Sat,Sun", "Sat,Sun *-*-* 00:00:00"),
        ("Mon,Tue,Wed", "Mon..Wed *-*-* 00:00:00"),
        ("Mon,Wed,Fri,Sun 1:2:3", "Mon,Wed,Fri,Sun *-*-* 01:02:03"),
        ("Monday-Friday 8:00", "Mon..Fri *-*-* 08:00:00"),
        ("Fri..Sun,Mon", "Mon,Fri..Sun *-*-* 00:00:00"),
        ("Mon..Sun 10:00", "*-*-* 10:00:00"),
        ("12-25", "*-12-25 00:00:00"),
        ("2026-12-25 8:00", "2026-12-25 08:00:00"),
        ("26-2-3", "2026-02-03 00:00:00"),
        ("*-2~1", "*-02~01 00:00:00"),
        ("Mon *-05~03", "Mon *-05~03 00:00:00"),
        ("*:*:1.5", "*-*-* *:*:01.500000"),
        ("*:*:1.25/0.5", "*-*-* *:*:01.250000/0.500000"),
        ("*-*-* 12:00:00.0000005", "*-*-* 12:00:00.000001"),
        ("2,1,2:00", "*-*-* 01,02:00:00"),
        ("0..23/6:00", "*-*-* 00..18/6:00:00"),
        ("10..12/2:00", "*-*-* 10..12/2:00:00"),
        ("*-1..12/3-1", "*-01..10/3-01 00:00:00"),
        ("1..3,5..7:00", "*-*-* 01..03,05..07:00:00"),
        ("*:47..47", "*-*-* *:47:00"),
        ("*:*:10..11/2", "*-*-* *:*:10"),
        ("*-*-* *:*:0..23", "*-*-* *:*:00..23"),
        ("@0", "1970-01-01 00:00:00 UTC"),
        ("daily UTC", "*-*-* 00:00:00 UTC"),
        ("daily utc", "*-*-* 00:00:00 UTC"),
        ("daily Asia/Kolkata", "*-*-* 00:00:00 Asia/Kolkata"),
        ("2003-03-05 05:40 UTC", "2003-03-05 05:40:00 UTC"),
        ("Mon, 10:00", "Mon *-*-* 10:00:00"),
    ]

    @Test(arguments: cases)
    func normalizesLikeSystemd(_ expression: String, _ normalized: String) throws {
        let event = try CalendarEvent(parsing: expression)
        #expect(event.normalized == normalized)
        #expect(event.expression == expression)
    }

    @Test func timeZoneProperty() throws {
        #expect(try CalendarEvent(parsing: "daily").timeZone == nil)
        #expect(try CalendarEvent(parsing: "daily Europe/Rome").timeZone?.identifier == "Europe/Rome")
        #expect(try CalendarEvent(parsing: "daily UTC").timeZone?.secondsFromGMT() == 0)
    }

    @Test func equalityFollowsTheExpression() throws {
        #expect(try CalendarEvent(parsing: "daily") == CalendarEvent(parsing: "daily"))
        #expect(try CalendarEvent(parsing: "daily") != CalendarEvent(parsing: "*-*-* 00:00:00"))
        let set: Set = [try CalendarEvent(parsing: "hourly"), try CalendarEvent(parsing: "hourly")]
        #expect(set.count == 1)
    }
}

/// Rejected expressions (all rejected by systemd-analyze too), with where the
/// error points and what it says.
@Suite struct ParseErrorTests {
    static let cases: [(String, Int, String)] = [
        ("Sun 25:00", 4, "hour 25 is out of range 0..23"),
        ("", 0, "empty calendar expression"),
        (" UTC", 0, "a time zone alone is not a calendar event"),
        ("sun..sat", 0, "weekday range Sun..Sat goes backwards"),
        ("*-*-* 24:00", 6, "hour 24 is out of range 0..23"),
        ("*-13-01", 2, "month 13 is out of range 1..12"),
        ("*-02-32", 5, "day 32 is out of range 1..31"),
        ("*:60", 2, "minute 60 is out of range 0..59"),
        ("*:*:60", 4, "second 60 is out of range 0..59"),
        ("*:50/20", 5, "minute 50/20 never repeats within 0..59"),
        ("*:0/0", 4, "a repetition of 0 never advances"),
        ("Mo 10:00", 0, "expected a number"),
        ("Mondays", 0, "is not a weekday name"),
        ("Mon..", 4, "weekday range has no end"),
        ("Mon..Wed..Fri", 8, "a weekday range cannot continue"),
        ("daily Foo/Bar", 6, "unknown time zone 'Foo/Bar'"),
        ("10:00 Europe/Rom", 6, "unknown time zone 'Europe/Rom'"),
        ("1969-01-01", 0, "year 1969 is out of range 1970..2199"),
        ("2200-01-01", 0, "year 2200 is out of range 1970..2199"),
        ("*-*~29", 4, "out of range 1..28"),
        ("10", 2, "expected ':'"),
        ("10:", 3, "expected a number for the minute"),
        ("10:00:", 6, "expected a number for the second"),
        ("10:00:00:00", 8, "unexpected ':'"),
        ("10:00:1.", 8, "expected digits after the decimal point"),
        ("*:*/5", 3, "expected ':' before the seconds"),
        ("99999999999-01-01", 0, "is too large"),
        ("*-*-* 5..3:00", 6, "hour range 5..3 is empty or backwards"),
        ("2026-01-01T10:00", 10, "unexpected 'T'"),
        ("*:*:47..47", 4, "shorter than one second"),
        ("*-*~07/7", 7, "runs past the start of the month"),
        ("Wed *-*-1..7 ~", 13, "expected a number"),
        ("*~02-01", 4, "'~' must separate the month from the day"),
        ("*-02~01~03", 7, "unexpected '~'"),
    ]

    @Test(arguments: cases)
    func pointsAtTheProblem(_ expression: String, _ offset: Int, _ message: String) {
        do {
            let event = try CalendarEvent(parsing: expression)
            Issue.record("accepted as \(event.normalized)")
        } catch {
            #expect(error.offset == offset)
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test func renderedWithACaret() {
        let error = CalendarEventError(offset: 4, message: "hour 25 is out of range 0..23")
        #expect(error.description == "5: hour 25 is out of range 0..23")
        #expect(error.rendered(expression: "Sun 25:00") == """
            error: Sun 25:00:5: hour 25 is out of range 0..23
              Sun 25:00
                  ^
            """)
    }
}

/// The last year an event can fire in: validation refuses schedules that stop.
@Suite struct LastYearTests {
    @Test(arguments: [
        ("*-*-* 02:30", nil), ("daily", nil), ("2026/1-*-* 02:30", nil), ("2026/2-*-*", nil),
        ("2026-*-* 02:30", 2026), ("2025..2027-*-*", 2027), ("2026,2028-01-01", 2028), ("2026..2030/2-*-*", 2030),
    ] as [(String, Int?)])
    func lastYear(_ expression: String, _ expected: Int?) throws {
        #expect(try CalendarEvent(parsing: expression).lastYear == expected)
    }
}
