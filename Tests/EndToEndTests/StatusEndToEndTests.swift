import Foundation
import Testing

/// `flashplan status`, `check` and `history` through the built binary, on states made by
/// `flashplan apply --auto-approve` at chosen times.
@Suite(.serialized) struct StatusEndToEndTests {
    static let first = "2026-11-21T10:00:30Z"
    static let second = "2026-11-21T11:00:30Z"

    /// `Fleets.twoArrays` applied at 10:00:30 and 11:00:30 (hourly and daily backups,
    /// mirror and vault).
    static func estate() throws -> ApplyWorkspace {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        for now in [first, second] {
            let run = try workspace.apply(now)
            #expect(run.exitCode == 0, "\(run)")
        }
        return workspace
    }

    static func json(_ run: FlashPlanBinary.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run)")
    }

    static func validate(_ run: FlashPlanBinary.Result, schema: String, in workspace: ApplyWorkspace) throws {
        guard JSONSchemaCheck.available else { return }
        try workspace.dir.write("document.json", run.stdout)
        let result = try JSONSchemaCheck.validate(
            document: workspace.url.appendingPathComponent("document.json").path, schema: Repository.url(schema).path)
        #expect(result.ok, "\(schema): \(result.message)")
    }

    static func protection(_ document: [String: Any], _ group: String, _ label: String) -> [String: Any]? {
        (document["protection"] as? [[String: Any]])?.first { $0["group"] as? String == group && $0["label"] as? String == label }
    }

    @Test func statusShowsLateLabelsInTextAndJSON() throws {
        let workspace = try Self.estate()
        defer { workspace.remove() }
        let before = try Data(contentsOf: URL(fileURLWithPath: workspace.statePath))

        // 20 minutes after the last apply everything is met.
        let met = try workspace.run(["status", "--format", "json"] + workspace.flags("2026-11-21T11:20:00Z"))
        #expect(met.exitCode == 0, "\(met)")
        let metDocument = try Self.json(met)
        for row in metDocument["protection"] as? [[String: Any]] ?? [] { #expect(row["rpo_met"] as? Bool == true, "\(row)") }
        try Self.validate(met, schema: "schemas/status.schema.json", in: workspace)

        // At 14:20 the hourly backups of 12:00, 13:00 and 14:00 were missed.
        let late = try workspace.run(["status", "--format", "json"] + workspace.flags("2026-11-21T14:20:00Z"))
        #expect(late.exitCode == 0, "\(late)")
        let document = try Self.json(late)
        try Self.validate(late, schema: "schemas/status.schema.json", in: workspace)
        let hourly = try #require(Self.protection(document, "alpha", "hourly"))
        #expect(hourly["rpo_met"] as? Bool == false)
        #expect(hourly["late_since"] as? String == "2026-11-21T12:00:00Z")
        #expect(hourly["late_seconds"] as? Double == Double(2 * 3600 + 20 * 60))
        #expect(hourly["newest_created"] as? String == Self.second)
        let daily = try #require(Self.protection(document, "alpha", "daily"))
        #expect(daily["rpo_met"] as? Bool == true, "daily 02:30 was taken at 10:00:30")
        #expect(daily["next_elapse"] as? String == "2026-11-22T02:30:00Z")
        let replication = try #require(document["replication"] as? [[String: Any]])
        #expect(replication.count == 2)
        #expect(replication.allSatisfy { $0["state"] as? String == "idle" && $0["lag_seconds"] as? Double == 0 }, "\(replication)")
        let last = try #require(document["last_apply"] as? [String: Any])
        #expect(last["outcome"] as? String == "success")
        #expect(last["started"] as? String == Self.second)

        let text = try workspace.run(["status"] + workspace.flags("2026-11-21T14:20:00Z"))
        #expect(text.exitCode == 0, "\(text)")
        #expect(text.stdout.contains("alpha/hourly"))
        #expect(text.stdout.contains("LATE  missed 2026-11-21T12:00:00Z (2h20m)"), "\(text.stdout)")
        #expect(text.stdout.contains("Last apply: apply at 2026-11-21T11:00:30Z (serial 3): success"), "\(text.stdout)")
        #expect(text.stdout.contains("alpha -> dr"))
        #expect(text.stdoutLines.allSatisfy { $0.count <= 80 }, "\(text.stdout)")

        // Read-only: the state is byte for byte as it was.
        #expect(try Data(contentsOf: URL(fileURLWithPath: workspace.statePath)) == before)
    }

    @Test func checkExitCodesForEachState() throws {
        let workspace = try Self.estate()
        defer { workspace.remove() }
        func check(_ now: String, _ extra: [String] = []) throws -> FlashPlanBinary.Result {
            try workspace.run(["check"] + extra + workspace.flags(now))
        }
        let ok = try check("2026-11-21T11:20:00Z")
        #expect(ok.exitCode == 0, "\(ok)")
        #expect(ok.stdoutLines.first?.hasPrefix("FLASHPLAN OK - ") == true, "\(ok)")
        #expect(ok.stdoutLines.first?.contains(" | rpo_late_labels=0;;;0;3 ") == true, "\(ok)")

        // 12:30: the 12:00 hourly backups are 30 minutes late (more than the 15m grace).
        let warning = try check("2026-11-21T12:30:00Z")
        #expect(warning.exitCode == 1, "\(warning)")
        #expect(warning.stdoutLines.first?.hasPrefix("FLASHPLAN WARNING - 2 labels missed RPO (alpha: hourly 30m late, gamma: hourly 30m late)") == true, "\(warning)")
        #expect(warning.stdoutLines.dropFirst().contains { $0.hasPrefix("WARNING: alpha: hourly: 30m late, missed 2026-11-21T12:00:00Z") }, "\(warning)")
        // Within the grace it is still OK; a threshold above the lateness too.
        #expect(try check("2026-11-21T12:14:59Z").exitCode == 0)
        #expect(try check("2026-11-21T12:30:00Z", ["--rpo-warning", "45m"]).exitCode == 0)

        // Thresholds in schedule intervals: 30 minutes late is half an hourly interval.
        #expect(try check("2026-11-21T12:30:00Z", ["--rpo-warning", "0.25", "--rpo-critical", "1.0"]).exitCode == 1)
        #expect(try check("2026-11-21T12:30:00Z", ["--rpo-warning", "0.75"]).exitCode == 0)
        // Each threshold on its own: past the critical one is CRITICAL though the warning
        // one is higher, or in the other unit.
        #expect(try check("2026-11-21T12:30:00Z", ["--rpo-warning", "2h", "--rpo-critical", "15m"]).exitCode == 2)
        #expect(try check("2026-11-21T12:30:00Z", ["--rpo-warning", "2h", "--rpo-critical", "0.25"]).exitCode == 2)
        #expect(try check("2026-11-21T14:20:00Z", ["--rpo-warning", "0.25", "--rpo-critical", "2.5"]).exitCode == 1)
        #expect(try check("2026-11-21T14:20:00Z", ["--rpo-warning", "0.25", "--rpo-critical", "2.0"]).exitCode == 2)

        let critical = try check("2026-11-21T14:20:00Z")
        #expect(critical.exitCode == 2, "\(critical)")
        #expect(critical.stdoutLines.first?.hasPrefix("FLASHPLAN CRITICAL - 2 labels missed RPO (alpha: hourly 2h20m late") == true, "\(critical)")
        #expect(critical.stdoutLines.first?.contains("rpo_max_late=8400s;0;3600;0") == true, "\(critical)")

        // A broken relationship is critical even when every backup is on time.
        try workspace.sim(["break", "v1_dr"], now: "2026-11-21T11:10:00Z")
        let broken = try check("2026-11-21T11:20:00Z")
        #expect(broken.exitCode == 2, "\(broken)")
        #expect(broken.stdout.contains("relationship.v1_dr broken"), "\(broken)")
    }

    /// An offline array is seen at once, not when a schedule is next missed (up to a day
    /// later for a daily label): `status` lists it first with its pools and the volumes
    /// and groups out of reach, `check` is CRITICAL naming it.
    @Test func anOfflineArrayIsShownByStatusAndRaisedByCheckAtOnce() throws {
        let workspace = try Self.estate()
        defer { workspace.remove() }
        try workspace.sim(["array-offline", "fa"], now: "2026-11-21T11:05:00Z")
        let now = "2026-11-21T11:20:00Z"

        let text = try workspace.run(["status"] + workspace.flags(now))
        #expect(text.exitCode == 0, "\(text)")
        let lines = text.stdoutLines
        let section = try #require(lines.firstIndex(of: "Arrays out of service (what is on them cannot be backed up or replicated)"), "\(text.stdout)")
        #expect(section < (lines.firstIndex { $0.hasPrefix("Backups") } ?? 0), "before the backups: \(text.stdout)")
        #expect(lines.contains("  ! array.fa: OFFLINE"), "\(text.stdout)")
        #expect(lines.contains("    pools offline: prod"), "\(text.stdout)")
        #expect(lines.contains("    2 volumes out of reach: v1, v2"), "\(text.stdout)")
        #expect(lines.contains("    groups that cannot be backed up: alpha"), "\(text.stdout)")
        #expect(lines.contains { $0.hasPrefix("  prod ") && $0.contains("OFFLINE") }, "\(text.stdout)")
        #expect(!lines.contains("  ! array.fb: OFFLINE"), "\(text.stdout)")
        #expect(lines.allSatisfy { $0.count <= 80 }, "\(text.stdout)")

        let json = try workspace.run(["status", "--format", "json"] + workspace.flags(now))
        try Self.validate(json, schema: "schemas/status.schema.json", in: workspace)
        let arrays = try #require(try Self.json(json)["arrays"] as? [[String: Any]])
        let fa = try #require(arrays.first { $0["name"] as? String == "fa" })
        #expect(fa["status"] as? String == "offline")
        #expect(fa["volumes_out_of_reach"] as? [String] == ["v1", "v2"])
        #expect(fa["groups_affected"] as? [String] == ["alpha"])
        #expect(arrays.first { $0["name"] as? String == "fb" }?["status"] as? String == "online")
        let pools = try #require(try Self.json(json)["pools"] as? [[String: Any]])
        #expect(pools.first { $0["name"] as? String == "prod" }?["offline_arrays"] as? [String] == ["fa"])

        let check = try workspace.run(["check"] + workspace.flags(now))
        #expect(check.exitCode == 2, "\(check)")
        #expect(check.stdoutLines.first?.hasPrefix("FLASHPLAN CRITICAL - array fa offline") == true, "\(check)")
        #expect(check.stdoutLines.first?.contains(" arrays_offline=1;;0;0;2") == true, "\(check)")
        #expect(check.stdout.contains("CRITICAL: array fa is offline: 2 volumes out of reach (v1, v2), groups alpha cannot be backed up"), "\(check)")

        // Back online, it is OK again (the backups are on time).
        try workspace.sim(["array-online", "fa"], now: "2026-11-21T11:25:00Z")
        let back = try workspace.run(["check"] + workspace.flags("2026-11-21T11:30:00Z"))
        #expect(back.exitCode == 0, "\(back)")
    }

    @Test func checkIsUnknownWhenItCannotJudge() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        // No state: UNKNOWN, and none is created.
        let missing = try workspace.run(["check"] + workspace.flags(Self.first))
        #expect(missing.exitCode == 3, "\(missing)")
        #expect(missing.stdoutLines.first?.hasPrefix("FLASHPLAN UNKNOWN - ") == true, "\(missing)")
        #expect(missing.stdout.contains("does not exist"), "\(missing)")
        #expect(!FileManager.default.fileExists(atPath: workspace.statePath))
        // Status says so too, and creates nothing.
        let status = try workspace.run(["status"] + workspace.flags(Self.first))
        #expect(status.exitCode == 1, "\(status)")
        #expect(status.stderr.contains("does not exist"), "\(status)")
        #expect(!FileManager.default.fileExists(atPath: workspace.statePath))

        // A path with a terminal escape is echoed escaped.
        for command in [["check"], ["status"], ["history"]] {
            let hostile = try workspace.run(command + ["--config", "policies", "--state", "x\u{1B}[2J.db"].dropFirst(command == ["history"] ? 2 : 0))
            #expect(!(hostile.stdout + hostile.stderr).contains("\u{1B}"), "\(hostile)")
            #expect((hostile.stdout + hostile.stderr).contains("x\\u{1B}[2J.db"), "\(hostile)")
        }
        // A state that is not a database.
        try workspace.dir.write(workspace.state, String(repeating: "not a database\n", count: 400))
        let corrupt = try workspace.run(["check"] + workspace.flags(Self.first))
        #expect(corrupt.exitCode == 3, "\(corrupt)")
        #expect(corrupt.stdoutLines.first?.hasPrefix("FLASHPLAN UNKNOWN - ") == true, "\(corrupt)")

        // Flags it refuses or does not know: UNKNOWN, not 64.
        for flags in [["--rpo-warning", "5"], ["--rpo-critical", "0.5.1"], ["--rpo-warning", ".5"], ["unexpected-argument"], ["--pool-critical", "120%"], ["--no-such-flag"], ["--now", "2026-11-21"]] {
            let run = try workspace.run(["check", "--config", "policies", "--state", workspace.state] + flags)
            #expect(run.exitCode == 3, "\(run)")
            #expect(run.stdoutLines.first?.hasPrefix("FLASHPLAN UNKNOWN - ") == true, "\(run)")
        }
        // A configuration with errors.
        try workspace.dir.write("bad/a.yaml", "volumes: {v1: {pool: nowhere, size: 1GiB}}\n")
        let applied = try workspace.apply(Self.first, state: "other.db")
        #expect(applied.exitCode == 0, "\(applied)")
        let badConfig = try workspace.run(["check", "--config", "bad", "--state", "other.db", "--now", Self.second])
        #expect(badConfig.exitCode == 3, "\(badConfig)")
        #expect(badConfig.stdout.contains("has 1 error"), "\(badConfig)")
    }

    @Test func historyAfterTwoApplies() throws {
        let workspace = try Self.estate()
        defer { workspace.remove() }
        let all = try workspace.run(["history", "--format", "json", "--state", workspace.state])
        #expect(all.exitCode == 0, "\(all)")
        try Self.validate(all, schema: "schemas/history.schema.json", in: workspace)
        let document = try Self.json(all)
        let applies = try #require(document["applies"] as? [[String: Any]])
        #expect(applies.map { $0["serial"] as? Int } == [1, 3])
        #expect(applies.map { $0["started"] as? String } == [Self.first, Self.second])
        #expect(applies.allSatisfy { $0["outcome"] as? String == "success" })
        // Who ran it: the user of the process (from the kernel, not $USER) at this host.
        let user = String(cString: getpwuid(geteuid())!.pointee.pw_name)
        #expect(applies.allSatisfy { ($0["who"] as? String)?.hasPrefix(user) == true && ($0["who"] as? String)?.contains("@") == true }, "\(applies)")
        let actions = try #require(applies.last?["actions"] as? [[String: Any]])
        #expect(actions.contains { $0["kind"] as? String == "snapshot" && $0["result"] as? String == "applied" }, "\(actions)")
        #expect(actions.contains { $0["kind"] as? String == "transfer" }, "\(actions)")
        #expect(document["since"] is NSNull)

        // --since as a time and as a duration back from --now.
        for since in ["2026-11-21T10:30:00Z", "2026-11-21T11:30:00+01:00", "45m"] {
            let recent = try workspace.run(["history", "--format", "json", "--state", workspace.state, "--since", since, "--now", "2026-11-21T11:15:00Z"])
            #expect(recent.exitCode == 0, "\(recent)")
            let serials = (try Self.json(recent)["applies"] as? [[String: Any]])?.map { $0["serial"] as? Int }
            #expect(serials == [3], "\(since): \(recent)")
        }
        let text = try workspace.run(["history", "--state", workspace.state])
        #expect(text.exitCode == 0, "\(text)")
        #expect(text.stdout.contains("serial 1 apply by \(user)"), "\(text.stdout)")
        // Wrapped at 80 columns, so compare with the line breaks taken out.
        #expect(text.stdout.replacingOccurrences(of: "\n", with: " ").contains(" at \(Self.first), ended \(Self.first): success"), "\(text.stdout)")
        #expect(text.stdout.contains("  applied  snapshot:backup.alpha/"), "\(text.stdout)")
        #expect(text.stdoutLines.allSatisfy { $0.count <= 80 }, "\(text.stdout)")

        let refused = try workspace.run(["history", "--state", workspace.state, "--since", "7"])
        #expect(refused.exitCode == 64, "\(refused)")
        #expect(refused.stderr.contains("--since '7' is refused"), "\(refused)")
    }

    /// The shipped policies, one group with the longest names the language allows, a day
    /// of applies, a pool filled and a group removed: every line of the text fits 80 columns.
    @Test func statusOfARealisticEstateFitsEightyColumns() throws {
        let workspace = try ApplyWorkspace(copyingPolicies: ())
        defer { workspace.remove() }
        let long = "g" + String(repeating: "x", count: 62)
        try workspace.dir.write("policies/long.yaml", """
            hosts:
              \(long): { site: rome }
            volumes:
              v\(String(repeating: "y", count: 50)): { pool: silver, size: 10GiB, hosts: [\(long)] }
            resource_groups:
              \(long):
                hosts: [\(long)]
                volumes: [v\(String(repeating: "y", count: 50))]
                policies: [{ policy: hourly-24 }]
                replicate: [{ to: dr, type: mirror }]
                clones: [{ name: c\(String(repeating: "z", count: 8)), label: hourly, host: \(long) }]

            """)
        for hour in 0..<4 {
            let run = try workspace.apply("2026-11-21T1\(hour):20:00Z")
            #expect(run.exitCode == 0, "\(run)")
        }
        try workspace.sim(["fill-pool", "silver", "95%"], now: "2026-11-21T13:30:00Z")
        // The group is removed: its backups become unmanaged, its mapping would be undone.
        try FileManager.default.removeItem(at: workspace.url.appendingPathComponent("policies/long.yaml"))
        // Names from the state are text an attacker may have written: a terminal escape and a
        // right-to-left override in the removed group's name and in its clone's.
        if StateDatabase.hasSQLite3 {
            _ = try StateDatabase.query(workspace.statePath, """
                UPDATE atom SET text = 'evil' || char(27) || '[2J' || char(8238) || '\(long)' WHERE text = '\(long)';
                UPDATE volume SET name = 'c' || char(27) || ']0;owned' || char(7) || name WHERE name LIKE 'czzzz%';
                """)
        }
        let status = try workspace.run(["status"] + workspace.flags("2026-11-21T16:40:00Z"))
        #expect(status.exitCode == 0, "\(status)")
        #expect(status.stdout.contains("Unmanaged backups"), "\(status.stdout)")
        #expect(status.stdout.contains("CRITICAL"), "\(status.stdout)")
        #expect(status.stdout.contains("…"), "long names are cut: \(status.stdout)")
        if StateDatabase.hasSQLite3 {
            #expect(status.stdout.contains("group evil\\u{1B}[2J…xxxx"), "\(status.stdout)")
            #expect(status.stdout.contains("clone.c\\u{1B}]0;owned\\u{7}cz…yyyy"), "\(status.stdout)")
        }
        #expect(!status.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E || $0.value == 7 }, "nothing acts on the terminal")
        let wide = status.stdoutLines.filter { $0.count > 80 }
        #expect(wide.isEmpty, "\(wide)\n\(status.stdout)")
        let json = try workspace.run(["status", "--format", "json"] + workspace.flags("2026-11-21T16:40:00Z"))
        try Self.validate(json, schema: "schemas/status.schema.json", in: workspace)
        #expect(json.stdout.contains(long), "JSON keeps names whole")
        let check = try workspace.run(["check"] + workspace.flags("2026-11-21T16:40:00Z"))
        #expect(check.exitCode == 2, "\(check)")
        #expect(check.stdoutLines.first?.contains("pool silver 9") == true, "\(check)")
    }
}
