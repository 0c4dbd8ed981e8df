import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Several runners on one PostgreSQL state (DESIGN §9, issue 14): through the built
/// binary, as timers on several hosts run it. One apply at a time, held by a lease that
/// a dead or paused runner loses; an action of a runner that lost it is refused; a database
/// restart leaves a state the next apply converges; a saved plan applies at most once.
///
/// Each test has a schema of its own on the test server (`TestPostgres`), and compares
/// with what one runner on a SQLite state does, where that makes "exactly once" checkable.
@Suite(.serialized, .enabled(if: TestPostgres.enabled, "no PostgreSQL server (see PostgresSupport.swift)"))
struct MultiRunnerEndToEndTests {
    static let t0 = "2026-11-21T10:00:00Z"
    static let t1 = "2026-11-21T11:00:00Z"
    /// What a runner refused by a held lease says (`PostgresLease.HeldError`).
    static let leaseRefusal = "the state is leased by another flashplan"

    /// Starts `count` runners of `arguments` at once and waits for them all.
    static func concurrently(_ count: Int, _ arguments: [String], in directory: URL) throws -> [FlashPlanBinary.Result] {
        let children = try (0..<count).map { _ in try FlashPlanBinary.start(arguments, in: directory) }
        return try children.map { try $0.wait(timeout: 120) }
    }

    /// `apply --auto-approve` waiting long enough for the others that it never gives up.
    static func applyArguments(_ workspace: ApplyWorkspace, _ now: String, state: String) -> [String] {
        ["apply", "--auto-approve", "--lock-timeout", "60s"] + workspace.flags(now, state: state)
    }

    /// The actions (ids: kind and address) applied by the applies started at `now` (the round).
    static func applied(at now: String, applies: [ApplyRecord], journal: [JournalEntry]) -> [String] {
        let ids = Set(applies.filter { $0.started == ISOTime.date(now) }.map(\.id))
        return journal.filter { ids.contains($0.applyID) && $0.outcome == .applied }.map(\.actionID).sorted()
    }

    /// A run cut off from the database says why in PostgreSQL's words (the server ended the
    /// session, it shut down), not with PostgresNIO's placeholder, which hides them.
    static func expectCauseShown(_ result: FlashPlanBinary.Result, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(
            !result.output.contains("Generic description to prevent accidental leakage"), "the cause is hidden: \(result.stdout.prefix(1500))",
            sourceLocation: sourceLocation)
    }

    static func duplicates(_ items: [String]) -> [String] {
        Dictionary(grouping: items, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
    }

    // MARK: - Runners started together

    /// Two or three runners started at the same moment, every hour for six hours: each
    /// round's work is done exactly once — the actions the runners applied in a round are
    /// those one runner alone applies (a SQLite state beside it), none twice — every runner
    /// ends well, and the storage ends as the lone runner's does.
    @Test(arguments: [2, 3])
    func runnersStartedTogetherNeverDoubleAct(runners: Int) throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        let url = try TestPostgres.url()
        let shared = SharedState(url: url)
        let start = ISOTime.date(Self.t0)
        var nows: [String] = []
        for round in 0..<6 {
            let now = ISOTime.iso(start.adding(hours: round))
            nows.append(now)
            let results = try Self.concurrently(runners, Self.applyArguments(workspace, now, state: url), in: workspace.url)
            for result in results {
                #expect(
                    result.exitCode == 0 || (result.exitCode == 1 && result.output.contains(Self.leaseRefusal)),
                    "round \(round): \(result)")
            }
            // Whoever got the lease first did the round; the others, after it, found nothing to do.
            #expect(results.filter { $0.stdout.contains("Apply complete!") }.count == 1, "round \(round): \(results)")
            #expect(results.filter { $0.stdout.contains("No changes") }.count == runners - 1, "round \(round): \(results)")
            // The lone runner: the same configuration and times on a state file.
            let alone = try workspace.apply(now)
            #expect(alone.exitCode == 0, "\(alone)")
        }
        let applies = try shared.applies()
        let journal = try shared.journal()
        let reference = try StateDatabase.applies(workspace.statePath)
        let referenceJournal = try StateDatabase.journal(workspace.statePath)
        for now in nows {
            let done = Self.applied(at: now, applies: applies, journal: journal)
            #expect(Self.duplicates(done).isEmpty, "at \(now) applied twice: \(Self.duplicates(done))")
            #expect(!done.isEmpty, "at \(now) nothing was applied: every round has backups due")
            #expect(done == Self.applied(at: now, applies: reference, journal: referenceJournal), "at \(now)")
        }
        // A snapshot action's address names the volume and label, not the time: its round does.
        let started = Dictionary(uniqueKeysWithValues: applies.map { ($0.id, ISOTime.iso($0.started)) })
        let created = journal.filter { $0.outcome == .applied && $0.actionID.hasPrefix("snapshot:") }
            .map { "\(started[$0.applyID] ?? "?") \($0.address)" }
        #expect(!created.isEmpty)
        #expect(Self.duplicates(created).isEmpty, "snapshots created twice: \(Self.duplicates(created))")
        #expect(try workspace.listing(nows.last!, state: url).canonical == workspace.listing(nows.last!).canonical)
        let plan = try workspace.plan(nows.last!, state: url)
        #expect(plan.exitCode == 0, "\(plan)")
    }

    // MARK: - A runner that dies or is paused

    /// Starts `apply` without `--auto-approve` on a terminal and waits for its prompt: it
    /// holds the lease there (taken before the plan is made), renewing it, for as long as
    /// nobody answers.
    static func holdingAtPrompt(_ workspace: ApplyWorkspace, _ now: String, state: String) throws -> (FlashPlanBinary.Child, PseudoTerminal) {
        let terminal = try PseudoTerminal()
        let child = try FlashPlanBinary.start(["apply"] + workspace.flags(now, state: state), in: workspace.url, stdin: terminal.slave)
        #expect(child.poll { child.stdoutSoFar.contains("Enter a value:") }, "no prompt: \(child.stdoutSoFar)")
        // Proves it holds the lease: a runner that will not wait is refused.
        let refused = try workspace.run(["apply", "--auto-approve", "--lock-timeout", "1s"] + workspace.flags(now, state: state))
        #expect(refused.exitCode == 1, "\(refused)")
        #expect(refused.output.contains(Self.leaseRefusal), "\(refused)")
        return (child, terminal)
    }

    /// `kill -9` of the runner holding the lease: the next runner takes over at once (the
    /// server ends the dead session and with it the advisory lock) or at worst when the
    /// lease row expires — never after a manual unlock.
    @Test func aRunnerKilledHoldingTheLeaseIsTakenOverWithoutAnyUnlock() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        let ttl = 2
        let url = try TestPostgres.url(leaseTTL: ttl)
        #expect(try workspace.apply(Self.t0, state: url).exitCode == 0)
        let (holder, terminal) = try Self.holdingAtPrompt(workspace, Self.t1, state: url)
        defer { withExtendedLifetime(terminal) {} }
        holder.kill9()
        _ = try? holder.wait(timeout: 10)
        #expect(holder.killedBySignal)

        let began = Date()
        let next = try workspace.run(Self.applyArguments(workspace, Self.t1, state: url))
        let took = Date().timeIntervalSince(began)
        #expect(next.exitCode == 0, "\(next)")
        // The lease TTL, and the time a run takes on a busy 2-core machine.
        #expect(took < Double(ttl) + 15, "took over after \(took) s")
        #expect(try SharedState(url: url).applies().count == 2)
        let plan = try workspace.plan(Self.t1, state: url)
        #expect(plan.exitCode == 0, "\(plan)")
    }

    /// Red team: a runner whose role may not end another role's session (no
    /// pg_signal_backend) gave up at once on an expired lease, whatever --lock-timeout
    /// said. It waits — up to --lock-timeout — for the stale session to go.
    @Test func aRoleThatMayNotEndAStaleSessionWaitsUpToTheLockTimeout() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        let url = try TestPostgres.url(leaseTTL: 1)
        #expect(try workspace.apply(Self.t0, state: url).exitCode == 0)
        let schema = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "schema" }?.value)
        // Two runner roles, neither allowed to end the other's sessions.
        let roles = ["\(schema)_a", "\(schema)_b"]
        for role in roles {
            _ = try TestPostgres.psql("""
                CREATE ROLE \(role) LOGIN;
                GRANT USAGE ON SCHEMA \(schema) TO \(role);
                GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \(schema) TO \(role);
                GRANT USAGE ON ALL SEQUENCES IN SCHEMA \(schema) TO \(role)
                """)
        }
        let asRole = { (role: String) in url.replacingOccurrences(of: "://postgres@", with: "://\(role)@") }
        let (paused, terminal) = try Self.holdingAtPrompt(workspace, Self.t1, state: asRole(roles[0]))
        defer {
            withExtendedLifetime(terminal) {}
            _ = kill(paused.pid, SIGCONT)
            paused.kill9()
            _ = try? paused.wait(timeout: 10)
        }
        _ = kill(paused.pid, SIGSTOP)
        let began = Date()
        let other = try workspace.run(["apply", "--auto-approve", "--lock-timeout", "4s"] + workspace.flags(Self.t1, state: asRole(roles[1])))
        let waited = Date().timeIntervalSince(began)
        #expect(other.exitCode == 1, "\(other)")
        #expect(other.output.contains(Self.leaseRefusal), "\(other)")
        #expect(!other.output.contains("pg_signal_backend"), "\(other)")
        #expect(waited >= 3.5, "gave up after \(waited) s")
    }

    /// A runner paused (SIGSTOP) at its prompt past the lease TTL: another takes over and
    /// applies; resumed (SIGCONT) and told `yes`, the paused one changes nothing — not the
    /// applies, not the journal, not the storage — and fails saying it was cut off.
    @Test func aPausedRunnerResumedAfterATakeoverChangesNothing() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        let url = try TestPostgres.url(leaseTTL: 2)
        let shared = SharedState(url: url)
        #expect(try workspace.apply(Self.t0, state: url).exitCode == 0)
        let (paused, terminal) = try Self.holdingAtPrompt(workspace, Self.t1, state: url)
        _ = kill(paused.pid, SIGSTOP)
        var resumed = false
        defer {
            if !resumed { _ = kill(paused.pid, SIGCONT) }
            if paused.process.isRunning {
                paused.kill9()
                _ = try? paused.wait(timeout: 10)
            }
        }

        let other = try workspace.run(Self.applyArguments(workspace, Self.t1, state: url))
        #expect(other.exitCode == 0, "\(other)")
        #expect(other.output.contains("Waiting for the state's lease"), "it never waited for the paused runner: \(other)")
        let applies = try shared.applies()
        let journal = try shared.journal()
        let listing = try workspace.listing(Self.t1, state: url)
        #expect(applies.count == 2)

        _ = kill(paused.pid, SIGCONT)
        resumed = true
        terminal.type("yes\n")
        // A lost session must end the run, not hang it: well within a systemd timer's patience.
        do {
            let late = try paused.wait(timeout: 15)
            #expect(late.exitCode != 0, "\(late)")
            #expect(
                late.output.contains("no longer leased to this runner") || late.output.contains("was cut off"),
                "no word of the lost lease: \(late)")
            Self.expectCauseShown(late)
        } catch let error as FlashPlanBinary.TimedOut {
            Issue.record("the resumed runner hung instead of failing (killed): \(error)")
        }
        terminal.drain()
        #expect(try shared.applies() == applies)
        #expect(try shared.journal() == journal)
        #expect(try workspace.listing(Self.t1, state: url).canonical == listing.canonical)
        let plan = try workspace.plan(Self.t1, state: url)
        #expect(plan.exitCode == 0, "\(plan)")
    }

    /// The session of a runner at its prompt ended by the server (`pg_terminate_backend`,
    /// as a takeover does): told `yes`, it fails at once saying it was cut off — it neither
    /// hangs nor acts.
    @Test func aRunnerWhoseSessionTheServerEndedFailsRatherThanHangs() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        let url = try TestPostgres.url()
        let shared = SharedState(url: url)
        #expect(try workspace.apply(Self.t0, state: url).exitCode == 0)
        let (holder, terminal) = try Self.holdingAtPrompt(workspace, Self.t1, state: url)
        defer {
            // Only while it runs: after a timed-out wait there is nothing left to wait for.
            if holder.process.isRunning {
                holder.kill9()
                _ = try? holder.wait(timeout: 10)
            }
        }
        let schema = try #require(url.firstMatch(of: /schema=(\w+)/).map { String($0.1) })
        let ended = try TestPostgres.psql(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(backend_pid)) FROM \(schema).flashplan_lease WHERE backend_pid IS NOT NULL")
        #expect(ended.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "sessions ended: \(ended)")
        let applies = try shared.applies()
        terminal.type("yes\n")
        do {
            let cut = try holder.wait(timeout: 15)
            #expect(cut.exitCode != 0, "\(cut)")
            #expect(cut.output.contains("was cut off"), "\(cut)")
            Self.expectCauseShown(cut)
        } catch let error as FlashPlanBinary.TimedOut {
            Issue.record("the runner hung instead of failing (killed): \(error)")
        }
        terminal.drain()
        #expect(try shared.applies() == applies)
    }

    // MARK: - The database restarted

    /// `pg_ctl restart -m immediate` while an apply is acting: that apply fails and says
    /// why; the next one converges, and the storage is what one uninterrupted apply makes
    /// (nothing lost, nothing twice).
    @Test func aDatabaseRestartedMidApplyLeavesAStateTheNextApplyConverges() throws {
        let workspace = try ApplyWorkspace(config: Fleets.large(groups: 12))
        defer { workspace.remove() }
        let url = try TestPostgres.restartableURL()
        let interrupted = try FlashPlanBinary.start(Self.applyArguments(workspace, Self.t0, state: url), in: workspace.url)
        defer {
            if interrupted.process.isRunning {
                interrupted.kill9()
                _ = try? interrupted.wait(timeout: 10)
            }
        }
        // One log line per action finished: restart once a few have committed, with many to go.
        let acting = interrupted.poll(timeout: 120, interval: 0.01) {
            interrupted.stderrSoFar.components(separatedBy: "result=applied").count > 6
        }
        #expect(acting, "the apply never started acting: \(interrupted.stdoutSoFar)\(interrupted.stderrSoFar)")
        try TestPostgres.restartImmediately()
        do {
            // The rest of the apply fails at once (each action finds the session gone).
            let cut = try interrupted.wait(timeout: 30)
            #expect(cut.exitCode != 0, "the apply finished before the restart; make it longer: \(cut)")
            #expect(cut.output.contains("was cut off"), "no word of the lost database: \(cut)")
            Self.expectCauseShown(cut)
        } catch let error as FlashPlanBinary.TimedOut {
            Issue.record("the apply cut off by the restart hung instead of failing (killed): \(error)")
        }

        let next = try workspace.run(Self.applyArguments(workspace, Self.t0, state: url))
        #expect(next.exitCode == 0, "\(next)")
        let plan = try workspace.plan(Self.t0, state: url)
        #expect(plan.exitCode == 0, "\(plan)")
        #expect(try workspace.apply(Self.t0).exitCode == 0)
        #expect(try workspace.listing(Self.t0, state: url).canonical == workspace.listing(Self.t0).canonical)
        let created = try SharedState(url: url).journal()
            .filter { $0.outcome == .applied && $0.actionID.hasPrefix("snapshot:") }.map(\.address)
        #expect(!created.isEmpty)
        #expect(Self.duplicates(created).isEmpty, "snapshots created twice: \(Self.duplicates(created))")
    }

    // MARK: - A saved plan

    /// One saved plan applied by two runners at once: one applies it, the other finds the
    /// state moved on (serial) and refuses it as stale, changing nothing.
    @Test func aSavedPlanAppliedByTwoRunnersAtOnceAppliesOnce() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        let url = try TestPostgres.url()
        #expect(try workspace.apply(Self.t0, state: url).exitCode == 0)
        let saved = try workspace.run(["plan", "--out", "p.json"] + workspace.flags(Self.t1, state: url))
        #expect(saved.exitCode == 0, "\(saved)")
        let results = try Self.concurrently(
            2, ["apply", "p.json", "--lock-timeout", "60s"] + workspace.flags(Self.t1, state: url), in: workspace.url)
        #expect(results.filter { $0.exitCode == 0 }.count == 1, "\(results)")
        let refused = results.filter { $0.exitCode != 0 }
        #expect(refused.count == 1)
        for result in refused {
            #expect(result.exitCode == 1, "\(result)")
            #expect(result.stdout.lowercased().contains("stale"), "\(result)")
        }
        #expect(try SharedState(url: url).applies().count == 2)
        let plan = try workspace.plan(Self.t1, state: url)
        #expect(plan.exitCode == 0, "\(plan)")
    }
}
