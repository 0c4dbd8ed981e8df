import Foundation
import Testing

@testable import FlashPlanConfig
import FlashPlanModel

/// Every rule of the decode and validate stages has a case in `DecodingCases` or
/// `ValidationCases` that makes it fire; the rules of the plan stage are held to the same
/// by `PlannerRuleCoverageTests` in FlashPlanEngineTests.
@Suite("Rule coverage")
struct RuleCoverageTests {
    static func isCoveredHere(_ stage: Rule.Stage) -> Bool {
        // Exhaustive on purpose: a new stage must be given to one of the two coverage tests.
        switch stage {
        case .decode, .validate: true
        case .plan: false
        }
    }

    @Test(arguments: Rule.allCases.filter { isCoveredHere($0.stage) })
    func hasACaseThatMakesItFire(_ rule: Rule) {
        // A case expecting no diagnostic at all shows a rule staying quiet, not firing.
        let firing = (DecodingCases.all + ValidationCases.all).filter { $0.rule == rule && !$0.locations.isEmpty }
        #expect(!firing.isEmpty, "[\(rule)] has no case in DecodingCases or ValidationCases that makes it fire")
    }

    @Test func everyCaseIsOfALoaderStage() {
        for c in DecodingCases.all + ValidationCases.all {
            #expect(Self.isCoveredHere(c.rule.stage), "\(c.testDescription): [\(c.rule)] is checked at stage \(c.rule.stage)")
        }
    }
}

@Suite("Loading")
struct LoaderTests {
    @Test func everyViolationIsReportedInOneRun() {
        let result = Support.load(
            """
            version: 1
            arrays:
              a3: { model: FlashSystem 720, capacity: 13TB }
            clusters:
              c2: { io_groups: 7 }
            volumes:
              v2:
                pool: p9
                size: 1TiB
                thin: false
                compressed: true
                colour: blue
              v3:
                pool: p1
                size: huge
            resource_groups:
              g1:
                volumes: [v1, v9]
                policies: [{ policy: nightly }]
                replicate:
                  - { to: p1, type: mirror }
            """)
        let found = result.diagnostics.map { "\($0.location) \($0.rule)" }
        let expected = [
            "t.yaml:3:43 capacity-not-sold",
            "t.yaml:5:20 value-out-of-range",
            "t.yaml:8:11 unknown-reference",
            "t.yaml:11:17 compressed-requires-thin",
            "t.yaml:12:5 unknown-key",
            "t.yaml:15:11 invalid-size",
            "t.yaml:18:19 unknown-reference",
            "t.yaml:19:26 unknown-reference",
            "t.yaml:21:15 replication-same-pool",
        ]
        #expect(found == expected, "all diagnostics:\n\(Support.describe(result.diagnostics))")
        #expect(result.hasErrors)
    }

    @Test func problemsInSeveralFilesAreAllReported() {
        let result = ConfigurationLoader.load(sources: [
            SourceFile(path: "a.yaml", text: "hosts:\n  h1: {}\n  h1 {}\n"),
            SourceFile(path: "b.yaml", text: "hosts:\n  h2: { site: [x] }\n"),
            SourceFile(path: "c.yaml", text: "volumes:\n  v1: { pool: p1, size: 1TiB }\n"),
        ])
        #expect(result.diagnostics.map(\.rule) == [.yamlSyntax, .wrongType, .unknownReference], "\(Support.describe(result.diagnostics))")
        #expect(result.diagnostics.map(\.location.file) == ["a.yaml", "b.yaml", "c.yaml"])
    }

    @Test func diagnosticsAreSortedByPlace() {
        let result = Support.load(
            """
            volumes:
              v3: { pool: p9, size: 1TiB }
              v2: { pool: p8, size: 1TiB }
            hosts:
              9x: {}
            """)
        let locations = result.diagnostics.map(\.location)
        #expect(locations == locations.sorted())
        #expect(result.diagnostics.count == 3)
    }

    @Test func theShippedPoliciesAreValid() throws {
        let directory = Support.repositoryRoot.appendingPathComponent("policies").path
        let result = try ConfigurationLoader.load(directory: directory)
        #expect(result.diagnostics.isEmpty, "\(Support.describe(result.diagnostics))")
        let c = result.configuration
        #expect(result.sources.count == 3)
        #expect(c.arrays.count == 3)
        #expect(c.pools.count == 4)
        #expect(c.volumes.count == 10)
        #expect(c.policies.count == 4)
        #expect(c.resourceGroups.count == 3)
        #expect(c.settings.timezone == "Europe/Rome")
        #expect(c.arrays["fs-rome-a"]?.model == .flashSystem720)
        #expect(c.arrays["fs-rome-a"]?.capacity == .tb(12))
        #expect(Set(c.arrays.values.map(\.model)).count == 3, "three arrays of different models")
        #expect(c.volumes["erp-data"]?.size == .tib(2))
        #expect(c.volumes["erp-data"]?.mirrorPool == "silver")
        #expect(c.volumes["erp-data"]?.changeRate == Percentage(8))
        #expect(c.volumes["home-shares"]?.accessProtocol == .smb)
        #expect(c.volumes["scratch"]?.preventDestroy == false)
        #expect(c.resourceGroups["erp"]?.replicate.count == 2)
        #expect(c.resourceGroups["erp"]?.replicate.last?.retention["weekly"] == .count(52))
        #expect(c.resourceGroups["erp"]?.clones.first?.refresh == .newest)
        #expect(c.resourceGroups["crm"]?.replicate.first?.mode == .sync)
    }

    @Test func defaultsAreApplied() {
        let result = Support.load(
            """
            policies:
              hourly-24: { frequency: hourly, retention: { count: 24 } }
            resource_groups:
              g1:
                volumes: [v1]
                policies: [{ policy: hourly-24 }]
                replicate: [{ to: p2, type: mirror }]
                clones: [{ name: dev, label: hourly }]
            """)
        #expect(result.diagnostics.isEmpty, "\(Support.describe(result.diagnostics))")
        let c = result.configuration
        #expect(c.settings.timezone == "UTC")
        #expect(c.settings.pruneOrphanedLabels == false)
        #expect(c.arrays["a1"]?.site == nil)
        #expect(c.clusters["c1"]?.ioGroups == 2)
        let pool = c.pools["p1"]
        #expect(pool?.warningThreshold == Percentage(80))
        #expect(pool?.maxOvercommit == Percentage(300))
        #expect(pool?.easyTier == false)
        #expect(pool?.physicalCapacity == .tb(10))
        let volume = c.volumes["v1"]
        #expect(volume?.accessProtocol == .fc)
        #expect(volume?.thin == true)
        #expect(volume?.compressed == false)
        #expect(volume?.changeRate == Percentage(5))
        #expect(volume?.preventDestroy == true)
        #expect(volume?.state == .present)
        #expect(c.policies["hourly-24"]?.label == "hourly")
        #expect(c.policies["hourly-24"]?.immutable == false)
        #expect(c.resourceGroups["g1"]?.policies.first?.schedule == nil)
        #expect(c.resourceGroups["g1"]?.replicate.first?.mode == .async)
        #expect(c.resourceGroups["g1"]?.clones.first?.from == .primary, "\(String(describing: c.resourceGroups["g1"]?.clones))")
        #expect(c.resourceGroups["g1"]?.clones.first?.refresh == .never)
    }

    @Test func locationsAreKeptForLaterStages() {
        let result = Support.load("")
        let volume = result.configuration.volumes["v1"]
        #expect(volume?.locations.name.description == "base.yaml:12:3")
        #expect(volume?.locations["pool"].description == "base.yaml:12:15")
        #expect(volume?.locations["hosts[0]"].description == "base.yaml:12:39")
        #expect(volume?.locations["mirror_pool"].description == "base.yaml:12:3", "a key not written points at the name")
    }

    @Test func anchorsAndAliasesAreResolvedButMergeKeysAreNot() {
        let result = Support.load(
            """
            hosts:
              h2: &rome { site: rome }
              h3: *rome
            volumes:
              v2: &small { pool: p1, size: 100GiB }
              v3: *small
              v4:
                <<: *small
            """)
        #expect(result.configuration.hosts["h3"]?.site == "rome")
        #expect(result.configuration.volumes["v3"]?.size == .gib(100))
        #expect(result.diagnostics.map { "\($0.location) \($0.rule)" } == ["t.yaml:8:5 missing-key", "t.yaml:8:5 missing-key", "t.yaml:8:5 unknown-key"])
    }

    @Test func directoriesAreReadRecursivelyInPathOrder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("flashplan-loader-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let files = [
            "b.yaml": "hosts:\n  h2: {}\n",
            "a/z.yml": "hosts:\n  h1: {}\n",
            "a/notes.txt": "not: [yaml",
            ".hidden/x.yaml": "not: [yaml",
            "a/.draft/y.yaml": "not: [yaml",
        ]
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let listed = try ConfigurationLoader.configurationFiles(in: root.path)
        #expect(listed == [root.path + "/a/z.yml", root.path + "/b.yaml"])
        let result = try ConfigurationLoader.load(directory: root.path + "/")
        #expect(result.diagnostics.isEmpty, "\(Support.describe(result.diagnostics))")
        #expect(result.sources.map(\.path) == [root.path + "/a/z.yml", root.path + "/b.yaml"])
        #expect(Set(result.configuration.hosts.keys) == ["h1", "h2"])
    }

    @Test func aMissingDirectoryIsAnError() {
        #expect(throws: ConfigurationLoader.LoadError.self) {
            try ConfigurationLoader.load(directory: "/nonexistent/flashplan-\(UUID().uuidString)")
        }
    }

    @Test func theDigestFollowsPathsAndContents() {
        let a = ConfigurationLoader.load(sources: [SourceFile(path: "a.yaml", text: "hosts: {}\n")])
        let b = ConfigurationLoader.load(sources: [SourceFile(path: "a.yaml", text: "hosts: {}\n")])
        let c = ConfigurationLoader.load(sources: [SourceFile(path: "b.yaml", text: "hosts: {}\n")])
        #expect(a.configuration.digest == b.configuration.digest)
        #expect(a.configuration.digest != c.configuration.digest)
        #expect(!a.configuration.digest.isEmpty)
    }

    @Test func theSchemaFileIsTheGeneratedSchema() throws {
        let url = Support.repositoryRoot.appendingPathComponent("schemas/flashplan.schema.json")
        let file = try String(contentsOf: url, encoding: .utf8)
        #expect(file == ConfigurationSchema.json(), "run `swift run flashplan schema > schemas/flashplan.schema.json`")
    }
}
