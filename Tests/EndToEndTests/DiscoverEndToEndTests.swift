import FlashPlanSimulator
import Foundation
import Testing

/// `flashplan discover` through the built binary (issue 11, items 5 and 7): a state built
/// by one configuration is discovered into an empty (or partial) one, which `validate`
/// accepts and whose plan adopts everything: nothing destroyed, re-created or pruned.
@Suite("flashplan discover", .serialized)
struct DiscoverEndToEndTests {
    /// Applies of the shipped policies at different times: hourly, daily, weekly and monthly
    /// backups, mirror and vault copies, clones on primary and on the DR mirror.
    static let applies = [
        "2026-11-02T10:00:00Z", "2026-11-02T14:00:00Z", "2026-11-03T10:00:00Z", "2026-11-04T09:00:00Z",
        "2026-11-08T10:00:00Z", "2026-11-09T10:00:00Z",
    ]
    static let now = "2026-11-09T10:30:00Z"

    static func shippedEstate() throws -> ApplyWorkspace {
        let workspace = try ApplyWorkspace(copyingPolicies: ())
        for time in applies {
            let run = try workspace.apply(time)
            #expect(run.exitCode == 0, "\(run)")
        }
        return workspace
    }

    static func discover(_ workspace: ApplyWorkspace, config: String, _ extra: [String] = [], state: String? = nil) throws -> FlashPlanBinary.Result {
        try workspace.run(["discover", "--config", config, "--state", state ?? workspace.state, "--now", now] + extra)
    }

    static func planJSON(_ workspace: ApplyWorkspace, config: String, state: String? = nil) throws -> [String: Any] {
        let run = try workspace.run(["plan", "--format", "json", "--config", config, "--state", state ?? workspace.state, "--now", now])
        #expect(run.exitCode == 0, "\(run)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run)")
    }

    /// The plan only takes new backups and sends them: it creates, changes, prunes and
    /// destroys nothing, and keeps every backup that exists, on primary and destinations.
    static func expectAdoptsEverything(_ plan: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
        let summary = plan["summary"] as? [String: Int] ?? [:]
        for key in ["create", "change", "prune", "destroy"] {
            #expect(summary[key] == 0, "summary \(key): \(summary)", sourceLocation: sourceLocation)
        }
        let actions = plan["actions"] as? [[String: Any]] ?? []
        let kinds = Set(actions.compactMap { $0["kind"] as? String })
        #expect(kinds.isSubset(of: ["snapshot", "transfer"]), "\(kinds)", sourceLocation: sourceLocation)
        #expect(actions.allSatisfy { ($0["destructive"] as? Bool) != true }, sourceLocation: sourceLocation)
        let retention = plan["retention"] as? [[String: Any]] ?? []
        let pruned = retention.filter { ($0["verdict"] as? String) != "keep" }
        #expect(pruned.isEmpty, "\(pruned)", sourceLocation: sourceLocation)
        let errors = (plan["diagnostics"] as? [[String: Any]] ?? []).filter { ($0["severity"] as? String) == "error" }
        #expect(errors.isEmpty, "\(errors)", sourceLocation: sourceLocation)
    }

    @Test func theShippedPoliciesStateIsAdoptedWhole() throws {
        let workspace = try Self.shippedEstate()
        defer { workspace.remove() }
        try FileManager.default.createDirectory(at: workspace.url.appendingPathComponent("adopted"), withIntermediateDirectories: true)
        let stateBefore = try Data(contentsOf: URL(fileURLWithPath: workspace.statePath))
        let run = try Self.discover(workspace, config: "adopted")
        #expect(run.exitCode == 0, "\(run)")
        // Read-only: the state is byte for byte as it was.
        #expect(try Data(contentsOf: URL(fileURLWithPath: workspace.statePath)) == stateBefore)
        #expect(run.stderr.contains("Discovered 3 arrays, 2 clusters, 4 pools, 5 hosts, 10 volumes, 8 policies, 3 resource groups."), "\(run)")
        for group in ["apps", "crm", "erp"] { #expect(run.stdout.contains("\n  \(group):\n"), "\(run)") }
        #expect(run.stdout.contains("# recognised from"))
        // The shipped policies name backups in Europe/Rome time: the header says so.
        #expect(run.stdout.contains("# Backup names carry local times at UTC+01:00"), "\(run)")
        #expect(run.stdout.contains("retention count"))
        try workspace.dir.write("adopted/discovered.yaml", run.stdout)

        let validate = try workspace.run(["validate", "--config", "adopted"])
        #expect(validate.exitCode == 0, "\(validate)")
        Self.expectAdoptsEverything(try Self.planJSON(workspace, config: "adopted"))

        // Applying it keeps every snapshot and clone that existed.
        let before = try workspace.listing(Self.now)
        let apply = try workspace.run(["apply", "--auto-approve", "--config", "adopted", "--state", workspace.state, "--now", Self.now])
        #expect(apply.exitCode == 0, "\(apply)")
        let after = try workspace.listing(Self.now)
        let kept = Set(after.snapshots.map { "\($0.volume)/\($0.name)" })
        let lost = before.snapshots.map { "\($0.volume)/\($0.name)" }.filter { !kept.contains($0) }
        #expect(lost.isEmpty, "\(lost)")
        #expect(Set(after.clones.map(\.name)).isSuperset(of: before.clones.map(\.name)))
    }

    @Test func outWritesAFilePerKindAndGroupAndNeverOverwrites() throws {
        let workspace = try Self.shippedEstate()
        defer { workspace.remove() }
        let out = workspace.url.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: workspace.url.appendingPathComponent("empty"), withIntermediateDirectories: true)
        let run = try Self.discover(workspace, config: "empty", ["--out", "out"])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.isEmpty)
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(names == [
            "arrays.yaml", "clusters.yaml", "group.apps.yaml", "group.crm.yaml", "group.erp.yaml", "hosts.yaml", "pools.yaml",
            "volumes.yaml",
        ])
        let validate = try workspace.run(["validate", "--config", "out"])
        #expect(validate.exitCode == 0, "\(validate)")
        Self.expectAdoptsEverything(try Self.planJSON(workspace, config: "out"))

        // A second run refuses, naming the files, and leaves them as they are.
        let first = try String(contentsOf: out.appendingPathComponent("group.erp.yaml"), encoding: .utf8)
        try "# mine\n".write(to: out.appendingPathComponent("hosts.yaml"), atomically: true, encoding: .utf8)
        let again = try Self.discover(workspace, config: "empty", ["--out", "out"])
        #expect(again.exitCode == 1, "\(again)")
        #expect(again.stderr.contains("already exist"), "\(again)")
        #expect(again.stderr.contains("Nothing was written"), "\(again)")
        #expect(try String(contentsOf: out.appendingPathComponent("hosts.yaml"), encoding: .utf8) == "# mine\n")
        #expect(try String(contentsOf: out.appendingPathComponent("group.erp.yaml"), encoding: .utf8) == first)

        // Never through a symbolic link, nor into a directory that does not exist.
        let target = workspace.url.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: workspace.url.appendingPathComponent("link"), withDestinationURL: target)
        let linked = try Self.discover(workspace, config: "empty", ["--out", "link"])
        #expect(linked.exitCode == 1, "\(linked)")
        #expect(linked.stderr.contains("symbolic link"), "\(linked)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path).isEmpty)
        let missing = try Self.discover(workspace, config: "empty", ["--out", "nowhere"])
        #expect(missing.exitCode == 1, "\(missing)")
        #expect(missing.stderr.contains("does not exist"), "\(missing)")
    }

    @Test func aPartialConfigurationGetsOnlyWhatItLacksAndTheUnionValidates() throws {
        let workspace = try Self.shippedEstate()
        defer { workspace.remove() }
        for file in ["infrastructure.yaml", "volumes.yaml"] {
            try workspace.dir.write("partial/\(file)", try String(contentsOf: Repository.url("policies/\(file)"), encoding: .utf8))
        }
        let run = try Self.discover(workspace, config: "partial")
        #expect(run.exitCode == 0, "\(run)")
        for section in ["arrays", "clusters", "pools", "hosts", "volumes"] {
            #expect(!run.stdout.contains("\n\(section):\n"), "\(section) was discovered again:\n\(run.stdout)")
        }
        #expect(run.stdout.contains("\npolicies:\n"))
        #expect(run.stdout.contains("\nresource_groups:\n"))
        #expect(run.stderr.contains("Discovered 8 policies, 3 resource groups."), "\(run)")
        try workspace.dir.write("partial/discovered.yaml", run.stdout)
        let validate = try workspace.run(["validate", "--config", "partial"])
        #expect(validate.exitCode == 0, "\(validate)")
        Self.expectAdoptsEverything(try Self.planJSON(workspace, config: "partial"))

        // With everything declared there is nothing left to discover.
        let nothing = try Self.discover(workspace, config: "partial")
        #expect(nothing.exitCode == 0, "\(nothing)")
        #expect(nothing.stderr.contains("Nothing to discover"), "\(nothing)")
    }

    @Test func aGeneratedEstateOf200VolumesRoundTrips() throws {
        let workspace = try ApplyWorkspace(config: "")
        defer { workspace.remove() }
        try FileManager.default.createDirectory(at: workspace.url.appendingPathComponent("state"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: workspace.url.appendingPathComponent("adopted"), withIntermediateDirectories: true)
        // The benchmark's fleet (FleetGenerator / seedFleet) at a small size: 20 groups of
        // 10 volumes, 30 hourly backups each, the newest an hour before `now`.
        let store = try StateStore(path: workspace.statePath)
        try store.backend.seedFleet(volumes: 200, groups: 20, snapshotsPerVolume: 30, now: try #require(ISO8601DateFormatter().date(from: Self.now)))
        let run = try Self.discover(workspace, config: "adopted")
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stderr.contains("200 volumes, 20 policies, 20 resource groups"), "\(run)")
        try workspace.dir.write("adopted/discovered.yaml", run.stdout)
        let validate = try workspace.run(["validate", "--config", "adopted"])
        #expect(validate.exitCode == 0, "\(validate)")
        let plan = try Self.planJSON(workspace, config: "adopted")
        Self.expectAdoptsEverything(plan)
        // Every group's hourly backup is due and taken (a snapshot of each of the 200
        // volumes); all 30 that exist are kept beside it.
        #expect((plan["summary"] as? [String: Int])?["snapshots"] == 200)
        #expect((plan["retention"] as? [[String: Any]])?.count == 20 * 31)
    }

    @Test(.enabled(if: StateDatabase.hasSQLite3, "needs the sqlite3 shell to rename objects in the state"))
    func namesTheLanguageCannotSpellAreWarnedAboutAndTheRestIsAdopted() throws {
        let workspace = try Self.shippedEstate()
        defer { workspace.remove() }
        // Renamed underneath flashplan, as another tool could name them: a group with a
        // space, a host whose name starts a terminal escape.
        _ = try StateDatabase.query(
            workspace.statePath,
            "UPDATE atom SET text = 'crm group' WHERE text = 'crm'; UPDATE host SET name = char(27) || '[31mevil' WHERE name = 'files01';")
        try FileManager.default.createDirectory(at: workspace.url.appendingPathComponent("adopted"), withIntermediateDirectories: true)
        let run = try Self.discover(workspace, config: "adopted")
        #expect(run.exitCode == 0, "\(run)")
        for output in [run.stdout, run.stderr] {
            #expect(!output.contains("\u{1B}"), "an escape character was printed")
            #expect(output.contains("host '\\u{1B}[31mevil' is not a valid name"), "\(run)")
            #expect(output.contains("volume 'home-shares' is left out"), "\(run)")
            #expect(output.contains("backups of group 'crm group' are not adopted"), "\(run)")
        }
        #expect(run.stdout.contains("# warning: "))
        try workspace.dir.write("adopted/discovered.yaml", run.stdout)
        let validate = try workspace.run(["validate", "--config", "adopted"])
        #expect(validate.exitCode == 0, "\(validate)")
        let plan = try Self.planJSON(workspace, config: "adopted")
        Self.expectAdoptsEverything(plan)
        // What was left out is reported, never deleted.
        let messages = (plan["diagnostics"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        #expect(messages.contains { $0.contains("'crm group'") && $0.contains("unmanaged") }, "\(messages)")
    }

    @Test func aMissingStateIsAnErrorAndIsNotCreated() throws {
        let workspace = try ApplyWorkspace(copyingPolicies: ())
        defer { workspace.remove() }
        let run = try Self.discover(workspace, config: "policies", state: "none/state.db")
        #expect(run.exitCode == 1, "\(run)")
        #expect(run.stderr.contains("none/state.db"), "\(run)")
        #expect(!FileManager.default.fileExists(atPath: workspace.url.appendingPathComponent("none").path))
    }

    @Test func aConfigurationWithErrorsIsRefused() throws {
        let workspace = try ApplyWorkspace(copyingPolicies: ())
        defer { workspace.remove() }
        try workspace.dir.write("broken/a.yaml", "hosts: {h1: {sitee: rome}}\n")
        let run = try Self.discover(workspace, config: "broken")
        #expect(run.exitCode == 1, "\(run)")
        #expect(run.stderr.contains("unknown-key"), "\(run)")
        #expect(run.stdout.isEmpty)
    }
}
