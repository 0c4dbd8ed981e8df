import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Each operation is one transaction with its journal row: `kill -9` at any moment
/// leaves a state that SQLite finds intact and whose effects match the journal.
@Suite struct CrashTests {
    @Test(.timeLimit(.minutes(5))) func killNineAtRandomMomentsLeavesAConsistentState() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("state.db").path
        let now = "2026-11-21T10:00:00Z"
        let arguments = ["sim", "workload", "--state", path, "--now", now, "--volumes", "3", "--operations", "1000000"]
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        var previous = 0
        for round in 0..<24 {
            let child = try FlashPlanExecutable.start(arguments)
            // The first run also creates the database; later ones kill mid-stream.
            let delay = round == 0 ? 1.0 : Double.random(in: 0.15...0.6, using: &generator)
            usleep(useconds_t(delay * 1_000_000))
            #expect(child.isRunning, "the workload stopped on its own in round \(round)")
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            #expect(child.terminationReason == .uncaughtSignal && child.terminationStatus == SIGKILL)
            kills += 1

            #expect(try sqlite3(path, "PRAGMA integrity_check") == "ok")
            let store = try StateStore(path: path)
            let problems = try SimulatorWorkload.check(store, now: ISO8601DateFormatter().date(from: now)!.addingTimeInterval(1e6))
            #expect(problems.isEmpty, "after kill \(kills): \(problems.prefix(5).joined(separator: "; "))")
            let steps = try store.journalEntries(applyID: SimulatorWorkload.applyID).count
            #expect(steps >= previous)
            previous = steps
        }
        #expect(kills >= 20)
        #expect(previous > 50, "the workload made too little progress (\(previous) steps) to mean anything")

        // A run after all this carries on from the journal and finishes cleanly.
        let finish = try FlashPlanExecutable.run([
            "sim", "workload", "--state", path, "--now", now, "--volumes", "3", "--operations", String(previous + 10),
        ])
        #expect(finish.exitCode == 0, "\(finish.stderr)")
        #expect(finish.stdout == "workload: 10 steps\n")
        let store = try StateStore(path: path)
        #expect(try SimulatorWorkload.check(store, now: ISO8601DateFormatter().date(from: now)!.addingTimeInterval(1e6)).isEmpty)
    }
}
