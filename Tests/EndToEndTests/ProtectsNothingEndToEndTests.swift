import Foundation
import Testing

/// An empty or wrong `--config` against a state that holds backups must not stop all
/// protection with exit 0 (DESIGN §4): `plan` and `apply` refuse it, and nothing changes.
@Suite(.serialized) struct ProtectsNothingEndToEndTests {
    @Test func anEmptyConfigurationDirectoryIsAnErrorNotNoChanges() throws {
        let workspace = try ApplyWorkspace(copyingPolicies: ())
        defer { workspace.remove() }
        let now = "2026-11-21T10:00:00Z"
        let first = try workspace.apply(now)
        #expect(first.exitCode == 0, "\(first.stderr)")
        let before = try workspace.listing(now).snapshots.count
        #expect(before > 0)
        try FileManager.default.createDirectory(at: workspace.url.appendingPathComponent("empty"), withIntermediateDirectories: true)
        let flags = ["--config", "empty", "--state", workspace.state, "--now", "2026-11-22T10:00:00Z"]
        let plan = try workspace.run(["plan", "--detailed-exitcode"] + flags)
        #expect(plan.exitCode == 1, "\(plan.stdout)\(plan.stderr)")
        #expect((plan.stdout + plan.stderr).contains("[protects-nothing]"))
        let apply = try workspace.run(["apply", "--auto-approve"] + flags)
        #expect(apply.exitCode == 1, "\(apply.stdout)\(apply.stderr)")
        #expect(try workspace.listing("2026-11-22T10:00:00Z").snapshots.count == before)
    }
}
