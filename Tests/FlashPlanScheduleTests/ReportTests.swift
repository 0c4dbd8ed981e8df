import Foundation
import Testing
@testable import FlashPlanSchedule

@Suite struct ReportTests {
    static let base = Date(timeIntervalSince1970: 1_795_233_600)  // 2026-11-21T04:00:00Z

    @Test func textLikeSystemdAnalyzeInUTC() {
        let report = CalendarEventReport(expressions: ["Thu 10:00", "*-02-30"], baseTime: Self.base, iterations: 3,
                                         timeZone: TimeZone(identifier: "UTC")!)
        #expect(report.renderText() == """
              Original form: Thu 10:00
            Normalized form: Thu *-*-* 10:00:00
                Next elapse: Thu 2026-11-26 10:00:00 UTC
                   Iter. #2: Thu 2026-12-03 10:00:00 UTC
                   Iter. #3: Thu 2026-12-10 10:00:00 UTC

              Original form: *-02-30
            Normalized form: *-02-30 00:00:00
                Next elapse: never
            """)
        #expect(!report.hasErrors)
    }

    @Test func textInAZoneShowsUTCToo() {
        // Same layout and abbreviations as `TZ=Europe/Rome systemd-analyze calendar`.
        let report = CalendarEventReport(expressions: ["hourly"], baseTime: Date(timeIntervalSince1970: 1_792_886_400),
                                         iterations: 2, timeZone: TimeZone(identifier: "Europe/Rome")!)
        #expect(report.renderText() == """
              Original form: hourly
            Normalized form: *-*-* *:00:00
                Next elapse: Sun 2026-10-25 03:00:00 CET
                   (in UTC): Sun 2026-10-25 02:00:00 UTC
                   Iter. #2: Sun 2026-10-25 04:00:00 CET
                   (in UTC): Sun 2026-10-25 03:00:00 UTC
            """)
    }

    @Test func json() {
        let report = CalendarEventReport(expressions: ["Thu 10:00", "*-02-30", "Sun 25:00"], baseTime: Self.base,
                                         iterations: 2, timeZone: TimeZone(identifier: "UTC")!)
        #expect(report.renderJSON() == """
            [
              {
                "expression": "Thu 10:00",
                "normalized": "Thu *-*-* 10:00:00",
                "next": [
                  "2026-11-26T10:00:00Z",
                  "2026-12-03T10:00:00Z"
                ]
              },
              {
                "expression": "*-02-30",
                "normalized": "*-02-30 00:00:00",
                "next": []
              }
            ]
            """)
        let decoded = try? JSONSerialization.jsonObject(with: Data(report.renderJSON().utf8)) as? [[String: Any]]
        #expect(decoded?.count == 2)
        #expect(report.hasErrors)
        #expect(report.errorMessages == ["error: Sun 25:00:5: hour 25 is out of range 0..23\n  Sun 25:00\n      ^"])
    }

    @Test func iso8601() {
        #expect(CalendarEventReport.iso8601UTC(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(CalendarEventReport.iso8601UTC(Date(timeIntervalSince1970: 1.5)) == "1970-01-01T00:00:01.5Z")
        #expect(CalendarEventReport.jsonString("a\"b\\c\n") == "\"a\\\"b\\\\c\\n\"")
    }

    @Test func benchmarkRuns() {
        let text = ScheduleBenchmark.run(iterations: 10)
        #expect(text.contains("hourly"))
        #expect(text.split(separator: "\n").count == ScheduleBenchmark.expressions.count + 2)
    }
}
