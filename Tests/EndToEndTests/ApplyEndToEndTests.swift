import FlashPlanApp
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `flashplan apply` as the timer, an operator at a terminal and a monitoring system
/// see it: the lock, offline arrays, stale plans, the approval prompt, metrics and logs.
@Suite("flashplan apply")
struct ApplyEndToEndTests {
    static let t0 = "2026-11-21T10:00:00Z"
    static let t1 = "2026-11-21T11:00:00Z"
    static let t2 = "2026-11-21T12:00:00Z"

    // MARK: One apply at a time

    /// `pid 4242, flashplan@stor01, apply, since 2026-11-21T10:00:00Z`
    static func namesHolder(_ text: String, pid: Int32, since: String) -> Bool {
        text.contains("pid \(pid), ") && text.contains(", apply, since \(since)")
            && text.contains(/pid \d+, [^ ,]+@[^ ,]+, apply/)
    }

    @Test func twoAppliesStartedTogetherNeverBothAct() throws {
        let workspace = try ApplyWorkspace(config: Fleets.large(groups: 30))
        defer { workspace.remove() }
        let arguments = ["apply", "--auto-approve", "--lock-timeout", "0"] + workspace.flags(Self.t0)
        let first = try FlashPlanBinary.start(arguments, in: workspace.url)
        let second = try FlashPlanBinary.start(arguments, in: workspace.url)
        let results = [try first.wait(), try second.wait()]
        let pids = [first.pid, second.pid]

        let acted = results.indices.filter { results[$0].stdout.contains("Apply complete!") }
        try #require(acted.count == 1, "\(results[0])\n\(results[1])")
        let winner = acted[0], loser = 1 - winner
        #expect(results[winner].exitCode == 0, "\(results[winner])")
        let other = results[loser]
        if other.exitCode == 1 {
            // Refused at once, naming who holds the lock.
            let text = other.stdout + other.stderr
            #expect(text.contains("locked by another flashplan"), "\(other)")
            #expect(Self.namesHolder(text, pid: pids[winner], since: Self.t0), "\(other)")
        } else {
            // Or it came after the first had finished: then there was nothing left to do.
            #expect(other.exitCode == 0 && other.stdout.contains("No changes"), "\(other)")
        }

        let applies = try StateDatabase.applies(workspace.statePath)
        #expect(applies.count == 1, "\(applies)")
        let journal = try StateDatabase.journal(workspace.statePath)
        #expect(Set(journal.map(\.applyID)) == Set(applies.map(\.id)))
        #expect(Set(journal.map(\.actionID)).count == journal.count, "an action was journalled twice")
        #expect(journal.allSatisfy { $0.outcome == .applied })
        #expect(try workspace.plan(Self.t0).exitCode == 0)
    }

    @Test func aSecondApplyIsRefusedOrWaitsWhileTheLockIsHeld() throws {
        let workspace = try ApplyWorkspace(config: Fleets.large(groups: 10))
        defer { workspace.remove() }
        let first = try FlashPlanBinary.start(["apply", "--auto-approve"] + workspace.flags(Self.t0), in: workspace.url)
        // Freeze the first apply as soon as it holds the lock: whatever the machine's
        // speed, the others meet a held lock.
        let lockFile = workspace.statePath + ".lock"
        let holds = first.poll(interval: 0.001) {
            ((try? String(contentsOfFile: lockFile, encoding: .utf8)) ?? "").contains("\"pid\":\(first.pid)")
        }
        kill(first.pid, SIGSTOP)
        defer { kill(first.pid, SIGCONT) }
        if !holds { Issue.record("the first apply never took the lock: \((try? first.wait()).map { "\($0)" } ?? "")") }
        try #require(holds)

        // --lock-timeout 0: refused at once, exit 1, naming the holder.
        let refused = try workspace.apply(Self.t0, ["--lock-timeout", "0"])
        #expect(refused.exitCode == 1, "\(refused)")
        #expect(refused.stdout.contains("Error: the state is locked by another flashplan"), "\(refused)")
        #expect(Self.namesHolder(refused.stdout, pid: first.pid, since: Self.t0), "\(refused)")

        // A short timeout: it says who it waits for, then gives up.
        let gaveUp = try workspace.apply(Self.t0, ["--lock-timeout", "1s"])
        #expect(gaveUp.exitCode == 1, "\(gaveUp)")
        #expect(gaveUp.stderr.contains("Waiting for the state lock, held by pid \(first.pid), "), "\(gaveUp)")
        #expect(gaveUp.stdout.contains("gave up after 1s"), "\(gaveUp)")
        // … as a JSON log line with --log-format json.
        let gaveUpJSON = try workspace.apply(Self.t0, ["--lock-timeout", "0", "--log-format", "json"])
        #expect(gaveUpJSON.exitCode == 1, "\(gaveUpJSON)")
        let waitLines = Self.jsonLogLines(gaveUpJSON)
        #expect(waitLines.contains { ($0["message"] as? String)?.contains("Waiting for the state lock, held by pid \(first.pid), ") == true }, "\(gaveUpJSON)")

        // A long timeout: it waits, and once the first is done it has nothing to do.
        let waiting = try FlashPlanBinary.start(
            ["apply", "--auto-approve", "--lock-timeout", "2m"] + workspace.flags(Self.t0), in: workspace.url)
        #expect(waiting.poll { waiting.stderrSoFar.contains("Waiting for the state lock") }, "\(waiting.stderrSoFar)")
        #expect(Self.namesHolder(waiting.stderrSoFar, pid: first.pid, since: Self.t0), "\(waiting.stderrSoFar)")
        kill(first.pid, SIGCONT)
        let done = try first.wait()
        #expect(done.exitCode == 0, "\(done)")
        let after = try waiting.wait()
        #expect(after.exitCode == 0, "\(after)")
        #expect(after.stdout.contains("No changes"), "\(after)")
        #expect(!after.stdout.contains("Apply complete!"), "\(after)")

        let applies = try StateDatabase.applies(workspace.statePath)
        #expect(applies.count == 1, "only the first apply acted: \(applies)")
        let journal = try StateDatabase.journal(workspace.statePath)
        #expect(Set(journal.map(\.actionID)).count == journal.count)
    }

    /// Standard error of a `--log-format json` run: every line must be a JSON object.
    static func jsonLogLines(_ run: FlashPlanBinary.Result) -> [[String: Any]] {
        run.stderrLines.compactMap { line in
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            #expect(object != nil, "not a JSON log line: \(line)")
            return object
        }
    }

    // MARK: SIGTERM

    @Test func sigtermFinishesTheRunningActionsRecordsAndExits143() throws {
        let workspace = try ApplyWorkspace(config: Fleets.large(groups: 30))
        defer { workspace.remove() }
        let child = try FlashPlanBinary.start(
            ["apply", "--auto-approve", "--log-format", "json"] + workspace.flags(Self.t0), in: workspace.url)
        #expect(child.poll { child.stderrSoFar.contains("apply started") })
        Thread.sleep(forTimeInterval: 0.05)
        kill(child.pid, SIGTERM)
        let stopped = try child.wait()
        guard stopped.exitCode != 0 else { return }  // it finished first: nothing to check
        guard !stopped.stdout.contains("interrupted before any action started") else { return }  // too early
        #expect(stopped.exitCode == 143, "\(stopped)")
        let lines = Self.jsonLogLines(stopped)
        #expect(lines.contains { ($0["message"] as? String)?.contains("received signal 15") == true }, "\(stopped.stderr)")
        #expect(stopped.stdout.contains("Apply interrupted: partly applied."), "\(stopped)")
        #expect(stopped.stdout.contains("not started: the apply was interrupted"), "\(stopped)")
        #expect(try StateDatabase.applies(workspace.statePath).map(\.outcome) == ["interrupted"])

        let rest = try workspace.apply(Self.t0)
        #expect(rest.exitCode == 0, "\(rest)")
        #expect(try workspace.plan(Self.t0).exitCode == 0)
        let state = try workspace.listing(Self.t0)
        #expect(state.snapshots.count == 30 * 3 * 2 * 2)
        #expect(state.clones.count == 30 * 3)
    }

    // MARK: An array going offline

    @Test func anOfflineArrayBlocksOnlyItsOwnActionsAndTheNextApplyConverges() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        try #require(try workspace.apply(Self.t0).exitCode == 0)

        // fb (dr, vault, and gamma's pool) goes away before the next hourly run.
        try workspace.sim(["array-offline", "fb"], now: Self.t1)
        let metrics = workspace.url.appendingPathComponent("flashplan.prom").path
        let partly = try workspace.apply(Self.t1, ["--metrics-file", metrics])
        #expect(partly.exitCode == 3, "\(partly)")
        // The metrics say so at once, before any label is late.
        let samples = Self.parseMetrics(try String(contentsOfFile: metrics, encoding: .utf8)).samples
        #expect(samples["flashplan_arrays_offline"] == 1, "\(samples)")
        #expect(samples["flashplan_array_online{array=\"fb\"}"] == 0 && samples["flashplan_array_online{array=\"fa\"}"] == 1, "\(samples)")
        #expect(partly.stdout.contains("Apply partly applied: actions were held or blocked (below)."), "\(partly)")
        #expect(partly.stdout.contains(/1 applied, 0 failed, \d+ skipped/), "\(partly)")
        #expect(partly.stdout.contains(/skipped: relationship\.v1_dr \(transfer\): blocked: .*fb/), "\(partly)")
        #expect(partly.stdout.contains(/skipped: backup\.gamma\/\S+ \(snapshot\): blocked: .*fb/), "\(partly)")
        var state = try workspace.listing(Self.t1)
        let hour1 = ISOTime.date(Self.t1)
        #expect(state.snapshots(on: "v1", label: "hourly").last?.created == hour1, "fa's backup was taken")
        #expect(state.snapshots(on: "v2", label: "hourly").last?.created == hour1)
        #expect(state.snapshots(on: "v1_dr", label: "hourly").last?.created != hour1)
        #expect(state.snapshots(on: "x1", label: "hourly").last?.created != hour1)

        // Back online: the next apply does what was left, and nothing more.
        try workspace.sim(["array-online", "fb"], now: Self.t1)
        let converged = try workspace.apply(Self.t1)
        #expect(converged.exitCode == 0, "\(converged)")
        #expect(try workspace.plan(Self.t1).exitCode == 0)
        state = try workspace.listing(Self.t1)
        #expect(state.snapshots(on: "v1_dr", label: "hourly").last?.created == hour1)
        #expect(state.snapshots(on: "x1", label: "hourly").last?.created == hour1)
        #expect(Set(state.snapshots(on: "v1_dr").map(\.name)) == Set(state.snapshots(on: "v1").map(\.name)))
        #expect(state.snapshots(on: "v1", label: "hourly").count == 2)
    }

    @Test func anArrayFailingMidRunFailsItsActionsSkipsTheirDependentsAndCarriesOn() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        try #require(try workspace.apply(Self.t0).exitCode == 0)

        // The next operation on fa fails: alpha's backup (on fa) fails, its transfers
        // (which need it) are skipped, gamma's backup (on fb) is taken.
        try workspace.sim(["fail-next", "1", "fa"], now: Self.t1)
        let partly = try workspace.apply(Self.t1)
        #expect(partly.exitCode == 3, "\(partly)")
        #expect(partly.stdout.contains(/1 applied, 1 failed, \d+ skipped/), "\(partly)")
        #expect(partly.stdout.contains(/failed: backup\.alpha\/\S+ \(snapshot\): .+/), "\(partly)")
        #expect(partly.stdout.contains(/skipped: relationship\.v1_dr \(transfer\): depends on snapshot:backup\.alpha\/\S+, which failed/), "\(partly)")
        let hour1 = ISOTime.date(Self.t1)
        var state = try workspace.listing(Self.t1)
        #expect(state.snapshots(on: "v1", label: "hourly").last?.created != hour1)
        #expect(state.snapshots(on: "v2", label: "hourly").last?.created != hour1, "no partial backup")
        #expect(state.snapshots(on: "x1", label: "hourly").last?.created == hour1)

        let converged = try workspace.apply(Self.t1)
        #expect(converged.exitCode == 0, "\(converged)")
        #expect(try workspace.plan(Self.t1).exitCode == 0)
        state = try workspace.listing(Self.t1)
        for volume in ["v1", "v2", "v1_dr", "v2_dr", "x1"] {
            #expect(state.snapshots(on: volume, label: "hourly").map(\.created) == [ISOTime.date(Self.t0), hour1], "\(volume)")
        }

        // Every operation of the run fails: nothing applied, exit 1.
        try workspace.sim(["fail-next", "5", "fa"], now: Self.t2)
        try workspace.sim(["fail-next", "5", "fb"], now: Self.t2)
        let failed = try workspace.apply(Self.t2)
        #expect(failed.exitCode == 1, "\(failed)")
        #expect(failed.stdout.contains("Apply failed: nothing was applied."), "\(failed)")
    }

    /// Every hour for a day and a bit, the next few operations on a random array fail;
    /// the apply after the fault is cleared converges, and at the end the state is
    /// exactly that of a run without faults.
    @Test func injectedFaultsEveryHourConvergeToTheStateOfACleanRun() throws {
        let workspace = try ApplyWorkspace(config: ApplyWeeksEndToEndTests.config)
        defer { workspace.remove() }
        var random = SeededGenerator(seed: 0x6_0004)
        var partial = 0
        let start = ISOTime.date("2026-11-02T00:00:00Z")
        for hour in 0..<30 {
            let now = ISOTime.iso(start.adding(hours: hour))
            let clean = try workspace.apply(now, state: "clean/state.db")
            try #require(clean.exitCode == 0, "\(clean)")
            if hour == 0 {  // the arrays exist from the first apply on
                try #require(try workspace.apply(now).exitCode == 0)
                continue
            }

            let array = Bool.random(using: &random) ? "fa" : "fb"
            try workspace.sim(["fail-next", String(Int.random(in: 1...3, using: &random)), array], now: now)
            let faulty = try workspace.apply(now)
            #expect([0, 1, 3].contains(faulty.exitCode), "\(faulty)")
            if faulty.exitCode == 3 { partial += 1 }
            if faulty.exitCode != 0 {
                #expect(faulty.stdout.contains(/failed: \S+ \(\S+\):/), "\(faulty)")
            }
            try workspace.sim(["fail-next", "0", array], now: now)
            let after = try workspace.apply(now)
            #expect(after.exitCode == 0, "hour \(hour): \(after)")
            let plan = try workspace.plan(now)
            #expect(plan.exitCode == 0, "hour \(hour): \(plan)")
        }
        #expect(partial >= 5, "too few partly failed applies (\(partial)) for this to test anything")
        let end = ISOTime.iso(start.adding(hours: 29))
        let expected = try workspace.listing(end, state: "clean/state.db")
        let state = try workspace.listing(end)
        #expect(state.canonical == expected.canonical, "extra: \(Set(state.snapshots).subtracting(expected.snapshots)); missing: \(Set(expected.snapshots).subtracting(state.snapshots))")
        let journal = try StateDatabase.journal(workspace.statePath)
        #expect(journal.contains { $0.outcome == .failed } && journal.contains { $0.outcome == .skipped })
    }

    // MARK: Saved plans

    @Test func aSavedPlanAppliesOnceAndIsStaleAfterwards() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        let saved = try workspace.run(["plan", "--out", "p.json"] + workspace.flags(Self.t0))
        #expect(saved.exitCode == 0, "\(saved)")

        // A saved plan is the approval: no prompt, no --auto-approve.
        let applied = try workspace.run(["apply", "p.json"] + workspace.flags(Self.t0))
        #expect(applied.exitCode == 0, "\(applied)")
        #expect(applied.stdout.contains("Apply complete!"), "\(applied)")

        let again = try workspace.run(["apply", "p.json"] + workspace.flags(Self.t0))
        #expect(again.exitCode == 1, "\(again)")
        #expect(again.stdout.lowercased().contains("stale"), "\(again)")
        #expect(try StateDatabase.applies(workspace.statePath).count == 1)

        // An outside event between plan and apply makes the plan stale too.
        let next = try workspace.run(["plan", "--out", "p2.json"] + workspace.flags(Self.t1))
        #expect(next.exitCode == 0, "\(next)")
        try workspace.sim(["array-offline", "fb"], now: Self.t1)
        let before = try workspace.listing(Self.t1)
        let stale = try workspace.run(["apply", "p2.json"] + workspace.flags(Self.t1))
        #expect(stale.exitCode == 1, "\(stale)")
        #expect(stale.stdout.lowercased().contains("stale"), "\(stale)")
        #expect(try workspace.listing(Self.t1).canonical == before.canonical, "a stale plan changed the state")
        #expect(try StateDatabase.applies(workspace.statePath).count == 1)

        // And a plan made for another state is refused whatever its serial.
        let elsewhere = try workspace.run(["apply", "p2.json"] + workspace.flags(Self.t1, state: "other/state.db"))
        #expect(elsewhere.exitCode == 1, "\(elsewhere)")
        #expect(elsewhere.stdout.contains("make a new plan"), "\(elsewhere)")
    }

    /// A plan file of another format (an older or newer flashplan's, or no format at all)
    /// is refused before anything is done, naming both versions and what to do.
    @Test func aPlanFileOfAnotherFormatVersionIsRefused() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        #expect(try workspace.apply(Self.t0).exitCode == 0)
        let saved = try workspace.run(["plan", "--out", "p.json"] + workspace.flags(Self.t1))
        #expect(saved.exitCode == 0, "\(saved)")
        let text = try String(contentsOf: workspace.url.appendingPathComponent("p.json"), encoding: .utf8)
        #expect(text.contains("\"format_version\" : 2,"))
        let before = try workspace.listing(Self.t1)
        let versions: [(name: String, text: String, found: String)] = [
            ("v1.json", text.replacingOccurrences(of: "\"format_version\" : 2,", with: "\"format_version\" : 1,"), "format_version 1"),
            ("v3.json", text.replacingOccurrences(of: "\"format_version\" : 2,", with: "\"format_version\" : 3,"), "format_version 3"),
            ("none.json", text.replacingOccurrences(of: "\"format_version\" : 2,", with: ""), "no format_version"),
        ]
        for version in versions {
            try version.text.write(to: workspace.url.appendingPathComponent(version.name), atomically: true, encoding: .utf8)
            let run = try workspace.run(["apply", version.name] + workspace.flags(Self.t1))
            #expect(run.exitCode == 1, "\(run)")
            let output = run.stdout + run.stderr
            #expect(output.contains("\(version.name): the file has \(version.found.hasPrefix("no") ? "" : "plan ")\(version.found)"), "\(run)")
            #expect(output.contains("this flashplan reads plan format_version 2 only"), "\(run)")
            #expect(output.contains("flashplan plan --out \(version.name)"), "\(run)")
        }
        #expect(try workspace.listing(Self.t1).canonical == before.canonical, "a refused plan file changed the state")
        #expect(try StateDatabase.applies(workspace.statePath).count == 1, "a refused plan file recorded an apply")

        // The plan as saved still applies: the refusals left it current.
        let applied = try workspace.run(["apply", "p.json"] + workspace.flags(Self.t1))
        #expect(applied.exitCode == 0, "\(applied)")
    }

    // MARK: Approval

    @Test func theApprovalPromptOnATerminal() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }

        func answer(_ text: String, state: String) throws -> FlashPlanBinary.Result {
            let terminal = try PseudoTerminal()
            let child = try FlashPlanBinary.start(
                ["apply"] + workspace.flags(Self.t0, state: state), in: workspace.url, stdin: terminal.slave)
            #expect(child.poll { child.stdoutSoFar.contains("Enter a value:") }, "no prompt: \(child.stdoutSoFar)")
            terminal.type(text + "\n")
            let result = try child.wait(timeout: 60)
            terminal.drain()
            return result
        }

        let no = try answer("no", state: "no/state.db")
        #expect(no.exitCode == 1, "\(no)")
        #expect(no.stdout.contains("Do you want to perform these actions?"), "\(no)")
        #expect(no.stdout.contains("Apply cancelled."), "\(no)")
        #expect(try workspace.listing(Self.t0, state: "no/state.db").volumes.isEmpty, "'no' applied something")

        let yes = try answer("yes", state: "yes/state.db")
        #expect(yes.exitCode == 0, "\(yes)")
        #expect(yes.stdout.contains("Apply complete!"), "\(yes)")
        #expect(try workspace.plan(Self.t0, state: "yes/state.db").exitCode == 0)

        // Ctrl-C at the prompt cancels at once, without waiting for an answer.
        let terminal = try PseudoTerminal()
        let interrupted = try FlashPlanBinary.start(
            ["apply"] + workspace.flags(Self.t0, state: "ctrl-c/state.db"), in: workspace.url, stdin: terminal.slave)
        #expect(interrupted.poll { interrupted.stdoutSoFar.contains("Enter a value:") }, "no prompt: \(interrupted.stdoutSoFar)")
        kill(interrupted.pid, SIGINT)
        let cancelled = try interrupted.wait(timeout: 10)
        #expect(cancelled.exitCode == 130, "\(cancelled)")
        #expect(cancelled.stdout.contains("Apply cancelled."), "\(cancelled)")
        #expect(try workspace.listing(Self.t0, state: "ctrl-c/state.db").volumes.isEmpty)
        #expect(try StateDatabase.applies(workspace.url.appendingPathComponent("ctrl-c/state.db").path).isEmpty)

        // Not a terminal and no --auto-approve: refused, saying how to approve.
        let refused = try workspace.run(["apply"] + workspace.flags(Self.t0, state: "pipe/state.db"))
        #expect(refused.exitCode == 1, "\(refused)")
        #expect((refused.stdout + refused.stderr).contains("--auto-approve"), "\(refused)")
        #expect(!refused.stdout.contains("Apply complete!"))
        #expect(try workspace.listing(Self.t0, state: "pipe/state.db").volumes.isEmpty)
    }

    // MARK: Metrics and logs

    /// `name{label="value",…} value [timestamp]`
    static var sample: Regex<(Substring, Substring, Substring?, Substring?, Substring, Substring?)> {
        /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*,?)?\})? (\S+)( -?\d+)?$/
    }

    static func parseMetrics(_ text: String) -> (samples: [String: Double], problems: [String]) {
        var samples: [String: Double] = [:]
        var problems: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                if line.hasPrefix("# TYPE "), !line.contains(/^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped)$/) {
                    problems.append(line)
                }
                continue
            }
            guard let match = line.wholeMatch(of: sample) else {
                problems.append(line)
                continue
            }
            let valueText = String(match.output.4)
            guard let value = Double(valueText) ?? ["+Inf": .infinity, "-Inf": -.infinity, "NaN": .nan][valueText] else {
                problems.append(line)
                continue
            }
            samples[String(match.output.1) + String(match.output.2 ?? "")] = value
        }
        if !text.hasSuffix("\n") { problems.append("(no final newline)") }
        return (samples, problems)
    }

    @Test func metricsFileAndJSONLogs() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        let metricsDirectory = workspace.url.appendingPathComponent("textfile")
        try FileManager.default.createDirectory(at: metricsDirectory, withIntermediateDirectories: true)
        let metrics = metricsDirectory.appendingPathComponent("flashplan.prom").path
        let flags = ["--metrics-file", metrics, "--log-format", "json"]

        let run = try workspace.apply(Self.t0, flags)
        #expect(run.exitCode == 0, "\(run)")
        let text = try String(contentsOfFile: metrics, encoding: .utf8)
        let (samples, problems) = Self.parseMetrics(text)
        #expect(problems.isEmpty, "not Prometheus text format: \(problems)\n\(text)")
        #expect(samples["flashplan_last_apply_timestamp_seconds"] == ISOTime.date(Self.t0).timeIntervalSince1970, "\(text)")
        #expect(samples["flashplan_last_apply_outcome{outcome=\"success\"}"] == 1, "\(text)")
        #expect(samples["flashplan_rpo_met{group=\"alpha\",label=\"hourly\"}"] == 1, "\(text)")
        #expect(samples["flashplan_rpo_met{group=\"gamma\",label=\"hourly\"}"] == 1, "\(text)")
        #expect(samples["flashplan_volume_snapshots{volume=\"v1\"}"] == 2, "hourly and daily: \(text)")
        #expect(samples["flashplan_volume_snapshots{volume=\"x1\"}"] == 1, "\(text)")
        #expect(samples.keys.contains { $0.hasPrefix("flashplan_apply_actions{") }, "\(text)")
        #expect(samples.keys.contains { $0.hasPrefix("flashplan_pool_used_bytes{") }, "\(text)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: metricsDirectory.path) == ["flashplan.prom"])
        #expect(((try FileManager.default.attributesOfItem(atPath: metrics))[.posixPermissions] as? Int) == 0o644)

        // --log-format json: every line on standard error is one JSON object.
        var actions = 0
        for line in run.stderrLines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] is String && object?["message"] is String, "not a JSON log line: \(line)")
            if object?["action"] != nil {
                actions += 1
                #expect(object?["result"] as? String == "applied", "\(line)")
            }
        }
        #expect(actions > 0, "no per-action log lines: \(run.stderr)")

        // The next run replaces the file by rename (a new inode), leaving nothing behind.
        let inode = (try FileManager.default.attributesOfItem(atPath: metrics))[.systemFileNumber] as? Int
        let idle = try workspace.apply(Self.t0, flags)
        #expect(idle.exitCode == 0, "\(idle)")
        let replaced = (try FileManager.default.attributesOfItem(atPath: metrics))[.systemFileNumber] as? Int
        #expect(inode != nil && replaced != inode, "the metrics file was rewritten in place, not replaced")
        let second = Self.parseMetrics(try String(contentsOfFile: metrics, encoding: .utf8))
        #expect(second.problems.isEmpty, "\(second.problems)")
        #expect(second.samples["flashplan_last_apply_outcome{outcome=\"no-changes\"}"] == 1, "\(second.samples)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: metricsDirectory.path) == ["flashplan.prom"])
        for line in idle.stderrLines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "not a JSON log line: \(line)")
        }
    }

    /// DESIGN §7: metrics on every run, refused ones included, so that an alert on
    /// `flashplan_last_apply_outcome{outcome="refused"}` can fire when the timer keeps
    /// failing before it applies anything.
    @Test func refusedAndCancelledRunsStillWriteTheirMetrics() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        let metrics = workspace.url.appendingPathComponent("flashplan.prom").path
        #expect(try workspace.apply(Self.t0, ["--metrics-file", metrics]).exitCode == 0)

        // Without --auto-approve and without a terminal: refused, the per-group series stay.
        let unapproved = try workspace.run(["apply", "--metrics-file", metrics] + workspace.flags(Self.t1))
        #expect(unapproved.exitCode == 1, "\(unapproved)")
        var samples = Self.parseMetrics(try String(contentsOfFile: metrics, encoding: .utf8)).samples
        #expect(samples["flashplan_last_apply_outcome{outcome=\"refused\"}"] == 1, "\(samples)")
        #expect(samples["flashplan_last_apply_outcome{outcome=\"success\"}"] == 0, "\(samples)")
        #expect(samples["flashplan_last_apply_timestamp_seconds"] == ISOTime.date(Self.t1).timeIntervalSince1970)
        #expect(samples["flashplan_rpo_met{group=\"alpha\",label=\"hourly\"}"] != nil, "\(samples)")

        // Refused because another apply holds the lock: the series still say what the
        // state holds — every label met at t0 — not 0 for every label (a red-team pass
        // found the alert `flashplan_rpo_met == 0` paged for backups that were not missed).
        do {
            let lock = try StateLock.acquire(statePath: workspace.statePath, operation: "apply", timeout: 0)
            defer { withExtendedLifetime(lock) {} }
            let locked = try workspace.apply(Self.t0, ["--metrics-file", metrics, "--lock-timeout", "0"])
            #expect(locked.exitCode == 1 && locked.stdout.contains("locked"), "\(locked)")
            samples = Self.parseMetrics(try String(contentsOfFile: metrics, encoding: .utf8)).samples
            #expect(samples["flashplan_last_apply_outcome{outcome=\"refused\"}"] == 1, "\(samples)")
            #expect(samples["flashplan_rpo_met{group=\"alpha\",label=\"hourly\"}"] == 1, "\(samples)")
        }

        // A configuration with an error: refused before the state is opened.
        try workspace.dir.write("policies/broken.yaml", "volumes:\n  - name: [\n")
        let broken = try workspace.apply(Self.t1, ["--metrics-file", metrics])
        #expect(broken.exitCode == 1, "\(broken)")
        samples = Self.parseMetrics(try String(contentsOfFile: metrics, encoding: .utf8)).samples
        #expect(samples["flashplan_last_apply_outcome{outcome=\"refused\"}"] == 1, "\(samples)")
        #expect(samples["flashplan_held_destructive_actions"] == 0, "\(samples)")
    }

    @Test func aMetricsFileThatCannotBeWrittenIsRefusedBeforeAnythingIsApplied() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        // Under a regular file: no directory can be made there, not even by root. The
        // output path is checked before anything runs (DESIGN §6); a write that fails
        // after the apply (a full disk) is still only reported (writeMetricsReporting).
        let run = try workspace.apply(Self.t0, ["--metrics-file", "policies/fleet.yaml/flashplan.prom"])
        #expect(run.exitCode == 1, "nothing was applied: \(run)")
        #expect(run.stdout.contains("--metrics-file policies/fleet.yaml/flashplan.prom cannot be written"), "\(run)")
        #expect(run.stdout.contains("Nothing was applied."), "\(run)")
        #expect(!FileManager.default.fileExists(atPath: workspace.statePath))
    }
}
