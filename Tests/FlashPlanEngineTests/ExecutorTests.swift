import FlashPlanModel
import Foundation
import Synchronization
import Testing

@testable import FlashPlanEngine
@testable import FlashPlanApp

/// A backend that records what it performs and fails on request.
final class RecordingBackend: StorageBackend, ApplyLedger, Sendable {
    let performed = Mutex<[String]>([])
    let journal = Mutex<[JournalEntry]>([])
    let failing: Set<String>
    let running = Mutex<(now: Int, peak: Int)>((0, 0))
    let delay: UInt32

    let halting: Set<String>

    /// What a PostgreSQL state cut off throws: nothing more can commit.
    struct CutOff: HaltsExecution, CustomStringConvertible {
        var haltsExecution: Bool { true }
        var description: String { "state was cut off" }
    }

    init(failing: Set<String> = [], halting: Set<String> = [], delay: UInt32 = 0) {
        self.failing = failing
        self.halting = halting
        self.delay = delay
    }

    func observe(at now: Date) throws -> ObservedState { ObservedState(lineage: "l", serial: 1) }

    func perform(_ operation: StorageOperation, at now: Date, journal entry: JournalEntry?) throws {
        try perform([operation], at: now, journal: entry)
    }

    func perform(_ operations: [StorageOperation], at now: Date, journal entry: JournalEntry?) throws {
        running.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
        defer { running.withLock { $0.now -= 1 } }
        if delay > 0 { usleep(delay) }
        let name = entry.map { String($0.address.dropFirst("host.".count)) } ?? "?"
        if failing.contains(name) { throw BackendError(.injectedFailure, "injected failure on \(name)") }
        if halting.contains(name) { throw CutOff() }
        performed.withLock { $0.append(name) }
        if let entry { journal.withLock { $0.append(entry) } }
    }

    func beginApply(id: String, expecting plan: StateReference?, operation: String, now: Date) throws -> Int { 2 }
    func record(_ entry: JournalEntry) throws { journal.withLock { $0.append(entry) } }
    func finishApply(id: String, outcome: String, now: Date) throws {}
}

@Suite struct ExecutorTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func action(_ name: String, after: [String] = [], blocked: String? = nil) -> PlanAction {
        var action = PlanAction(
            kind: .createHost, address: .host(name), reason: "test", dependsOn: after.map { ActionID(.createHost, .host($0)) },
            operation: .createHost(name: name, site: nil))
        action.blockedBy = blocked
        return action
    }

    static func plan(_ actions: [PlanAction]) -> Plan {
        Plan(
            now: now, state: StateReference(lineage: "l", serial: 1), configDigest: "", actions: actions, retention: [],
            drift: [], diagnostics: [], capacity: [])
    }

    @Test func runsInDependencyOrder() async {
        let backend = RecordingBackend()
        let plan = Self.plan([Self.action("c", after: ["b"]), Self.action("b", after: ["a"]), Self.action("a")])
        let report = await Executor(backend: backend, ledger: backend, parallelism: 4).run(plan, applyID: "x", now: Self.now)
        #expect(backend.performed.withLock { $0 } == ["a", "b", "c"])
        #expect(report.exitCode == 0)
        #expect(backend.journal.withLock { $0.map(\.address) } == ["host.a", "host.b", "host.c"])
    }

    /// Red team: with the state's database gone, every remaining action was tried and
    /// failed in turn (hundreds of "was cut off" lines). The first such failure ends the run.
    @Test(arguments: [1, 4])
    func aFailureAfterWhichNothingCanCommitStopsTheRun(parallelism: Int) async {
        let backend = RecordingBackend(halting: ["b"])
        let plan = Self.plan(["a", "b", "c", "d", "e", "f"].map { Self.action($0) })
        let report = await Executor(backend: backend, ledger: backend, parallelism: parallelism).run(plan, applyID: "x", now: Self.now)
        let status = Dictionary(uniqueKeysWithValues: report.results.map { ($0.address.description.dropFirst("host.".count), $0.status) })
        #expect(status["b"] == .failed)
        // Nothing is started after it; with parallelism, what was already running finishes.
        let started = backend.performed.withLock { $0 }
        #expect(started.count <= parallelism, "\(started)")
        #expect(status.values.filter { $0 == .notStarted }.count >= 6 - 1 - parallelism)
        #expect(report.results.contains { $0.message?.contains("the run stopped at the failure above") == true })
        #expect(report.exitCode != 0)
    }

    @Test func aFailureSkipsDependentsButNotIndependentActions() async {
        let backend = RecordingBackend(failing: ["a"])
        let plan = Self.plan([Self.action("a"), Self.action("b", after: ["a"]), Self.action("c", after: ["b"]), Self.action("d")])
        let report = await Executor(backend: backend, ledger: backend).run(plan, applyID: "x", now: Self.now)
        let status = Dictionary(uniqueKeysWithValues: report.results.map { ($0.address.description.dropFirst("host.".count), $0.status) })
        #expect(status == ["a": .failed, "b": .skipped, "c": .skipped, "d": .applied])
        #expect(report.exitCode == 3)
        #expect(report.results.first { $0.address == .host("c") }?.message?.contains("create-host:host.b") == true)
        let outcomes = backend.journal.withLock { $0.map { "\($0.address):\($0.outcome.rawValue)" } }.sorted()
        #expect(outcomes == ["host.a:failed", "host.b:skipped", "host.c:skipped", "host.d:applied"])
    }

    @Test func blockedActionsAreSkippedWithTheirReason() async {
        let backend = RecordingBackend()
        let plan = Self.plan([Self.action("a", blocked: "array 'a2' is offline"), Self.action("b", after: ["a"]), Self.action("c")])
        let report = await Executor(backend: backend, ledger: backend).run(plan, applyID: "x", now: Self.now)
        #expect(report.results.first { $0.address == .host("a") }?.message == "blocked: array 'a2' is offline")
        #expect(report.count(.skipped) == 2)
        #expect(backend.performed.withLock { $0 } == ["c"])
    }

    @Test func nothingAppliedExitsOne() async {
        let backend = RecordingBackend(failing: ["a"])
        let report = await Executor(backend: backend, ledger: backend).run(Self.plan([Self.action("a")]), applyID: "x", now: Self.now)
        #expect(report.exitCode == 1)
    }

    /// Work the plan itself held or blocked is not a failure of the apply: a run whose only
    /// action was held for consent exits 3 (partly applied), as a run with routine work
    /// beside it does (found by a red-team pass: it exited 1, "nothing applied").
    @Test func onlyHeldOrBlockedWorkExitsThree() async {
        let backend = RecordingBackend()
        var held = Self.action("a")
        held.blockedBy = "held: destructive; it needs consent"
        var report = await Executor(backend: backend, ledger: backend).run(Self.plan([held]), applyID: "x", now: Self.now)
        #expect(report.results.map(\.wasBlocked) == [true])
        #expect(report.exitCode == 3 && report.outcome == "partial")
        // A failure beside it changes nothing: partly applied.
        let failing = RecordingBackend(failing: ["b"])
        report = await Executor(backend: failing, ledger: failing).run(Self.plan([held, Self.action("b")]), applyID: "y", now: Self.now)
        #expect(report.exitCode == 3)
    }

    @Test(arguments: [1, 3])
    func neverRunsMoreThanParallelismAtOnce(parallelism: Int) async {
        let backend = RecordingBackend(delay: 20_000)
        let plan = Self.plan((0..<12).map { Self.action("v\($0)") })
        let report = await Executor(backend: backend, ledger: backend, parallelism: parallelism).run(plan, applyID: "x", now: Self.now)
        #expect(report.exitCode == 0)
        #expect(backend.running.withLock { $0.peak } <= parallelism)
    }

    @Test func aStopRequestLaunchesNothingNew() async {
        let backend = RecordingBackend()
        let stop = StopSignal()
        stop.request(SIGTERM)
        let report = await Executor(backend: backend, ledger: backend).run(Self.plan([Self.action("a")]), applyID: "x", now: Self.now, stop: stop)
        #expect(report.interrupted)
        #expect(report.results.map(\.status) == [.notStarted])
        #expect(stop.exitCode == 143)
    }
}

@Suite struct StateLockTests {
    @Test func aSecondHolderIsRefusedAndToldWhoHoldsIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.db").path
        let first = try StateLock.acquire(statePath: state, operation: "apply", timeout: 0)
        var told: StateLock.Holder?
        #expect(throws: StateLock.HeldError.self) {
            _ = try StateLock.acquire(statePath: state, operation: "apply", timeout: 0.2) { told = $0 }
        }
        #expect(told?.pid == getpid())
        #expect(told?.operation == "apply")
        withExtendedLifetime(first) {}
    }

    @Test func theLockIsFreeAgainOnceReleased() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.db").path
        do { _ = try StateLock.acquire(statePath: state, operation: "apply", timeout: 0) }
        _ = try StateLock.acquire(statePath: state, operation: "apply", timeout: 0)
    }
}
