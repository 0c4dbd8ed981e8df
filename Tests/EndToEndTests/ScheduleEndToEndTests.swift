import Foundation
import Testing

/// `flashplan schedule` through the built binary.
@Suite struct ScheduleEndToEndTests {
    @Test func textLooksLikeSystemdAnalyze() throws {
        let run = try FlashPlanBinary.run([
            "schedule", "Mon..Fri *-*-* 02:30", "--base-time", "2026-11-21T10:00:00Z", "--iterations", "2",
            "--timezone", "Europe/Rome",
        ])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdoutLines == [
            "  Original form: Mon..Fri *-*-* 02:30",
            "Normalized form: Mon..Fri *-*-* 02:30:00",
            "    Next elapse: Mon 2026-11-23 02:30:00 CET",
            "       (in UTC): Mon 2026-11-23 01:30:00 UTC",
            "       Iter. #2: Tue 2026-11-24 02:30:00 CET",
            "       (in UTC): Tue 2026-11-24 01:30:00 UTC",
        ])
    }

    @Test func jsonListsNextElapsesInUTCAndNoneForANeverFiringExpression() throws {
        let run = try FlashPlanBinary.run([
            "schedule", "daily", "*-02-30", "--base-time", "2026-11-21T10:00:00Z", "--iterations", "2", "--format", "json",
        ])
        #expect(run.exitCode == 0, "\(run)")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 2)
        #expect(entries[0]["normalized"] as? String == "*-*-* 00:00:00")
        #expect(entries[0]["next"] as? [String] == ["2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z"])
        #expect(entries[1]["expression"] as? String == "*-02-30")
        #expect((entries[1]["next"] as? [String])?.isEmpty == true)
    }

    @Test func anInvalidExpressionExitsOnePointingAtTheProblem() throws {
        let run = try FlashPlanBinary.run(["schedule", "Sun 25:00", "--base-time", "2026-11-21T10:00:00Z"])
        #expect(run.exitCode == 1)
        #expect(run.stderr.contains("hour 25 is out of range 0..23"), "\(run)")
        #expect(run.stderrLines.contains("      ^"), "the caret stands under '25'")
    }
}
