import Foundation
import Testing

/// `flashplan plan` through the built binary, over the shipped policies on a new state.
@Suite(.serialized) struct PlanEndToEndTests {
    static let now = "2026-11-21T10:00:00Z"

    /// A scratch directory with a copy of `policies/` and a state path inside it.
    static func workspace() throws -> (dir: URL, state: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fp-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Repository.url("policies"), to: dir.appendingPathComponent("policies"))
        return (dir, dir.appendingPathComponent("state.db").path)
    }

    @Test func planOfTheShippedPoliciesOnANewStateCreatesEverything() throws {
        let (dir, _) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        // As a user on a fresh clone: default --config policies, default --state .flashplan/state.db.
        let run = try FlashPlanBinary.run(["plan", "--now", Self.now], in: dir, environment: ["NO_COLOR": "1"])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.contains("+ array.fs-rome-a  (install-array)"))
        #expect(run.stdout.contains("+ backup.erp/erp_db01_11-21-2026_11.00.00  (snapshot)"), "backup names use settings.timezone (Europe/Rome)")
        #expect(run.stdout.contains("> relationship.erp-data_dr  (transfer)"))
        #expect(run.stdoutLines.last?.hasPrefix("Plan: ") == true)
        #expect(!run.stdout.contains("\u{1B}["), "no colors when not on a terminal")
        // plan only reads: with no state it plans against empty storage and creates none (DESIGN §5, §6).
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(".flashplan/state.db").path))
        #expect(run.stderr.contains("planned against empty storage"), "\(run)")
    }

    @Test func detailedExitCodeIsTwoWithChangesAndZeroWithout() throws {
        let (dir, state) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = try FlashPlanBinary.run(["plan", "--state", state, "--now", Self.now, "--detailed-exitcode"], in: dir)
        #expect(before.exitCode == 2, "\(before)")
        let apply = try FlashPlanBinary.run(["apply", "--state", state, "--now", Self.now, "--auto-approve"], in: dir)
        #expect(apply.exitCode == 0, "\(apply)")
        let after = try FlashPlanBinary.run(["plan", "--state", state, "--now", Self.now, "--detailed-exitcode"], in: dir)
        #expect(after.exitCode == 0, "\(after)")
        #expect(after.stdout.contains("No changes."))
    }

    @Test func jsonPlanValidatesAgainstThePlanSchemaAndIsSavedWithOut() throws {
        let (dir, state) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("plan.json").path
        let run = try FlashPlanBinary.run(["plan", "--state", state, "--now", Self.now, "--format", "json", "--out", out], in: dir)
        #expect(run.exitCode == 0, "\(run)")
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(object?["format_version"] as? Int == 2)
        let operations = (object?["actions"] as? [[String: Any]] ?? []).flatMap { $0["operations"] as? [[String: Any]] ?? [] }
        #expect(!operations.isEmpty && operations.allSatisfy { $0["op"] is String }, "every operation is typed by its op")
        #expect((object?["state"] as? [String: Any])?["serial"] != nil)
        #expect(FileManager.default.contents(atPath: out) == Data(run.stdout.utf8), "--out holds the same plan JSON")
        #expect(run.stderr.contains("flashplan apply \(out)"))
        if JSONSchemaCheck.available {
            let result = try JSONSchemaCheck.validate(document: out, schema: Repository.url("schemas/plan.schema.json").path)
            #expect(result.ok, "\(result.message)")
        }
    }

    @Test func markdownPutsConfigurationChangesFirstAndFoldsRoutineWork() throws {
        let (dir, state) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try FlashPlanBinary.run(["plan", "--state", state, "--now", Self.now, "--format", "markdown"], in: dir)
        #expect(run.exitCode == 0, "\(run)")
        let text = run.stdout
        let changes = try #require(text.range(of: "#### Changes from the configuration"))
        let routine = try #require(text.range(of: "#### Routine protection"))
        #expect(changes.lowerBound < routine.lowerBound)
        #expect(text.contains("<details>"))
    }

    @Test func targetingWarnsAndKeepsOnlyThatGroupsWork() throws {
        let (dir, state) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try FlashPlanBinary.run(["plan", "--state", state, "--now", Self.now, "--target", "crm"], in: dir)
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.contains("targeting is in effect"))
        #expect(run.stdout.contains("backup.crm/"))
        #expect(!run.stdout.contains("backup.erp/"))
        #expect(run.stdout.contains("+ volume.crm-data  (create-volume)"), "the infrastructure the group needs is kept")
        #expect(!run.stdout.contains("+ volume.erp-data  (create-volume)"))
        let excluded = try FlashPlanBinary.run(["plan", "--state", state, "--now", Self.now, "--exclude", "erp"], in: dir)
        #expect(!excluded.stdout.contains("backup.erp/"))
        #expect(excluded.stdout.contains("backup.crm/"))
    }

    @Test func anInvalidConfigurationMakesNoPlanAndExitsOne() throws {
        let (dir, state) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("policies/broken.yaml")
        try "volumes:\n  extra: {pool: nowhere, size: 1GiB}\n".write(to: file, atomically: true, encoding: .utf8)
        let run = try FlashPlanBinary.run(["plan", "--state", state, "--now", Self.now], in: dir)
        #expect(run.exitCode == 1)
        #expect(run.stderr.contains("policies/broken.yaml:2:17: error: volume 'extra' refers to pool 'nowhere'"), "\(run)")
        #expect(run.stdout.isEmpty)
    }

    @Test func aPlanThatWouldOverfillAPoolIsAnErrorAndExitsOne() throws {
        let (dir, state) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("policies/big.yaml")
        try "volumes:\n  bulk: {pool: vault, size: 9TiB, thin: false}\n".write(to: file, atomically: true, encoding: .utf8)
        let run = try FlashPlanBinary.run(["plan", "--state", state, "--now", Self.now], in: dir)
        #expect(run.exitCode == 1, "\(run)")
        #expect(run.stdout.contains("[pool-full]"))
    }
}

/// Python's jsonschema, the reference validator, when it is installed.
enum JSONSchemaCheck {
    static let available: Bool = {
        (try? FlashPlanProcess.run("/usr/bin/env", ["python3", "-c", "import jsonschema"]).status) == 0
    }()

    static func validate(document: String, schema: String) throws -> (ok: Bool, message: String) {
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))))
            for e in errors[:5]: print(list(e.absolute_path), e.message)
            sys.exit(1 if errors else 0)
            """
        let result = try FlashPlanProcess.run("/usr/bin/env", ["python3", "-c", script, schema, document])
        return (result.status == 0, result.output)
    }
}

/// Runs a helper program (not flashplan) and captures its output.
enum FlashPlanProcess {
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
