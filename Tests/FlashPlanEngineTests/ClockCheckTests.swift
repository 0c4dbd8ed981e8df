import FlashPlanEngine
import FlashPlanModel
import Foundation
import Testing

@Suite struct ClockCheckTests {
    static let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    func observed(lastActivity: Date?, backup: Date? = nil) -> ObservedState {
        var state = ObservedState(lineage: "l", serial: 1)
        state.lastActivity = lastActivity
        if let backup {
            state.snapshots = [ObservedSnapshot(volume: "v", name: "b", label: "daily", created: backup, hosts: [], tag: nil, group: "g")]
        }
        return state
    }

    @Test func aNewStateHasNoClockToDoubt() {
        #expect(ClockCheck.fault(observed: observed(lastActivity: nil), now: Self.t0) == nil)
    }

    @Test func theEdgesOfTheWindow() {
        let state = observed(lastActivity: Self.t0)
        #expect(ClockCheck.fault(observed: state, now: Self.t0) == nil)
        #expect(ClockCheck.fault(observed: state, now: Self.t0.addingTimeInterval(31 * 86400)) == nil)
        #expect(ClockCheck.fault(observed: state, now: Self.t0.addingTimeInterval(31 * 86400 + 1)) == .forwards(lastActivity: Self.t0))
        #expect(ClockCheck.fault(observed: state, now: Self.t0.addingTimeInterval(-1)) == .backwards(newest: Self.t0))
    }

    @Test func aBackupNewerThanTheClockIsABackwardsClock() {
        let state = observed(lastActivity: Self.t0, backup: Self.t0.addingTimeInterval(3600))
        #expect(ClockCheck.fault(observed: state, now: Self.t0.addingTimeInterval(1800)) == .backwards(newest: Self.t0.addingTimeInterval(3600)))
    }

    @Test func daysRulesKeepEverythingWhileTheClockIsInDoubtAndCountRulesDoNot() {
        let candidates = (0..<10).map { RetentionEvaluator.Candidate(name: "b\($0)", created: Self.t0.addingTimeInterval(-Double($0) * 86400), protections: []) }
        let byDays = RetentionEvaluator.evaluate(candidates, rule: .days(2), now: Self.t0, byAge: false)
        #expect(byDays.allSatisfy { $0.keep })
        #expect(RetentionEvaluator.evaluate(candidates, rule: .days(2), now: Self.t0).filter(\.keep).count == 2)
        #expect(RetentionEvaluator.evaluate(candidates, rule: .count(3), now: Self.t0, byAge: false).filter(\.keep).count == 3)
    }
}
