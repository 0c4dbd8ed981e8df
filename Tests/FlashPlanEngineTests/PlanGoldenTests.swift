import FlashPlanConfig
import FlashPlanModel
import Foundation
import Testing

@testable import FlashPlanEngine
@testable import FlashPlanApp

/// The three renderings of three representative plans, kept as golden files.
///
/// `FLASHPLAN_RECORD=1 swift test --filter PlanGoldenTests` rewrites them; review the diff.
@Suite struct PlanGoldenTests {
    static let file = "policies/estate.yaml"

    /// Two sites; erp is mirrored to dr, vaulted, and cloned from the mirror; apps is cloned on primary.
    static let yaml = """
        version: 1
        settings: {timezone: Europe/Rome}
        arrays:
          fs-rome: {model: FlashSystem 820, capacity: 24TB, site: rome}
          fs-milan: {model: FlashSystem 810, capacity: 10TB, site: milan}
        clusters:
          svc-rome: {site: rome, io_groups: 2}
          svc-milan: {site: milan}
        pools:
          gold: {cluster: svc-rome, capacity_from: [{array: fs-rome, capacity: 16TB}]}
          dr: {cluster: svc-milan, capacity_from: [{array: fs-milan, capacity: 6TB}]}
          vault: {cluster: svc-milan, capacity_from: [{array: fs-milan, capacity: 4TB}]}
        hosts:
          db01: {site: rome}
          db02: {site: rome}
          app01: {site: rome}
        volumes:
          erp-data: {pool: gold, size: 2TiB, hosts: [db01]}
          erp-logs: {pool: gold, size: 512GiB, hosts: [db01]}
          shared: {pool: gold, size: 1TiB, hosts: [db01, db02]}
          app-data: {pool: gold, size: 256GiB, hosts: [app01]}
        policies:
          hourly-6: {frequency: hourly, retention: {count: 6}}
          daily-7: {frequency: daily, retention: {days: 7}}
          monthly-3: {frequency: monthly, retention: {count: 3}, immutable: true}
        resource_groups:
          erp:
            hosts: [db01, db02]
            volumes: [erp-data, erp-logs, shared]
            tag: erp-production
            policies:
              - {policy: hourly-6, schedule: "*-*-* *:15:00"}
              - {policy: daily-7, schedule: "*-*-* 01:30:00"}
              - {policy: monthly-3}
            replicate:
              - {to: dr, type: mirror}
              - {to: vault, type: vault, retention: {daily: {count: 4}, monthly: {count: 12}}}
            clones:
              - {name: reporting, label: daily, from: dr, host: app01, refresh: newest}
          apps:
            hosts: [app01]
            volumes: [app-data]
            policies: [{policy: daily-7}]
            clones: [{name: dev, label: daily, host: app01}]

        """

    /// The same estate after a few changes: app-data shrunk (refused), an old volume marked absent
    /// under prevent_destroy.
    static let changedYAML = yaml
        .replacingOccurrences(of: "app-data: {pool: gold, size: 256GiB, hosts: [app01]}", with: """
            app-data: {pool: gold, size: 128GiB, hosts: [app01]}
              old-logs: {pool: gold, size: 100GiB, state: absent}
            """)

    static func load(_ text: String) -> (Configuration, DiagnosticRenderer) {
        let result = ConfigurationLoader.load(sources: [SourceFile(path: file, text: text)])
        #expect(!result.hasErrors, "\(result.diagnostics.map(\.description))")
        return (result.configuration, DiagnosticRenderer(sources: [file: text]))
    }

    static func time(_ text: String) -> Date { PlannerFixture.date(text) }

    /// First plan against an empty simulator: everything is installed, created and backed up.
    static func firstApply() -> (Plan, DiagnosticRenderer) {
        let (configuration, renderer) = load(yaml)
        let plan = Planner(configuration: configuration, observed: ObservedState(lineage: PlannerFixture.lineage, serial: 0), now: time("2026-11-10T08:00:00Z")).plan()
        return (plan, renderer)
    }

    /// Eleven days of applies every six hours, then an outside snapshot and leftovers of a
    /// removed weekly policy.
    static func history() -> ObservedState {
        let (configuration, _) = load(yaml)
        var state = ObservedState(lineage: PlannerFixture.lineage, serial: 0)
        var now = time("2026-11-10T08:00:00Z")
        while now < time("2026-11-21T00:00:00Z") {
            state = state.applying(Planner(configuration: configuration, observed: state, now: now).plan(), at: now)
            now.addTimeInterval(6 * 3600)
        }
        state.snapshots.append(ObservedSnapshot(volume: "erp-data", name: "before-upgrade", label: "manual", created: time("2026-11-18T16:05:00Z")))
        for volume in ["erp-data", "erp-logs", "shared"] {
            state.snapshots.append(ObservedSnapshot(
                volume: volume, name: "erp_db01_11-01-2026_00.00.00", label: "weekly", created: time("2026-10-31T23:00:00Z"),
                hosts: ["db01", "db02"], tag: "erp-production", group: "erp"))
        }
        state.snapshots.sort { ($0.volume, $0.created, $0.name) < ($1.volume, $1.created, $1.name) }
        return state
    }

    /// A routine run: new hourly and daily backups, pruning, mirror/vault updates, a clone refresh.
    static func steadyState() -> (Plan, DiagnosticRenderer) {
        let (configuration, renderer) = load(yaml)
        // 02:45 in Rome: the hourly (at :15) and the daily (01:30) are both due.
        return (Planner(configuration: configuration, observed: history(), now: time("2026-11-21T01:45:00Z")).plan(), renderer)
    }

    /// Things went wrong: the DR array is offline, a relationship broke, a volume was resized
    /// and a snapshot deleted by hand, the gold pool is filling up; the configuration shrinks a
    /// volume and destroys one under prevent_destroy; apps is excluded.
    static func trouble() -> (Plan, DiagnosticRenderer) {
        let (configuration, renderer) = load(changedYAML)
        var state = history()
        state.arrays[state.arrays.firstIndex { $0.name == "fs-milan" }!].status = .offline
        state.relationships[state.relationships.firstIndex { $0.destination == "erp-logs_vault" }!].state = .broken
        state.volumes[state.volumes.firstIndex { $0.name == "erp-data" }!].size = .tib(3)
        let partial = state.snapshots.last { $0.volume == "shared" && $0.label == "daily" && $0.group == "erp" }!
        state.snapshots.removeAll { $0 == partial }
        state.pools[state.pools.firstIndex { $0.name == "gold" }!].usedCapacity = .tb(14)
        state.volumes.append(ObservedVolume(name: "old-logs", pool: "gold", size: .gib(100), created: time("2025-06-01T00:00:00Z")))
        state.volumes.append(ObservedVolume(name: "scratch", pool: "gold", size: .gib(50), created: time("2026-11-19T09:00:00Z")))
        state.volumes.sort { $0.name < $1.name }
        let plan = Planner(
            configuration: configuration, observed: state, now: time("2026-11-21T01:45:00Z"), options: PlanOptions(excludes: ["apps"])
        ).plan()
        return (plan, renderer)
    }

    static let plans: [String] = ["first-apply", "steady-state", "trouble"]

    static func plan(_ name: String) -> (Plan, DiagnosticRenderer) {
        switch name {
        case "first-apply": firstApply()
        case "steady-state": steadyState()
        default: trouble()
        }
    }

    @Test(arguments: plans) func renderings(_ name: String) throws {
        let (plan, renderer) = Self.plan(name)
        GoldenFile.check(PlanTextRenderer(style: .plain, renderer: renderer).render(plan), against: "\(name).txt")
        GoldenFile.check(PlanMarkdownRenderer.render(plan), against: "\(name).md")
        GoldenFile.check(try PlanJSONRenderer.render(plan), against: "\(name).json")
    }

    /// What each golden plan is meant to show, so that a re-recording cannot quietly lose it.
    @Test func goldenPlansShowWhatTheyAreFor() {
        let (first, _) = Self.firstApply()
        #expect(first.summary.create > 20 && first.summary.snapshots == 10 && first.summary.transfers == 6)
        #expect(!first.hasErrors)

        let (steady, _) = Self.steadyState()
        #expect(!steady.hasErrors, "\(steady.diagnostics)")
        #expect(Set(steady.actions.map(\.kind)).isSuperset(of: [.snapshot, .prune, .transfer, .deleteClone, .createClone]))
        #expect(steady.actions.contains { $0.address.description.hasPrefix("snapshot.") && $0.kind == .prune }, "a vault prune")
        #expect(steady.rules == [.orphanedLabel])
        #expect(steady.drift.map(\.address) == [nil] && steady.drift[0].change.contains("taken outside flashplan"))

        let (trouble, _) = Self.trouble()
        #expect(trouble.rules.isSuperset(of: [.volumeShrink, .destroyPrevented, .undeclaredVolume, .poolWarning, .targeting]), "\(trouble.rules)")
        #expect(trouble.actions.contains { $0.blockedBy != nil })
        #expect(trouble.actions.contains { $0.kind == .resyncRelationship })
        #expect(trouble.actions.allSatisfy { $0.group != "apps" })
        #expect(Set(trouble.drift.compactMap(\.address)).isSuperset(of: ["array.fs-milan", "relationship.erp-logs_vault", "volume.erp-data"]))
        #expect(trouble.drift.contains { $0.address?.description.hasPrefix("backup.") == true && $0.change.contains("snapshot on shared deleted") })
    }

    /// The JSON goldens are valid against `schemas/plan.schema.json` (when Python's jsonschema is there).
    @Test func jsonGoldensMatchThePlanSchema() throws {
        guard Self.python(["-c", "import jsonschema"]).status == 0 else {
            // No jsonschema here: the schema check is skipped, the rest still runs.
            return
        }
        let schema = GoldenFile.directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("schemas/plan.schema.json")
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
            bad = 0
            for path in sys.argv[2:]:
                for error in validator.iter_errors(json.load(open(path))):
                    bad += 1
                    print(f"{path}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
            sys.exit(1 if bad else 0)
            """
        let files = Self.plans.map { GoldenFile.url("\($0).json").path }
        let result = Self.python(["-c", script, schema.path] + files)
        #expect(result.status == 0, "\(result.output)")
    }

    static func python(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test func lineDiffShowsLineNumbersOnBothSides() {
        let expected = (1...12).map { "line \($0)" }
        var actual = expected
        actual[2] = "line three"
        actual.remove(at: 9)
        let diff = GoldenFile.lineDiff(expected: expected.joined(separator: "\n"), actual: actual.joined(separator: "\n"))
        #expect(diff == """
             1   line 1
             2   line 2
             3 - line 3
             3 + line three
             4   line 4
             5   line 5
               ...
             8   line 8
             9   line 9
            10 - line 10
            11   line 11
            12   line 12
            """)
    }
}
