import Foundation
import Testing

/// `kill -9` at any moment leaves a consistent state, and the next apply converges
/// without duplicate, lost or partial backups (DESIGN §5, docs/operations.md).
@Suite("flashplan apply: kill -9")
struct ApplyCrashTests {
    static let now = "2026-11-21T10:00:00Z"
    static let groups = 50
    static let iterations = 20
    static let seed: UInt64 = 0x6_0007

    @Test func killedAppliesLeaveAConsistentStateAndTheNextOneConverges() throws {
        let workspace = try ApplyWorkspace(config: Fleets.large(groups: Self.groups))
        defer { workspace.remove() }

        // The reference: one clean apply into its own state.
        let began = Date()
        let reference = try workspace.apply(Self.now, state: "reference/state.db")
        let duration = Date().timeIntervalSince(began)
        try #require(reference.exitCode == 0, "\(reference)")
        #expect(reference.stdout.contains("0 failed, 0 skipped"), "\(reference.stdout.suffix(2000))")
        let expected = try workspace.listing(Self.now, state: "reference/state.db")
        #expect(expected.snapshots.count == Self.groups * 3 * 2 * 2)  // 2 labels, primary + mirror
        #expect(expected.clones.count == Self.groups * 3)

        let referencePath = workspace.url.appendingPathComponent("reference/state.db").path
        let actions = try StateDatabase.journal(referencePath).count

        var random = SeededGenerator(seed: Self.seed)
        var killedMidRun = 0
        var killedAmidActions = 0
        for iteration in 0..<Self.iterations {
            let state = "killed-\(iteration)/state.db"
            let path = workspace.url.appendingPathComponent(state).path
            let child = try FlashPlanBinary.start(["apply", "--auto-approve"] + workspace.flags(Self.now, state: state), in: workspace.url)
            // Half the kills count from the start (lock, plan, the serial), half from the
            // first action on: most of the time is spent there.
            let fromActions = iteration % 2 == 1
            if fromActions {
                _ = child.poll { child.stderrSoFar.contains("apply started") }
            }
            let delay = Double.random(in: 0.02...max(0.05, fromActions ? duration * 0.6 : duration), using: &random)
            Thread.sleep(forTimeInterval: delay)
            child.kill9()
            let killed = try child.wait(timeout: 60)
            if child.killedBySignal {
                killedMidRun += 1
            } else {
                #expect(killed.exitCode == 0, "iteration \(iteration): \(killed)")
            }

            if StateDatabase.hasSQLite3, FileManager.default.fileExists(atPath: path) {
                let check = try StateDatabase.query(path, "PRAGMA integrity_check")
                #expect(check == ["ok"], "iteration \(iteration) (killed after \(delay)s): integrity_check: \(check)")
                if let done = try StateDatabase.query(path, "SELECT count(*) FROM journal").first.flatMap({ Int($0) }),
                    done > 0, done < actions
                {
                    killedAmidActions += 1
                }
            }
            // Whatever the kill left, backups are whole: a group's volumes hold the same ones.
            if FileManager.default.fileExists(atPath: path) {
                let partial = try workspace.listing(Self.now, state: state)
                for group in (0..<Self.groups).map({ String(format: "g%03d", $0) }) {
                    let names = (0..<3).map { Set(partial.snapshots(on: "\(group)-v\($0)").map(\.name)) }
                    #expect(names[0] == names[1] && names[1] == names[2], "iteration \(iteration): a partial backup of \(group): \(names)")
                }
            }

            let again = try workspace.apply(Self.now, state: state)
            #expect(again.exitCode == 0, "iteration \(iteration) (killed after \(delay)s): \(again)")
            let converged = try workspace.listing(Self.now, state: state)
            if converged.canonical != expected.canonical {
                let extra = Set(converged.snapshots).subtracting(expected.snapshots)
                let missing = Set(expected.snapshots).subtracting(converged.snapshots)
                Issue.record(
                    "iteration \(iteration) (killed after \(String(format: "%.3f", delay))s): the state differs from a clean apply's; extra snapshots \(extra.prefix(10)), missing \(missing.prefix(10))\n\(firstDifference(converged.canonical, expected.canonical))"
                )
            }
            let plan = try workspace.plan(Self.now, state: state)
            #expect(plan.exitCode == 0, "iteration \(iteration): \(plan)")
            try? FileManager.default.removeItem(at: workspace.url.appendingPathComponent("killed-\(iteration)"))
        }
        // The delays must mostly land while the apply runs, or this tests nothing.
        #expect(killedMidRun >= Self.iterations / 2, "only \(killedMidRun) of \(Self.iterations) applies were killed before they finished")
        if StateDatabase.hasSQLite3 {
            #expect(killedAmidActions >= Self.iterations / 4, "only \(killedAmidActions) kills landed between the first and the last of \(actions) actions")
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
