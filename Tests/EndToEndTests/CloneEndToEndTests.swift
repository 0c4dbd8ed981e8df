import Foundation
import Testing

/// Clones through the binary and the simulated storage (red-team findings 2, 3, 4): a
/// clone removed from the configuration is deleted only with consent, a clone's new host
/// is applied, and a refresh from a broken mirror keeps the old clone.
@Suite(.serialized) struct CloneEndToEndTests {
    static func config(clones: String, retention: Int = 254, replicate: String = "") -> String {
        """
        arrays:
          a1: { model: FlashSystem 720, capacity: 12TB }
          a2: { model: FlashSystem 820, capacity: 18TB }
        clusters: { c1: {}, c2: {} }
        pools:
          p1: { cluster: c1, capacity_from: [ { array: a1, capacity: 10TB } ] }
          dr: { cluster: c2, capacity_from: [ { array: a2, capacity: 8TB } ] }
        hosts: { h1: {}, h3: {}, report: {} }
        volumes: { v1: { pool: p1, size: 10GiB, hosts: [h1] } }
        policies: { hourly: { frequency: hourly, retention: { count: \(retention) } } }
        resource_groups:
          g:
            hosts: [h1]
            volumes: [v1]
            policies: [ { policy: hourly } ]
        \(replicate.isEmpty ? "" : "    " + replicate + "\n")\(clones.isEmpty ? "" : "    clones: " + clones)

        """
    }

    static let t0 = "2026-12-01T00:00:00Z"

    /// repro-3 part 1: the plan shows the deletion; `--auto-approve` holds it (the clone
    /// and its mapping stay), `--allow-destructive` carries it out.
    @Test func aCloneRemovedFromTheConfigurationIsDeletedOnlyWithConsent() throws {
        let workspace = try ApplyWorkspace(config: Self.config(clones: "[ { name: dev, label: hourly, host: h3 } ]"))
        defer { workspace.remove() }
        #expect(try workspace.apply(Self.t0).exitCode == 0)
        #expect(try workspace.listing(Self.t0).clones.map(\.name) == ["dev_v1"])
        try workspace.dir.write("policies/fleet.yaml", Self.config(clones: "", retention: 255))
        let plan = try workspace.plan("2026-12-01T00:30:00Z")
        #expect(plan.exitCode == 2, "changes: \(plan)")
        #expect(plan.stdout.contains("- clone.dev_v1  (delete-clone)") && plan.stdout.contains("no longer declares"), "\(plan)")
        let held = try workspace.apply("2026-12-01T00:30:00Z")
        #expect(held.stdout.contains("Held (destructive") && held.stdout.contains("delete-clone:clone.dev_v1"), "\(held)")
        #expect(try workspace.listing("2026-12-01T00:30:00Z").clones.first?.host == "h3", "kept, still mapped")
        let allowed = try workspace.apply("2026-12-01T00:40:00Z", ["--allow-destructive"])
        #expect(allowed.exitCode == 0, "\(allowed)")
        #expect(try workspace.listing("2026-12-01T00:40:00Z").clones.isEmpty)
        #expect(try workspace.plan("2026-12-01T00:40:00Z").exitCode == 0, "converged")
    }

    /// repro-4: a new `host:` maps the clone there; the old mapping is an unmap, held
    /// without consent; a removed `host:` unmaps it.
    @Test func aClonesHostChangeIsAppliedAndTheOldMappingRemovedWithConsent() throws {
        let workspace = try ApplyWorkspace(config: Self.config(clones: "[ { name: test, label: hourly, host: h3 } ]", retention: 3))
        defer { workspace.remove() }
        #expect(try workspace.apply(Self.t0).exitCode == 0)
        try workspace.dir.write("policies/fleet.yaml", Self.config(clones: "[ { name: test, label: hourly, host: report } ]", retention: 3))
        let held = try workspace.apply("2026-12-01T00:20:00Z")
        #expect(held.exitCode == 3, "the map is applied, the unmap held: \(held)")
        #expect(held.stdout.contains("unmap-host:volume.test_v1/h3"), "\(held)")
        let both = try workspace.run(["state", "show", "volume.test_v1", "--state", workspace.state, "--now", "2026-12-01T00:20:00Z"])
        #expect(both.stdout.contains("h3") && both.stdout.contains("report"), "\(both)")
        #expect(try workspace.apply("2026-12-01T00:25:00Z", ["--allow-destructive"]).exitCode == 0)
        #expect(try workspace.listing("2026-12-01T00:25:00Z").clones.first?.host == "report")
        let moved = try workspace.run(["state", "show", "volume.test_v1", "--state", workspace.state, "--now", "2026-12-01T00:25:00Z"])
        #expect(!moved.stdout.contains("h3"), "\(moved)")
        try workspace.dir.write("policies/fleet.yaml", Self.config(clones: "[ { name: test, label: hourly } ]", retention: 3))
        #expect(try workspace.apply("2026-12-01T00:30:00Z", ["--allow-destructive"]).exitCode == 0)
        #expect(try workspace.listing("2026-12-01T00:30:00Z").clones.first.map { $0.host == nil } == true)
        #expect(try workspace.plan("2026-12-01T00:30:00Z").exitCode == 0, "converged")
    }

    /// repro-2: the mirror breaks and its resync is held; the routine apply keeps the old
    /// clone (its refresh waits for the transfer), and refreshes it once consent is given.
    @Test func aRefreshFromABrokenMirrorKeepsTheOldCloneUntilTheNewOneCanBeMade() throws {
        let config = Self.config(
            clones: "[ { name: rep, label: hourly, from: dr, host: report, refresh: newest } ]", retention: 3,
            replicate: "replicate: [ { to: dr, type: mirror } ]")
        let workspace = try ApplyWorkspace(config: config)
        defer { workspace.remove() }
        #expect(try workspace.apply(Self.t0).exitCode == 0)
        #expect(try workspace.apply("2026-12-01T01:00:00Z").exitCode == 0)
        let before = try #require(try workspace.listing("2026-12-01T01:00:00Z").clones.first)
        try workspace.sim(["break", "v1_dr"], now: "2026-12-01T01:30:00Z")
        let held = try workspace.apply("2026-12-01T02:00:00Z")
        #expect(held.exitCode == 3, "\(held)")
        #expect(held.stdout.contains("skipped: clone.rep_v1 (delete-clone)"), "\(held)")
        #expect(try workspace.listing("2026-12-01T02:00:00Z").clones == [before], "the host keeps its clone")
        let allowed = try workspace.apply("2026-12-01T03:00:00Z", ["--allow-destructive"])
        #expect(allowed.exitCode == 0, "\(allowed)")
        let after = try #require(try workspace.listing("2026-12-01T03:00:00Z").clones.first)
        #expect(after.parentSnapshot == "g_h1_12-01-2026_03.00.00" && after.host == "report", "\(after)")
        // The next update drops the old parent the mirror kept for the refresh.
        #expect(try workspace.apply("2026-12-01T04:00:00Z").exitCode == 0)
        #expect(try workspace.plan("2026-12-01T04:00:00Z").exitCode == 0, "converged")
    }
}
