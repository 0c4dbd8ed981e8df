import Foundation
import Testing

/// One problem blocks only what it concerns (DESIGN §5): a plan-time error about one
/// object holds that object's actions; every other group's protection goes on and the
/// apply ends "partly applied" (exit 3), run after run, until the error is fixed.
@Suite(.serialized) struct BlockingEndToEndTests {
    static let t0 = "2026-11-21T10:00:00Z"
    static let t1 = "2026-11-21T11:00:00Z"
    static let t2 = "2026-11-21T12:00:00Z"

    /// A new volume that would overcommit its pool: only its creation is held; the
    /// backups in that pool and the mirror transfers into it go on.
    @Test func anOvercommittedPoolHoldsOnlyWhatAddsVirtualCapacity() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        #expect(try workspace.apply(Self.t0).exitCode == 0)
        try workspace.dir.write(
            "policies/big.yaml", "volumes:\n  big: { pool: dr, size: 900TB, hosts: [h2] }\n")

        let plan = try workspace.run(["plan", "--format", "json"] + workspace.flags(Self.t1))
        #expect(plan.exitCode == 1, "a plan with errors exits 1: \(plan)")
        let json = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
        let diagnostics = json?["diagnostics"] as? [[String: Any]] ?? []
        #expect(diagnostics.contains { $0["rule"] as? String == "pool-overcommitted" && $0["subject"] as? String == "pool.dr" }, "\(diagnostics)")
        let actions = json?["actions"] as? [[String: Any]] ?? []
        let create = actions.first { $0["id"] as? String == "create-volume:volume.big" }
        #expect((create?["blocked_by"] as? String)?.contains("[pool-overcommitted]") == true, "\(String(describing: create))")
        let unblocked = actions.filter { $0["blocked_by"] == nil }
        #expect(!unblocked.isEmpty && unblocked.allSatisfy { $0["id"] as? String != "create-volume:volume.big" })

        let run = try workspace.apply(Self.t1)
        #expect(run.exitCode == 3, "partly applied: \(run)")
        #expect(run.stdout.contains("blocked by the errors above"), "\(run)")
        let listing = try workspace.listing(Self.t1)
        #expect(!listing.volumes.contains("big"))
        // Gamma's volume lives in the overcommitted pool: its hourly backup was still taken,
        // and alpha's mirror copies into it still arrived.
        #expect(listing.snapshots(on: "x1").count == 2, "\(listing.snapshots(on: "x1"))")
        #expect(listing.snapshots(on: "v1_dr").count == listing.snapshots(on: "v1").count, "\(listing.snapshots(on: "v1_dr"))")

        // Still an error on the next run: exit 3 again, never a silent "done".
        #expect(try workspace.apply(Self.t2).exitCode == 3)
        // Fixed: the volume fits, and the apply is done.
        try workspace.dir.write("policies/big.yaml", "volumes:\n  big: { pool: dr, size: 100GiB, hosts: [h2] }\n")
        let fixed = try workspace.apply(Self.t2)
        #expect(fixed.exitCode == 0, "\(fixed)")
        #expect(try workspace.listing(Self.t2).volumes.contains("big"))
    }

    /// An error that holds no action (a volume declared absent but protected from
    /// destruction) still ends every apply "partly applied", not "done".
    @Test func anErrorThatHoldsNothingIsStillNotDone() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays + "\n")
        defer { workspace.remove() }
        try workspace.dir.write("policies/spare.yaml", "volumes:\n  spare: { pool: prod, size: 10GiB }\n")
        #expect(try workspace.apply(Self.t0).exitCode == 0)
        try workspace.dir.write("policies/spare.yaml", "volumes:\n  spare: { pool: prod, size: 10GiB, state: absent, prevent_destroy: true }\n")
        let run = try workspace.apply(Self.t1)
        #expect(run.exitCode == 3, "\(run)")
        #expect(run.stdout.contains("[destroy-prevented]") || run.stderr.contains("[destroy-prevented]"), "\(run)")
        let listing = try workspace.listing(Self.t1)
        #expect(listing.volumes.contains("spare"))
        #expect(listing.snapshots(on: "x1").count == 2, "the other groups' backups went on")
    }
}
