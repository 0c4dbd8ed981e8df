import Foundation
import Testing

/// Guarantees of DESIGN §5–§6 that no test proved through the built binary before
/// docs/reliability.md listed them: an invalid configuration stops the whole apply; a
/// destroy is held under `--auto-approve` and reported in the output, the log and the
/// metrics, and so is an unmap; SIGINT during an apply finishes what runs, records and
/// exits 130; a plan made during an apply is stale after it; the prompt on a terminal
/// lists destructive actions; the state's default path and FLASHPLAN_STATE.
@Suite(.serialized) struct ReliabilityEndToEndTests {
    static let t0 = "2026-11-21T10:00:00Z"
    static let t1 = "2026-11-21T11:00:00Z"
    static let t2 = "2026-11-21T12:00:00Z"

    /// A configuration that does not validate stops everything: exit 1, no apply is
    /// recorded and the storage is as it was — even the backups that are due wait.
    @Test func anInvalidConfigurationStopsTheWholeApply() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        #expect(try workspace.apply(Self.t0).exitCode == 0)
        let before = try workspace.listing(Self.t1)
        try workspace.dir.write("policies/broken.yaml", "volumes:\n  extra: {pool: nowhere, size: 1GiB}\n")
        let run = try workspace.apply(Self.t1)
        #expect(run.exitCode == 1, "\(run)")
        #expect(run.stderr.contains("refers to pool 'nowhere'"), "\(run)")
        #expect(!run.stdout.contains("Apply complete!"), "\(run)")
        #expect(try StateDatabase.applies(workspace.statePath).count == 1, "the refused apply was recorded")
        #expect(try workspace.listing(Self.t1).canonical == before.canonical, "an invalid configuration changed the state")
    }

    /// Destroying a volume declared absent (prevent_destroy: false) is destructive: under
    /// `--auto-approve` it is held — in the output, the JSON log and the metrics — the
    /// routine work goes on (exit 3), and `--allow-destructive` carries it out.
    @Test func aDestroyIsHeldUnderAutoApproveAndReportedInTheOutputTheLogAndTheMetrics() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        try workspace.dir.write("policies/spare.yaml", "volumes:\n  spare: { pool: prod, size: 10GiB }\n")
        #expect(try workspace.apply(Self.t0).exitCode == 0)
        #expect(try workspace.listing(Self.t0).volumes.contains("spare"))
        try workspace.dir.write("policies/spare.yaml", "volumes:\n  spare: { pool: prod, size: 10GiB, state: absent, prevent_destroy: false }\n")

        let held = try workspace.apply(Self.t1, ["--log-format", "json", "--metrics-file", "m.prom"])
        #expect(held.exitCode == 3, "\(held)")
        #expect(held.stdout.contains("Held (destructive"), "\(held)")
        #expect(held.stdout.contains("destroy-volume:volume.spare"), "\(held)")
        let lines = ApplyEndToEndTests.jsonLogLines(held)
        #expect(lines.contains { ($0["message"] as? String) == "held destructive action" }, "\(held.stderr)")
        #expect(held.stderr.contains("destroy-volume:volume.spare"), "\(held.stderr)")
        let metrics = try String(contentsOf: workspace.url.appendingPathComponent("m.prom"), encoding: .utf8)
        #expect(metrics.contains("flashplan_held_destructive_actions 1"), "\(metrics)")
        let listing = try workspace.listing(Self.t1)
        #expect(listing.volumes.contains("spare"), "a held destroy was carried out")
        #expect(listing.snapshots(on: "x1").count == 2, "the routine backups went on")

        let allowed = try workspace.apply(Self.t2, ["--allow-destructive"])
        #expect(allowed.exitCode == 0, "\(allowed)")
        #expect(!(try workspace.listing(Self.t2).volumes.contains("spare")))
    }

    /// SIGINT (Ctrl-C) during an apply, as SIGTERM: no new action starts, those in flight
    /// finish, the apply is recorded as interrupted, exit 130; the next apply converges.
    @Test func sigintFinishesTheRunningActionsRecordsAndExits130() throws {
        let workspace = try ApplyWorkspace(config: Fleets.large(groups: 30))
        defer { workspace.remove() }
        let child = try FlashPlanBinary.start(
            ["apply", "--auto-approve", "--log-format", "json"] + workspace.flags(Self.t0), in: workspace.url)
        #expect(child.poll { child.stderrSoFar.contains("apply started") })
        Thread.sleep(forTimeInterval: 0.05)
        kill(child.pid, SIGINT)
        let stopped = try child.wait()
        guard stopped.exitCode != 0 else { return }  // it finished first: nothing to check
        guard !stopped.stdout.contains("interrupted before any action started") else { return }  // too early
        #expect(stopped.exitCode == 130, "\(stopped)")
        let lines = ApplyEndToEndTests.jsonLogLines(stopped)
        #expect(lines.contains { ($0["message"] as? String)?.contains("received signal 2") == true }, "\(stopped.stderr)")
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
    /// The state is `.flashplan/state.db` by default, `FLASHPLAN_STATE` when set, and
    /// `--state` over both; the first apply creates it, 0600.
    @Test func theStateDefaultsToDotFlashplanAndFollowsTheEnvironment() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        func mode(_ relative: String) throws -> Int? {
            let path = workspace.url.appendingPathComponent(relative).path
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            return (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
        }
        let common = ["apply", "--auto-approve", "--config", "policies", "--now", Self.t0]
        let byDefault = try FlashPlanBinary.run(common, in: workspace.url)
        #expect(byDefault.exitCode == 0, "\(byDefault)")
        #expect(try mode(".flashplan/state.db") == 0o600)

        let fromEnvironment = try FlashPlanBinary.run(common, in: workspace.url, environment: ["FLASHPLAN_STATE": "env/state.db"])
        #expect(fromEnvironment.exitCode == 0, "\(fromEnvironment)")
        #expect(try mode("env/state.db") == 0o600)

        let flagWins = try FlashPlanBinary.run(common + ["--state", "flag/state.db"], in: workspace.url, environment: ["FLASHPLAN_STATE": "env/state.db"])
        #expect(flagWins.exitCode == 0, "\(flagWins)")
        #expect(try mode("flag/state.db") == 0o600)
        #expect(try StateDatabase.applies(workspace.url.appendingPathComponent("env/state.db").path).count == 1, "--state lost to FLASHPLAN_STATE")
    }
    /// Unmapping a host is destructive: a host taken off a volume's list is held under
    /// `--auto-approve` while the backups go on, and `--allow-destructive` carries it out.
    @Test func anUnmapIsHeldUnderAutoApprove() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        #expect(try workspace.apply(Self.t0).exitCode == 0)
        let fleet = workspace.url.appendingPathComponent("policies/fleet.yaml")
        let text = try String(contentsOf: fleet, encoding: .utf8)
        let unlisted = text.replacingOccurrences(of: "v2: { pool: prod, size: 100GiB, hosts: [h1, h2] }", with: "v2: { pool: prod, size: 100GiB, hosts: [h1] }")
        #expect(unlisted != text)
        try unlisted.write(to: fleet, atomically: true, encoding: .utf8)

        let held = try workspace.apply(Self.t1)
        #expect(held.exitCode == 3, "\(held)")
        #expect(held.stdout.contains("Held (destructive"), "\(held)")
        #expect(held.stdout.contains("unmap-host:volume.v2/h2"), "\(held)")
        #expect(held.stderr.contains("held destructive action action=unmap-host:volume.v2/h2"), "\(held.stderr)")
        #expect(try workspace.listing(Self.t1).snapshots(on: "x1").count == 2, "the routine backups went on")

        let allowed = try workspace.apply(Self.t2, ["--allow-destructive"])
        #expect(allowed.exitCode == 0, "\(allowed)")
        #expect(allowed.stdout.contains("unmap-host"), "\(allowed)")
        #expect(try workspace.plan(Self.t2).exitCode == 0, "the unmap was not carried out")
    }

    /// Every apply advances the serial when it starts and when it ends: a plan made while
    /// an apply runs sees the serial of its start, and is stale once it has ended.
    @Test func aPlanMadeDuringAnApplyIsStaleAfterIt() throws {
        let workspace = try ApplyWorkspace(config: Fleets.large(groups: 30))
        defer { workspace.remove() }
        func serial(_ file: String) throws -> Int? {
            let data = try Data(contentsOf: workspace.url.appendingPathComponent(file))
            let plan = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            return ((plan?["state"] as? [String: Any])?["serial"] as? NSNumber)?.intValue
        }
        let child = try FlashPlanBinary.start(["apply", "--auto-approve"] + workspace.flags(Self.t0), in: workspace.url)
        #expect(child.poll { child.stderrSoFar.contains("apply started") })
        kill(child.pid, SIGSTOP)
        let during = try workspace.run(["plan", "--out", "during.json"] + workspace.flags(Self.t0))
        kill(child.pid, SIGCONT)
        let applied = try child.wait()
        #expect(applied.exitCode == 0, "\(applied)")
        #expect(during.exitCode == 0, "\(during)")
        let duringSerial = try serial("during.json")
        guard duringSerial == 1 else {  // stopped only after it had ended: nothing to check
            #expect(duringSerial == 2)
            return
        }
        #expect(try workspace.run(["plan", "--out", "after.json"] + workspace.flags(Self.t0)).exitCode == 0)
        #expect(try serial("after.json") == 2, "the end of the apply did not advance the serial")
        let stale = try workspace.run(["apply", "during.json"] + workspace.flags(Self.t0))
        #expect(stale.exitCode == 1, "\(stale)")
        #expect(stale.stdout.lowercased().contains("stale"), "\(stale)")
        #expect(try StateDatabase.applies(workspace.statePath).count == 1)
    }
    /// On a terminal, `apply` lists the destructive actions apart, right before it asks;
    /// 'no' changes nothing, 'yes' is the consent (no --allow-destructive needed).
    @Test func aTerminalPromptListsDestructiveActionsBeforeAsking() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        #expect(try workspace.apply(Self.t0).exitCode == 0)
        try workspace.sim(["break", "v1_dr"], now: Self.t0)

        func answer(_ text: String, now: String) throws -> (FlashPlanBinary.Result, String) {
            let terminal = try PseudoTerminal()
            let child = try FlashPlanBinary.start(["apply"] + workspace.flags(now), in: workspace.url, stdin: terminal.slave)
            #expect(child.poll { child.stdoutSoFar.contains("Enter a value:") }, "no prompt: \(child.stdoutSoFar)")
            let prompt = child.stdoutSoFar
            terminal.type(text + "\n")
            let result = try child.wait(timeout: 60)
            terminal.drain()
            return (result, prompt)
        }
        func relationshipState(_ now: String) throws -> String? {
            try workspace.listing(now).relationships.first { $0.destination == "v1_dr" }?.state
        }

        let (no, prompt) = try answer("no", now: Self.t1)
        let listed = try #require(prompt.range(of: "Destructive actions in this plan"), "\(prompt)")
        let resync = try #require(prompt.range(of: "! resync-relationship:relationship.v1_dr"), "\(prompt)")
        let question = try #require(prompt.range(of: "Do you want to perform these actions?"), "\(prompt)")
        #expect(listed.lowerBound < resync.lowerBound && resync.lowerBound < question.lowerBound, "\(prompt)")
        // Listed first: before the plan's routine work and its summary line.
        let routine = try #require(prompt.range(of: "Plan: "), "\(prompt)")
        #expect(listed.lowerBound < routine.lowerBound, "the destructive actions come after the routine work: \(prompt)")
        #expect(no.exitCode == 1, "\(no)")
        #expect(try relationshipState(Self.t1) == "broken", "'no' resynced")

        let (yes, _) = try answer("yes", now: Self.t1)
        #expect(yes.exitCode == 0, "\(yes)")
        #expect(try relationshipState(Self.t1) == "idle", "'yes' did not resync")
    }
}
