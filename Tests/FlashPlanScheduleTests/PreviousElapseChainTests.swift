import Foundation
import Testing
@testable import FlashPlanSchedule

private func at(_ iso: String) -> Date {
    guard let d = ISO8601DateFormatter().date(from: iso) else { fatalError("bad test date \(iso)") }
    return d
}

/// DESIGN §3: the latest elapse at or before `now` is the last element of
/// the chain a timer running all along follows, so a fall-back fold never
/// makes a backup due twice.
@Suite struct PreviousElapseChainTests {
    /// Europe/Rome repeats 02:00–03:00 on 2026-10-25. The chain from the day
    /// before fires at 02:30 CEST (00:30Z) and next at 02:30 CET on the 26th;
    /// the second 02:30 (01:30Z) is not an elapse of that chain.
    /// (Before 2026-12 previousElapse returned the second 02:30 here.)
    @Test func romeFoldFiresOnce() throws {
        let rome = try #require(TimeZone(identifier: "Europe/Rome"))
        for expression in ["*-*-* 02:30:00", "*-*-* 02:30:00 Europe/Rome"] {
            let event = try CalendarEvent(parsing: expression)
            let chain = event.nextElapses(after: at("2026-10-24T00:00:00Z"), count: 3, defaultTimeZone: rome)
            #expect(chain == [at("2026-10-24T00:30:00Z"), at("2026-10-25T00:30:00Z"), at("2026-10-26T01:30:00Z")])
            // After the second 02:30 the latest elapse is still the first one.
            for now in ["2026-10-25T01:30:00Z", "2026-10-25T01:45:00Z", "2026-10-25T12:00:00Z", "2026-10-26T01:29:59Z"] {
                #expect(event.previousElapse(atOrBefore: at(now), defaultTimeZone: rome) == at("2026-10-25T00:30:00Z"),
                        "\(expression) at \(now)")
            }
        }
    }
}
