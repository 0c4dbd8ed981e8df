import Foundation
import Testing
@testable import FlashPlanSchedule

/// Compares the implementation with what systemd-analyze recorded.
@Suite struct SystemdParityTests {
    @Test func fixtureIsPresentAndLarge() {
        let fixture = SystemdFixture.shared
        #expect(fixture.cases.count >= 350)
        #expect(fixture.systemd_version.hasPrefix("systemd "))
    }

    @Test(arguments: SystemdFixture.shared.cases)
    func matchesSystemd(_ c: SystemdCase) throws {
        guard let zone = TimeZone(identifier: c.timezone) else {
            Issue.record("unknown zone \(c.timezone)")
            return
        }
        let event: CalendarEvent
        do {
            event = try CalendarEvent(parsing: c.expression)
        } catch {
            #expect(c.error, "rejected but systemd accepts: \(error)")
            return
        }
        #expect(!c.error, "accepted but systemd rejects it")
        guard !c.error else { return }
        let elapses = event.nextElapses(after: Date(timeIntervalSince1970: c.base), count: 5, defaultTimeZone: zone)
        let seconds = elapses.map { Int($0.timeIntervalSince1970.rounded(.down)) }
        if c.stuck == true {
            // systemd printed nothing; we stop where it gave up.
            #expect(seconds.count < 5)
            return
        }
        #expect(event.normalized == c.normalized)
        #expect(seconds == c.next ?? [])
    }
}
