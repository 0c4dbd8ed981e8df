import Foundation
import Testing

/// `flashplan validate` and `flashplan schema`, run as a user runs them.
@Suite("flashplan validate / schema")
struct ValidateEndToEndTests {
    static let invalidFiles = [
        "infra.yaml": """
            arrays:
              fs-a:
                model: FlashSystem 720
                capacity: 13TB
            clusters:
              svc: { io_groups: 2 }
            pools:
              gold:
                cluster: svc
                capacity_from: [{ array: fs-a, capacity: 6TB }]

            """,
        "volumes/app.yaml": """
            volumes:
              app:
                pool: silver
                size: 1TiB
                colour: blue

            """,
    ]

    /// Valid except for one warning: a vault label no policy makes.
    static let warningOnlyFiles = [
        "all.yaml": """
            arrays:
              fs-a: { model: FlashSystem 720, capacity: 12TB }
              fs-b: { model: FlashSystem 720, capacity: 12TB }
            clusters:
              svc: {}
            pools:
              gold: { cluster: svc, capacity_from: [{ array: fs-a, capacity: 10TB }] }
              vault: { cluster: svc, capacity_from: [{ array: fs-b, capacity: 10TB }] }
            volumes:
              app: { pool: gold, size: 1TiB }
            policies:
              daily: { frequency: daily, retention: { count: 7 } }
            resource_groups:
              apps:
                volumes: [app]
                policies: [{ policy: daily }]
                replicate:
                  - to: vault
                    type: vault
                    retention:
                      daily: { count: 30 }
                      yearly: { count: 5 }

            """
    ]

    /// `file:line:col: error: message [rule-id]`
    static var diagnosticLine: Regex<(Substring, Substring, Substring, Substring, Substring, Substring, Substring)> {
        /^(.+):(\d+):(\d+): (error|warning): (.+) \[([a-z0-9-]+)\]$/
    }

    @Test func theShippedPoliciesAreValid() throws {
        let run = try FlashPlanBinary.run(["validate", "--config", "policies"])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdoutLines == ["policies: valid (3 files: 3 arrays, 4 pools, 10 volumes, 4 policies, 3 resource groups)"], "\(run)")
        #expect(run.stderr.isEmpty, "\(run)")
    }

    @Test func theConfigDirectoryDefaultsToPoliciesAndFollowsTheEnvironment() throws {
        let byDefault = try FlashPlanBinary.run(["validate"])
        #expect(byDefault.exitCode == 0, "\(byDefault)")
        #expect(byDefault.stdout.hasPrefix("policies: valid"), "\(byDefault)")

        let dir = try ScratchDirectory(files: Self.invalidFiles)
        defer { dir.remove() }
        let fromEnvironment = try FlashPlanBinary.run(["validate"], environment: ["FLASHPLAN_CONFIG": dir.path])
        #expect(fromEnvironment.exitCode == 1, "\(fromEnvironment)")
        let flagWins = try FlashPlanBinary.run(["validate", "--config", "policies"], environment: ["FLASHPLAN_CONFIG": dir.path])
        #expect(flagWins.exitCode == 0, "\(flagWins)")
    }

    @Test func anInvalidDirectoryFailsWithEveryProblem() throws {
        let dir = try ScratchDirectory(files: Self.invalidFiles)
        defer { dir.remove() }
        let run = try FlashPlanBinary.run(["validate", "--config", "."], in: dir.url)
        #expect(run.exitCode == 1, "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        let headers = run.stderrLines.filter { $0.wholeMatch(of: Self.diagnosticLine) != nil }
        #expect(
            headers == [
                "./infra.yaml:4:15: error: array 'fs-a': a FlashSystem 720 is not sold with 13TB [capacity-not-sold]",
                "./volumes/app.yaml:3:11: error: volume 'app' refers to pool 'silver', which is not defined [unknown-reference]",
                "./volumes/app.yaml:5:5: error: unknown key 'colour' [unknown-key]",
            ], "\(run)")
        // Each diagnostic shows the offending line and a caret under the column.
        #expect(run.stderr.contains(" 4 |     capacity: 13TB\n   |               ^\n"), "\(run)")
        #expect(run.stderrLines.last == "3 errors, 0 warnings; nothing was changed.", "\(run)")
    }

    @Test func jsonFormatIsAParseableArrayOfDiagnostics() throws {
        let dir = try ScratchDirectory(files: Self.invalidFiles)
        defer { dir.remove() }
        let run = try FlashPlanBinary.run(["validate", "--config", dir.path, "--format", "json"])
        #expect(run.exitCode == 1, "\(run)")
        let parsed = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
        let rows = try #require(parsed as? [[String: Any]], "\(run)")
        #expect(rows.count == 3)
        for row in rows {
            #expect(row["file"] is String)
            #expect(row["line"] is Int)
            #expect(row["column"] is Int)
            #expect(row["severity"] as? String == "error")
            #expect(row["rule"] is String)
            #expect(row["message"] is String)
        }
        #expect(rows.map { $0["rule"] as? String } == ["capacity-not-sold", "unknown-reference", "unknown-key"])
        #expect(rows.first?["file"] as? String == dir.path + "/infra.yaml")
        #expect(rows.first?["line"] as? Int == 4)
        #expect(rows.first?["column"] as? Int == 15)
        #expect((rows.first?["note"] as? String)?.contains("6TB") == true)

        let valid = try FlashPlanBinary.run(["validate", "--config", "policies", "--format", "json"])
        #expect(valid.exitCode == 0, "\(valid)")
        let none = try JSONSerialization.jsonObject(with: Data(valid.stdout.utf8)) as? [Any]
        #expect(none?.isEmpty == true, "\(valid)")
    }

    @Test func strictTurnsWarningsIntoErrors() throws {
        let dir = try ScratchDirectory(files: Self.warningOnlyFiles)
        defer { dir.remove() }
        let lenient = try FlashPlanBinary.run(["validate", "--config", dir.path])
        #expect(lenient.exitCode == 0, "\(lenient)")
        #expect(lenient.stderr.contains(": warning: vault label 'yearly' is made by no policy of resource group 'apps' [vault-label-unused]"), "\(lenient)")
        #expect(lenient.stdout.contains(": valid ("), "\(lenient)")

        let strict = try FlashPlanBinary.run(["validate", "--config", dir.path, "--strict"])
        #expect(strict.exitCode == 1, "\(strict)")
        #expect(strict.stderr.contains(": error: vault label 'yearly' is made by no policy of resource group 'apps' [vault-label-unused]"), "\(strict)")
        #expect(strict.stderrLines.last == "1 error, 0 warnings; nothing was changed.", "\(strict)")
        #expect(strict.stdout.isEmpty, "\(strict)")

        let lenientJSON = try FlashPlanBinary.run(["validate", "--config", dir.path, "--format", "json"])
        #expect(lenientJSON.exitCode == 0, "\(lenientJSON)")
        let warnings = try JSONSerialization.jsonObject(with: Data(lenientJSON.stdout.utf8)) as? [[String: Any]]
        #expect(warnings?.map { $0["severity"] as? String } == ["warning"], "\(lenientJSON)")
        let strictJSON = try FlashPlanBinary.run(["validate", "--config", dir.path, "--format", "json", "--strict"])
        #expect(strictJSON.exitCode == 1, "\(strictJSON)")
        let errors = try JSONSerialization.jsonObject(with: Data(strictJSON.stdout.utf8)) as? [[String: Any]]
        #expect(errors?.map { $0["severity"] as? String } == ["error"], "\(strictJSON)")
        #expect(errors?.first?["rule"] as? String == "vault-label-unused")
    }

    @Test func aMissingDirectoryIsReported() throws {
        let run = try FlashPlanBinary.run(["validate", "--config", "/nonexistent/flashplan-e2e"])
        #expect(run.exitCode != 0, "\(run)")
        #expect(run.stderr.contains("/nonexistent/flashplan-e2e"), "\(run)")
        #expect(run.stderr.contains("configuration directory not found"), "\(run)")
    }

    @Test func validateHelpMentionsConfig() throws {
        let run = try FlashPlanBinary.run(["validate", "--help"])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.contains("--config <dir>"), "\(run)")
        #expect(run.stdout.contains("--strict"), "\(run)")
        #expect(run.stdout.contains("--format <format>"), "\(run)")
    }

    @Test func schemaPrintsTheCommittedSchemaByteForByte() throws {
        let run = try FlashPlanBinary.run(["schema"])
        #expect(run.exitCode == 0, "\(run)")
        let committed = try Data(contentsOf: Repository.url("schemas/flashplan.schema.json"))
        #expect(Data(run.stdout.utf8) == committed, "run `swift run flashplan schema > schemas/flashplan.schema.json`")
        let schema = try JSONSerialization.jsonObject(with: committed) as? [String: Any]
        #expect(schema?["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
    }
}
