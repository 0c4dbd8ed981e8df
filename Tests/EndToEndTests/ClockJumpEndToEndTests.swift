import Foundation
import Testing

/// A clock that runs backwards or jumps more than 31 days past the last apply is a fault
/// (DESIGN §5): the plan warns and prunes nothing by age until `--allow-clock-jump`;
/// due backups are still taken, and retention by count goes on.
@Suite(.serialized) struct ClockJumpEndToEndTests {
    static let days = (21...25).map { "2026-11-\($0)T10:00:00Z" }

    func dailyBackups(_ workspace: ApplyWorkspace, at now: String) throws -> Int {
        try workspace.listing(now).snapshots(on: "v1", label: "daily").count
    }

    @Test func aClockFarAheadPrunesNothingByAgeUntilConfirmed() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        for day in Self.days { #expect(try workspace.apply(day).exitCode == 0) }
        // days: 3 keeps the backups of the last three days, and the newest always.
        let before = try dailyBackups(workspace, at: Self.days.last!)
        #expect(before == 3 || before == 4, "\(before)")

        let jumped = "2027-01-10T10:00:00Z"
        let plan = try workspace.plan(jumped)
        #expect((plan.stdout + plan.stderr).contains("[clock-jump]"), "\(plan)")
        let run = try workspace.apply(jumped)
        #expect(run.exitCode == 0, "a warning, not an error: \(run)")
        #expect(try dailyBackups(workspace, at: jumped) == before + 1, "the due backup was taken, nothing pruned by age")
        // Retention by count went on: hourly-6 still holds six.
        #expect(try workspace.listing(jumped).snapshots(on: "v1", label: "hourly").count == 6)

        let doubted = try workspace.run(["plan", "--format", "json"] + workspace.flags("2027-01-10T11:00:00Z"))
        // The doubt outlives the first run at the wrong time: it lasts until confirmed.
        #expect(doubted.stdout.contains("the clock is in doubt"), "the reason says why old backups are kept")
        #expect(doubted.stdout.contains("\"clock-jump\""))
        let confirmed = try workspace.apply("2027-01-10T11:00:00Z", ["--allow-clock-jump"])
        #expect(confirmed.exitCode == 0, "\(confirmed)")
        #expect(!(confirmed.stdout + confirmed.stderr).contains("[clock-jump]"))
        #expect(try dailyBackups(workspace, at: "2027-01-10T11:00:00Z") == 1, "only the newest is younger than 3 days")
    }

    @Test func aClockBeforeTheLastApplyPrunesNothingByAge() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        for day in Self.days { #expect(try workspace.apply(day).exitCode == 0) }
        let before = try workspace.listing(Self.days.last!).snapshots.count
        // Back by a day: it would otherwise look like a normal hourly run.
        let back = "2026-11-24T23:00:00Z"
        let plan = try workspace.run(["plan", "--format", "json"] + workspace.flags(back))
        let json = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
        let diagnostics = json?["diagnostics"] as? [[String: Any]] ?? []
        #expect(diagnostics.contains { $0["rule"] as? String == "clock-jump" }, "\(plan)")
        let retention = json?["retention"] as? [[String: Any]] ?? []
        #expect(!retention.contains { ($0["verdict"] as? String) == "prune" && ($0["reason"] as? String)?.contains("days") == true })
        // And the apply warns but takes the backups that are due (here: none prunes by age).
        let run = try workspace.apply(back)
        #expect(run.exitCode == 0 && (run.stdout + run.stderr).contains("[clock-jump]"), "\(run)")
        #expect(try workspace.listing(back).snapshots.count >= before)
    }
}
