import Foundation
import Testing

/// Destructive actions need consent (DESIGN §5): under `--auto-approve` a resync is held
/// (reported, exit 3) while routine protection goes on; `--allow-destructive` carries it out.
@Suite(.serialized) struct ConsentEndToEndTests {
    static let t0 = "2026-11-21T10:00:00Z"
    static let t1 = "2026-11-21T11:00:00Z"
    static let t2 = "2026-11-21T12:00:00Z"

    @Test func aResyncIsHeldUnderAutoApproveAndRoutineWorkGoesOn() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        #expect(try workspace.apply(Self.t0).exitCode == 0)
        try workspace.sim(["break", "v1_dr"], now: Self.t0)
        let held = try workspace.apply(Self.t1, ["--metrics-file", "m.prom"])
        #expect(held.exitCode == 3, "\(held)")
        #expect(held.stdout.contains("Held (destructive"), "\(held)")
        #expect(held.stdout.contains("resync-relationship:relationship.v1_dr"), "\(held)")
        let metrics = try String(contentsOf: workspace.url.appendingPathComponent("m.prom"), encoding: .utf8)
        #expect(metrics.contains("flashplan_held_destructive_actions 1"), "\(metrics)")
        let listing = try workspace.listing(Self.t1)
        #expect(listing.relationships.first { $0.destination == "v1_dr" }?.state == "broken")
        // Routine work went on: the hourly backup of the other group was taken.
        #expect(listing.snapshots(on: "x1").count == 2)
        let allowed = try workspace.apply(Self.t2, ["--allow-destructive"])
        #expect(allowed.exitCode == 0, "\(allowed)")
        #expect(try workspace.listing(Self.t2).relationships.first { $0.destination == "v1_dr" }?.state == "idle")
    }

    /// One volume grown by hand never stops protection: reported as drift with a warning,
    /// never shrunk, and every group's backups go on (its own included).
    @Test func aVolumeGrownByHandStopsNothing() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        #expect(try workspace.apply(Self.t0).exitCode == 0)
        try workspace.sim(["resize", "v1", "200GiB"], now: Self.t0)
        let run = try workspace.apply(Self.t1)
        #expect(run.exitCode == 0, "\(run)")
        // flashplan applied 100GiB and the declaration says so still: drift, not a problem.
        #expect(run.stdout.contains("grown outside flashplan"), "\(run)")
        #expect(!(run.stdout + run.stderr).contains("error"), "\(run)")
        let listing = try workspace.listing(Self.t1)
        #expect(listing.snapshots(on: "v1").count == 3, "\(listing.snapshots(on: "v1"))")
        #expect(listing.snapshots(on: "x1").count == 2, "\(listing.snapshots(on: "x1"))")
    }

    /// A declaration lowered below the size flashplan applied is an error on that volume
    /// alone: nothing is shrunk, the volume's backups and every other group's go on, and
    /// the apply ends partly applied until the declaration is fixed.
    @Test func aLoweredDeclarationIsAnErrorOnThatVolumeAlone() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        #expect(try workspace.apply(Self.t0).exitCode == 0)
        try workspace.dir.write(
            "policies/fleet.yaml", Fleets.twoArrays.replacingOccurrences(of: "v1: { pool: prod, size: 100GiB", with: "v1: { pool: prod, size: 50GiB"))
        let run = try workspace.apply(Self.t1)
        #expect(run.exitCode == 3, "\(run)")
        #expect((run.stdout + run.stderr).contains("[size-lowered]"), "\(run)")
        let listing = try workspace.listing(Self.t1)
        #expect(listing.snapshots(on: "v1").count == 3, "its own backups go on: \(listing.snapshots(on: "v1"))")
        #expect(listing.snapshots(on: "x1").count == 2)
        let show = try workspace.run(["state", "show", "volume.v1", "--state", workspace.state, "--now", Self.t1])
        #expect(show.stdout.contains("100"), "never shrunk: \(show)")
    }
}
