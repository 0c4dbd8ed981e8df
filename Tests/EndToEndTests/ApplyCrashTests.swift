import Foundation
import Testing

/// `kill -9` at any moment leaves a consistent state, and the next apply converges
/// without duplicate, lost or partial backups (DESIGN §5, docs/operations.md).
@Suite("flashplan apply: kill -9")
struct ApplyCrashTests {
    static let groups = 50
    static let iterations = 20
    static let seed: UInt64 = 0x6_0007

    /// The first apply at a fresh state: arrays, pools, volumes, relationships, the first
    /// backups, transfers and clones.
    static let first = "2026-11-21T10:00:00Z"
    /// A routine run a day later (the state has had hourly runs until 15:00): a backup of
    /// each label, prunes on primary and mirror, transfers, clone refreshes.
    static let routine = "2026-11-22T10:00:00Z"

    struct Scenario {
        var name: String
        /// A state to copy before each try (nil: start from nothing).
        var base: String?
        var now: String
        var expected: StateListing
        var actions: Int
        var seconds: TimeInterval
    }

    @Test func killedAppliesLeaveAConsistentStateAndTheNextOneConverges() throws {
        let workspace = try ApplyWorkspace(config: Fleets.large(groups: Self.groups))
        defer { workspace.remove() }
        let files = FileManager.default

        // References: each scenario applied cleanly once.
        func reference(_ name: String, base: String?, now: String) throws -> Scenario {
            let state = "reference-\(name)/state.db"
            if let base {
                try files.copyItem(
                    at: workspace.url.appendingPathComponent(base).deletingLastPathComponent(),
                    to: workspace.url.appendingPathComponent(state).deletingLastPathComponent())
            }
            let began = Date()
            let run = try workspace.apply(now, state: state)
            let seconds = Date().timeIntervalSince(began)
            try #require(run.exitCode == 0, "\(run)")
            #expect(run.stdout.contains(" 0 failed, 0 skipped"), "\(run.stdout.suffix(2000))")
            let path = workspace.url.appendingPathComponent(state).path
            let applies = try StateDatabase.applies(path)
            let actions = try StateDatabase.journal(path).filter { $0.applyID == applies.last?.id }.count
            return Scenario(
                name: name, base: base, now: now, expected: try workspace.listing(now, state: state), actions: actions,
                seconds: seconds)
        }
        let fresh = try reference("first", base: nil, now: Self.first)
        #expect(fresh.expected.snapshots.count == Self.groups * 3 * 2 * 2)  // 2 labels, primary + mirror
        #expect(fresh.expected.clones.count == Self.groups * 3)

        for hour in 11...15 {
            let run = try workspace.apply("2026-11-21T\(hour):00:00Z", state: "reference-first/state.db")
            try #require(run.exitCode == 0, "\(run)")
        }
        let routine = try reference("routine", base: "reference-first/state.db", now: Self.routine)
        #expect(routine.actions >= Self.groups * 10, "the routine run is too small to be worth killing: \(routine.actions)")
        #expect(routine.expected.clones.allSatisfy { $0.parentSnapshot.contains("11-22-2026") }, "clones refreshed")

        var random = SeededGenerator(seed: Self.seed)
        var killedMidRun = 0
        var killedAmidActions = 0
        for iteration in 0..<Self.iterations {
            let scenario = iteration % 2 == 0 ? fresh : routine
            let directory = workspace.url.appendingPathComponent("killed-\(iteration)")
            let state = "killed-\(iteration)/state.db"
            let path = workspace.url.appendingPathComponent(state).path
            if let base = scenario.base {
                try files.copyItem(at: workspace.url.appendingPathComponent(base).deletingLastPathComponent(), to: directory)
            }
            let context = { (delay: Double) in "iteration \(iteration) (\(scenario.name), killed after \(String(format: "%.3f", delay))s)" }

            let child = try FlashPlanBinary.start(["apply", "--auto-approve"] + workspace.flags(scenario.now, state: state), in: workspace.url)
            // Half the kills count from the start (lock, plan, the serial), half from the
            // first action on, where most of the time goes.
            let fromActions = (iteration / 2) % 2 == 1
            if fromActions {
                _ = child.poll { child.stderrSoFar.contains("apply started") }
            }
            let delay = Double.random(in: 0.02...max(0.05, fromActions ? scenario.seconds * 0.6 : scenario.seconds), using: &random)
            Thread.sleep(forTimeInterval: delay)
            child.kill9()
            let killed = try child.wait(timeout: 60)
            if child.killedBySignal {
                killedMidRun += 1
            } else {
                #expect(killed.exitCode == 0, "\(context(delay)): \(killed)")
            }

            if StateDatabase.hasSQLite3, files.fileExists(atPath: path) {
                let check = try StateDatabase.query(path, "PRAGMA integrity_check")
                #expect(check == ["ok"], "\(context(delay)): integrity_check: \(check)")
                let done = try StateDatabase.query(
                    path, "SELECT count(*) FROM journal WHERE apply_id = (SELECT id FROM apply ORDER BY serial DESC LIMIT 1)")
                if let done = done.first.flatMap({ Int($0) }), done > 0, done < scenario.actions { killedAmidActions += 1 }
            }
            // Whatever the kill left, backups are whole: a group's volumes hold the same ones.
            if files.fileExists(atPath: path) {
                let partial = try workspace.listing(scenario.now, state: state)
                for group in (0..<Self.groups).map({ String(format: "g%03d", $0) }) {
                    let names = (0..<3).map { Set(partial.snapshots(on: "\(group)-v\($0)").map(\.name)) }
                    #expect(names[0] == names[1] && names[1] == names[2], "\(context(delay)): a partial backup of \(group): \(names)")
                }
            }

            // The next apply converges to exactly what a clean apply makes.
            let again = try workspace.apply(scenario.now, state: state)
            #expect(again.exitCode == 0, "\(context(delay)): \(again)")
            let converged = try workspace.listing(scenario.now, state: state)
            if converged.canonical != scenario.expected.canonical {
                let extra = Set(converged.snapshots).subtracting(scenario.expected.snapshots)
                let missing = Set(scenario.expected.snapshots).subtracting(converged.snapshots)
                Issue.record(
                    "\(context(delay)): the state differs from a clean apply's; extra snapshots \(extra.prefix(10)), missing \(missing.prefix(10))\n\(firstDifference(converged.canonical, scenario.expected.canonical))"
                )
            }
            let plan = try workspace.plan(scenario.now, state: state)
            #expect(plan.exitCode == 0, "\(context(delay)): \(plan)")
            try? files.removeItem(at: directory)
        }
        // The delays must mostly land while the apply runs, or this tests nothing.
        #expect(killedMidRun >= Self.iterations / 2, "only \(killedMidRun) of \(Self.iterations) applies were killed before they finished")
        if StateDatabase.hasSQLite3 {
            #expect(killedAmidActions >= Self.iterations / 4, "only \(killedAmidActions) kills landed between the first and the last action")
        }
    }

    func firstDifference(_ a: String, _ b: String) -> String {
        let left = a.split(separator: "\n"), right = b.split(separator: "\n")
        for (i, (x, y)) in zip(left, right).enumerated() where x != y {
            return "line \(i + 1): got \(x.trimmingCharacters(in: .whitespaces)), expected \(y.trimmingCharacters(in: .whitespaces))"
        }
        return "lengths \(left.count) and \(right.count)"
    }
}
