import Foundation
import Testing

/// The changes a reviewer meets in pull requests, each through `flashplan diff --format
/// json` of the built binary: `base/` holds the shipped policies, `policies/` the change,
/// and the state was made by a few applies of `base/`. Each test checks the three parts of
/// the report — the intent difference (field and file:line), the plan difference (what
/// only one side does now) and a consequence the two simulations show.
@Suite(.serialized) struct ReviewScenarioEndToEndTests {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// A workspace whose `policies/<file>` is `edit` of the shipped one (the edit must
    /// change it), with a state made by `apply --config base` at each of `applies`.
    static func scenario(_ file: String, applies: [String], _ edit: (String) -> String) throws -> ApplyWorkspace {
        let workspace = try ApplyWorkspace(copyingPolicies: ())
        try FileManager.default.copyItem(at: Repository.url("policies"), to: workspace.url.appendingPathComponent("base"))
        let url = workspace.url.appendingPathComponent("policies/\(file)")
        let text = try String(contentsOf: url, encoding: .utf8)
        let edited = edit(text)
        guard edited != text else { throw Failure(description: "the edit of \(file) changed nothing") }
        try edited.write(to: url, atomically: true, encoding: .utf8)
        for now in applies {
            let run = try workspace.run(["apply", "--auto-approve", "--config", "base", "--state", workspace.state, "--now", now])
            guard run.exitCode == 0 else { throw Failure(description: "\(run)") }
        }
        return workspace
    }

    /// The 1-based line of the first line of `file` (relative to the workspace) containing
    /// `needle` after a line containing `after`.
    static func line(of needle: String, after: String? = nil, in file: String, _ workspace: ApplyWorkspace) throws -> Int {
        let lines = try String(contentsOf: workspace.url.appendingPathComponent(file), encoding: .utf8).components(separatedBy: "\n")
        let start = try after.map { marker in try #require(lines.firstIndex { $0.contains(marker) }) } ?? 0
        return try #require(lines[start...].firstIndex { $0.contains(needle) }) + 1
    }

    /// `flashplan diff --base base --format json`, checked against its schema when a
    /// validator is installed; the `diff` object.
    static func diff(_ workspace: ApplyWorkspace, now: String, days: Int) throws -> [String: Any] {
        let run = try workspace.run(["diff", "--base", "base", "--format", "json", "--days", "\(days)", "--state", workspace.state, "--now", now])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stderr.contains("the state was not changed"), "\(run)")
        if JSONSchemaCheck.available {
            let file = workspace.url.appendingPathComponent("diff.json").path
            try run.stdout.write(toFile: file, atomically: true, encoding: .utf8)
            let result = try JSONSchemaCheck.validate(document: file, schema: Repository.url("schemas/diff.schema.json").path)
            #expect(result.ok, "\(result.message)")
        }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        return try #require(object["diff"] as? [String: Any])
    }

    static func intent(_ diff: [String: Any]) throws -> [[String: Any]] { try #require(diff["intent"] as? [[String: Any]]) }

    static func plans(_ diff: [String: Any], _ key: String) throws -> [[String: Any]] {
        try #require((diff["plans"] as? [String: Any])?[key] as? [[String: Any]], "plans.\(key)")
    }

    static func simulation(_ diff: [String: Any], _ side: String) throws -> [String: Any] {
        try #require((diff["simulation"] as? [String: Any])?[side] as? [String: Any], "simulation.\(side)")
    }

    /// The row of `simulation.<list>` whose `key` is `value`, nil when there is none.
    static func row(_ simulation: [String: Any], _ list: String, _ match: [String: String]) -> [String: Any]? {
        (simulation[list] as? [[String: Any]])?.first { row in match.allSatisfy { row[$0.key] as? String == $0.value } }
    }

    /// When the count of `label` snapshots on `volume` went up, from one sample to the next.
    static func increases(_ simulation: [String: Any], volume: String, label: String) throws -> [String] {
        let volumes = try #require(simulation["volumes"] as? [[String: Any]])
        let v = try #require(volumes.firstIndex { $0["volume"] as? String == volume })
        let labels = try #require(volumes[v]["labels"] as? [[String: Any]])
        let l = try #require(labels.firstIndex { $0["label"] as? String == label })
        let samples = try #require(simulation["samples"] as? [[String: Any]])
        var times: [String] = [], previous: Int?
        for sample in samples {
            let count = try #require((sample["snapshots_by_label"] as? [[Int]])?[v][l])
            if let previous, count > previous { times.append(try #require(sample["at"] as? String)) }
            previous = count
        }
        return times
    }

    static func location(_ entry: [String: Any]) -> (String?, Int?) {
        let location = entry["location"] as? [String: Any]
        return (location?["file"] as? String, location?["line"] as? Int)
    }

    @Test func aRetentionDecreasePrunesNowAndKeepsFewerBackupsPerLabel() throws {
        // Eight hourly applies: erp holds 8 hourly backups, and a 9th is due at 08:20.
        let workspace = try Self.scenario("protection.yaml", applies: (0...7).map { "2026-11-20T0\($0):20:00Z" }) {
            $0.replacingOccurrences(of: "retention: { count: 24 }", with: "retention: { count: 6 }")
        }
        defer { workspace.remove() }
        let diff = try Self.diff(workspace, now: "2026-11-20T08:20:00Z", days: 2)

        let intent = try Self.intent(diff)
        #expect(intent.count == 1, "\(intent)")
        let change = try #require(intent.first)
        #expect(change["kind"] as? String == "changed" && change["object"] as? String == "policies.hourly-24")
        #expect(change["field"] as? String == "retention.count" && change["before"] as? String == "24" && change["after"] as? String == "6")
        let line = try Self.line(of: "retention: { count: 6 }", in: "policies/protection.yaml", workspace)
        #expect(Self.location(change) == ("policies/protection.yaml", line) && change["side"] as? String == "proposed")

        // Only the proposal prunes: the three hourly backups beyond the newest six.
        let only = try Self.plans(diff, "only_proposed")
        #expect(only.count == 3 && only.allSatisfy { $0["kind"] as? String == "prune" && $0["severity"] as? String == "deletes" }, "\(only)")
        #expect(only.allSatisfy { ($0["address"] as? String)?.hasPrefix("backup.erp/") == true && ($0["reason"] as? String)?.contains("retention count 6") == true })
        #expect(try Self.plans(diff, "only_base").isEmpty)
        // The mirror updates now also drop what the source pruned: they delete copies.
        let differing = try Self.plans(diff, "differing")
        #expect(!differing.isEmpty && differing.allSatisfy { $0["kind"] as? String == "transfer" && $0["severity"] as? String == "deletes" }, "\(differing)")

        let (base, proposed) = (try Self.simulation(diff, "base"), try Self.simulation(diff, "proposed"))
        for group in ["erp", "apps"] {
            let kept = (Self.row(base, "protection", ["group": group, "label": "hourly"])?["backups_at_end"] as? Int,
                        Self.row(proposed, "protection", ["group": group, "label": "hourly"])?["backups_at_end"] as? Int)
            #expect(kept.0 ?? 0 > 6 && kept.1 == 6, "\(group)/hourly kept at the end (base, proposed): \(kept)")
        }
        let peaks = (Self.row(base, "volumes", ["volume": "erp-data"])?["peak"] as? Int ?? 0,
                     Self.row(proposed, "volumes", ["volume": "erp-data"])?["peak"] as? Int ?? 0)
        #expect(peaks.0 > peaks.1 && peaks.1 > 0, "peak snapshots of erp-data: \(peaks)")
        #expect(Self.row(proposed, "protection", ["group": "erp", "label": "hourly"])?["compliance_percent"] as? Double == 100)
    }

    @Test func aNewVaultDestinationCreatesItsVolumesAndKeepsItsBackupsThere() throws {
        let workspace = try Self.scenario("protection.yaml", applies: (20...22).map { "2026-11-\($0)T00:20:00Z" }) {
            $0.replacingOccurrences(of: "      - { policy: daily-14 }\n    clones:", with: """
                      - { policy: daily-14 }
                    replicate:
                      - to: vault
                        type: vault
                        retention:
                          daily: { days: 30 }
                    clones:
                """)
        }
        defer { workspace.remove() }
        let diff = try Self.diff(workspace, now: "2026-11-23T00:20:00Z", days: 3)

        let intent = try Self.intent(diff)
        #expect(intent.count == 1, "\(intent)")
        let change = try #require(intent.first)
        #expect(change["kind"] as? String == "changed" && change["object"] as? String == "resource_groups.apps")
        #expect(change["field"] as? String == "replicate[to=vault]" && change["before"] == nil)
        // The new destination is shown whole, with what it keeps.
        #expect(change["after"] as? String == "{to: vault, type: vault, mode: async, retention: {daily: {days: 30}}}", "\(change)")
        let line = try Self.line(of: "- to: vault", after: "  apps:", in: "policies/protection.yaml", workspace)
        #expect(Self.location(change) == ("policies/protection.yaml", line))

        let only = try Self.plans(diff, "only_proposed")
        let addresses = Set(only.compactMap { $0["address"] as? String })
        for volume in ["app-config", "app-data", "reports"] {
            #expect(addresses.contains("volume.\(volume)_vault") && addresses.contains("relationship.\(volume)_vault"), "\(addresses)")
        }
        #expect(Set(only.compactMap { $0["kind"] as? String }) == ["create-volume", "create-relationship", "initialize-relationship", "transfer"])
        #expect(only.allSatisfy { $0["severity"] as? String == "routine" }, "adding a destination destroys nothing")
        #expect(try Self.plans(diff, "only_base").isEmpty)

        let (base, proposed) = (try Self.simulation(diff, "base"), try Self.simulation(diff, "proposed"))
        #expect(Self.row(base, "volumes", ["volume": "app-data_vault"]) == nil)
        let vault = try #require(Self.row(proposed, "volumes", ["volume": "app-data_vault", "pool": "vault"]))
        #expect(vault["at_end"] as? Int ?? 0 >= 4, "the dailies sent to the new destination: \(vault)")
        #expect((vault["labels"] as? [[String: Any]])?.contains { $0["label"] as? String == "daily" } == true)
        let use = (Self.row(base, "pools", ["pool": "vault"])?["used_percent_peak"] as? Double ?? 0,
                   Self.row(proposed, "pools", ["pool": "vault"])?["used_percent_peak"] as? Double ?? 0)
        #expect(use.1 > use.0, "the vault pool holds the new copies: \(use)")
    }

    @Test func aRemovedResourceGroupLeavesItsBackupsUnmanagedAndStopsTakingThem() throws {
        let workspace = try Self.scenario("protection.yaml", applies: (20...22).map { "2026-11-\($0)T00:20:00Z" }) { text in
            text.range(of: "\n  apps:\n").map { String(text[..<$0.lowerBound]) + "\n" } ?? text
        }
        defer { workspace.remove() }
        let diff = try Self.diff(workspace, now: "2026-11-23T00:20:00Z", days: 3)

        let intent = try Self.intent(diff)
        #expect(intent.count == 1, "\(intent)")
        let change = try #require(intent.first)
        #expect(change["kind"] as? String == "removed" && change["object"] as? String == "resource_groups.apps" && change["field"] == nil)
        // A removed object is shown where the base declares it.
        let line = try Self.line(of: "  apps:", in: "base/protection.yaml", workspace)
        #expect(Self.location(change) == ("base/protection.yaml", line) && change["side"] as? String == "base", "\(change)")

        let unmanaged = try Self.plans(diff, "unmanaged_only_proposed")
        #expect(unmanaged.count == 1, "\(unmanaged)")
        let left = try #require(unmanaged.first)
        #expect(left["group"] as? String == "apps" && left["cause"] as? String == "group_removed")
        #expect(left["backups"] as? Int == 6, "3 applies × hourly and daily: \(left)")
        #expect(left["volumes"] as? [String] == ["app-config", "app-data", "reports"])
        let onlyBase = try Self.plans(diff, "only_base")
        #expect(!onlyBase.isEmpty && onlyBase.allSatisfy { $0["group"] as? String == "apps" && $0["kind"] as? String == "snapshot" }, "\(onlyBase)")
        #expect(try Self.plans(diff, "only_proposed").isEmpty, "nothing of apps is pruned or deleted")

        let (base, proposed) = (try Self.simulation(diff, "base"), try Self.simulation(diff, "proposed"))
        #expect(Self.row(proposed, "protection", ["group": "apps"]) == nil)
        #expect(Self.row(base, "protection", ["group": "apps", "label": "daily"]) != nil)
        // The backups left stay as they are: none taken, none pruned.
        let kept = try #require(Self.row(proposed, "volumes", ["volume": "app-data"]))
        #expect(kept["at_start"] as? Int == 6 && kept["at_end"] as? Int == 6 && kept["peak"] as? Int == 6, "\(kept)")
        #expect(Self.row(base, "volumes", ["volume": "app-data"])?["at_end"] as? Int ?? 0 > 6)
    }

    @Test func aLoweredVolumeSizeIsAnErrorSoTheProposalWouldApplyNothing() throws {
        let workspace = try Self.scenario("volumes.yaml", applies: ["2026-11-20T00:20:00Z", "2026-11-21T00:20:00Z"]) {
            $0.replacingOccurrences(of: "size: 512GiB", with: "size: 256GiB")
        }
        defer { workspace.remove() }
        let diff = try Self.diff(workspace, now: "2026-11-22T00:20:00Z", days: 1)

        let intent = try Self.intent(diff)
        #expect(intent.count == 1, "\(intent)")
        let change = try #require(intent.first)
        #expect(change["object"] as? String == "volumes.erp-logs" && change["field"] as? String == "size")
        #expect(change["before"] as? String == "512GiB" && change["after"] as? String == "256GiB")
        let line = try Self.line(of: "size: 256GiB", after: "  erp-logs:", in: "policies/volumes.yaml", workspace)
        #expect(Self.location(change) == ("policies/volumes.yaml", line))

        let errors = try #require((diff["plans"] as? [String: Any])?["proposed_errors"] as? [String])
        #expect(errors.count == 1 && errors[0].hasPrefix("policies/volumes.yaml:\(line):") && errors[0].contains("[size-lowered]"), "\(errors)")
        #expect(((diff["plans"] as? [String: Any])?["base_errors"] as? [String])?.isEmpty == true)
        // apply refuses a plan with errors whole: all the base's work is work the proposal would not do.
        let onlyBase = try Self.plans(diff, "only_base")
        #expect(onlyBase.contains { $0["kind"] as? String == "snapshot" && ($0["address"] as? String)?.hasPrefix("backup.erp/") == true }, "\(onlyBase)")
        #expect(try Self.plans(diff, "only_proposed").isEmpty && (try Self.plans(diff, "differing")).isEmpty)

        let (base, proposed) = (try Self.simulation(diff, "base"), try Self.simulation(diff, "proposed"))
        let actions = (base["actions"] as? [String: Int], proposed["actions"] as? [String: Int])
        #expect(actions.0?["refused_steps"] == 0 && actions.0?["snapshots"] ?? 0 > 0, "\(actions)")
        #expect(actions.1?["refused_steps"] == proposed["steps"] as? Int && actions.1?["applied"] == 0, "every run refused: \(actions)")
        let problems = try #require(proposed["problems"] as? [[String: Any]])
        #expect(problems.contains { ($0["message"] as? String)?.contains("volumes are never shrunk") == true }, "\(problems)")
        let rpo = Self.row(proposed, "protection", ["group": "erp", "label": "hourly"])?["compliance_percent"] as? Double
        #expect(rpo == 0, "no backup is taken while every run is refused: \(String(describing: rpo))")

        let text = try workspace.run(["diff", "--base", "base", "--days", "1", "--state", workspace.state, "--now", "2026-11-22T00:20:00Z"])
        #expect(text.exitCode == 0 && text.stdout.contains("\nOver 1 day (base → proposed"), "\(text)")
        #expect(!text.stdout.contains("(none: both plans do the same now)"), "the proposal would apply nothing: \(text)")
    }

    @Test func aScheduleMovedAcrossTheEndOfSummerTimeTakesTheBackupsAtTheNewLocalTime() throws {
        // erp's daily moves from 01:30 to 02:30 Europe/Rome; summer time ends on 2026-10-25
        // at 03:00 CEST (01:00 UTC), so 02:30 local is 00:30 UTC until then and 01:30 UTC after.
        let workspace = try Self.scenario("protection.yaml", applies: (20...22).map { "2026-10-\($0)T00:40:00Z" }) {
            $0.replacingOccurrences(of: "{ policy: daily-14, schedule: \"*-*-* 01:30:00\" }", with: "{ policy: daily-14, schedule: \"*-*-* 02:30:00\" }")
        }
        defer { workspace.remove() }
        let diff = try Self.diff(workspace, now: "2026-10-22T23:40:00Z", days: 4)

        let intent = try Self.intent(diff)
        #expect(intent.count == 1, "\(intent)")
        let change = try #require(intent.first)
        #expect(change["object"] as? String == "resource_groups.erp" && change["field"] as? String == "policies[policy=daily-14].schedule")
        #expect(change["before"] as? String == "*-*-* 01:30:00" && change["after"] as? String == "*-*-* 02:30:00")
        let line = try Self.line(of: "02:30:00", in: "policies/protection.yaml", workspace)
        #expect(Self.location(change) == ("policies/protection.yaml", line))

        // At 01:40 CEST the base's 01:30 daily is due; the proposal's 02:30 is not yet.
        let onlyBase = try Self.plans(diff, "only_base")
        #expect(onlyBase.contains { $0["kind"] as? String == "snapshot" && ($0["address"] as? String)?.hasPrefix("backup.erp/") == true }, "\(onlyBase)")
        #expect(!(try Self.plans(diff, "only_proposed")).contains { $0["kind"] as? String == "snapshot" })

        // The runs of the hourly timer (at :40 UTC) after which erp-data held one more daily.
        let base = try Self.increases(try Self.simulation(diff, "base"), volume: "erp-data", label: "daily")
        let proposed = try Self.increases(try Self.simulation(diff, "proposed"), volume: "erp-data", label: "daily")
        // 01:30 local: 23:30 UTC in summer (the first run at 23:40 took the 23rd's), 00:30 UTC on the 26th.
        #expect(base == ["2026-10-23T23:40:00Z", "2026-10-24T23:40:00Z", "2026-10-26T00:40:00Z"], "\(base)")
        // 02:30 local: 00:30 UTC through the 25th (its first 02:30, still summer time), 01:30 UTC on the 26th.
        #expect(proposed == ["2026-10-23T00:40:00Z", "2026-10-24T00:40:00Z", "2026-10-25T00:40:00Z", "2026-10-26T01:40:00Z"], "\(proposed)")
    }

    /// Runs `contrib/ci/flashplan-review.sh` in `directory` with the built flashplan on PATH.
    static func review(_ arguments: [String], in directory: URL) throws -> FlashPlanBinary.Result {
        let binaryDirectory = try FlashPlanBinary.locate().deletingLastPathComponent().path
        let path = binaryDirectory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        return try FlashPlanBinary.run(
            [Repository.url("contrib/ci/flashplan-review.sh").path] + arguments, in: directory,
            environment: ["PATH": path, "FLASHPLAN": nil, "FLASHPLAN_REVIEW_BASE": nil], timeout: 300,
            executable: URL(fileURLWithPath: "/bin/bash"))
    }

    static func git(_ arguments: [String], in directory: URL) throws {
        let run = try FlashPlanBinary.run(
            ["-c", "user.name=review test", "-c", "user.email=review@example.invalid", "-c", "commit.gpgsign=false"] + arguments,
            in: directory, executable: URL(fileURLWithPath: "/usr/bin/git"))
        guard run.exitCode == 0 else { throw Failure(description: "git \(arguments.joined(separator: " ")): \(run)") }
    }

    @Test func theCIScriptFailsOnALoweredRetentionUnlessAllowedAndOnAnInvalidProposal() throws {
        // A real repository: the base commit has the shipped policies, the proposal lowers
        // the daily retention from 14 days to 2.
        let repository = try ScratchDirectory()
        defer { repository.remove() }
        let root = repository.url
        try Self.git(["init", "--quiet", "--initial-branch=main"], in: root)
        try FileManager.default.copyItem(at: Repository.url("policies"), to: root.appendingPathComponent("policies"))
        try Self.git(["add", "policies"], in: root)
        try Self.git(["commit", "--quiet", "-m", "base"], in: root)
        let protection = root.appendingPathComponent("policies/protection.yaml")
        let text = try String(contentsOf: protection, encoding: .utf8)
        try text.replacingOccurrences(of: "retention: { days: 14 }", with: "retention: { days: 2 }").write(to: protection, atomically: true, encoding: .utf8)
        try Self.git(["commit", "--quiet", "-am", "keep dailies 2 days"], in: root)
        let common = ["--base", "HEAD~1", "--days", "3", "--now", "2026-11-28T01:00:00Z"]

        let refused = try Self.review(common + ["--output", "review.md"], in: root)
        #expect(refused.exitCode == 2, "\(refused)")
        #expect(refused.stdout.hasPrefix("### flashplan diff\n"), "\(refused)")
        #expect(refused.stdout.contains("/base/policies` → `policies` at 2026-11-28T01:00:00Z"), "the base from git, the proposal as the repository names it")
        #expect(refused.stdout.contains("`policies.daily-14` retention.days 14 → 2"), "\(refused)")
        #expect(refused.stderr.contains("the change is destructive") && refused.stderr.contains("fewer backups: crm/daily keeps 1 instead of 2 after 3 days"), "\(refused)")
        #expect(refused.stderr.contains("--allow-destructive"))
        // The file given to --output holds the same markdown, for the CI's comment step.
        #expect(try String(contentsOf: root.appendingPathComponent("review.md"), encoding: .utf8) == refused.stdout)

        let allowed = try Self.review(common + ["--allow-destructive"], in: root)
        #expect(allowed.exitCode == 0, "\(allowed)")
        #expect(allowed.stdout.contains("`policies.daily-14` retention.days 14 → 2"))
        #expect(allowed.stderr.contains("allowed by --allow-destructive"))

        // Against a state the base made, the prunes the lowered retention makes now are found too.
        for day in 21...27 {
            let run = try FlashPlanBinary.run(
                ["apply", "--auto-approve", "--config", Repository.url("policies").path, "--state", "state/state.db", "--now", "2026-11-\(day)T00:20:00Z"],
                in: root)
            #expect(run.exitCode == 0, "\(run)")
        }
        let withState = try Self.review(common + ["--state", "state/state.db"], in: root)
        #expect(withState.exitCode == 2, "\(withState)")
        #expect(withState.stderr.contains("deletes: prune:backup."), "\(withState)")

        // An invalid proposal fails before anything is compared.
        try "volumes:\n  extra: {pool: nowhere, size: 1GiB}\n".write(to: root.appendingPathComponent("policies/broken.yaml"), atomically: true, encoding: .utf8)
        let invalid = try Self.review(common + ["--allow-destructive"], in: root)
        #expect(invalid.exitCode == 1, "\(invalid)")
        #expect(invalid.stderr.contains("broken.yaml:2:") && invalid.stderr.contains("does not validate"), "\(invalid)")
        #expect(invalid.stdout.isEmpty)

        let unknown = try Self.review(["--base", "no-such-branch"], in: root)
        #expect(unknown.exitCode == 1 && unknown.stderr.contains("'no-such-branch' is not a commit"), "\(unknown)")
    }
}
