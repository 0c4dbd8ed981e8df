import FlashPlanEngine
import FlashPlanModel
import Foundation

/// Replays the systemd timer: at each step from `start` to `start + days`, the real
/// `Planner` plans the configuration against what the backend holds then, and the real
/// `Executor` applies that plan, as `flashplan apply --auto-approve` would.
///
/// The backend must be a scratch copy (`StateStore.scratchCopy()`): the simulation
/// writes to it. Nothing here models the planner or the storage a second time — what the
/// report says is what the timer would do against the simulator, step by step.
public struct Simulation: Sendable {
    public var configuration: Configuration
    public var start: Date
    public var days: Int
    /// Seconds between two runs of the timer.
    public var step: TimeInterval
    /// Carry out destructive actions (`--allow-destructive`); otherwise they are held, as
    /// under `--auto-approve` from a timer.
    public var allowDestructive: Bool

    /// The longest simulation `--days` accepts: ten years.
    public static let maximumDays = 3650
    /// The most steps one simulation may take, so that a typo cannot run for hours.
    public static let maximumSteps = 100_000

    public init(configuration: Configuration, start: Date, days: Int, step: TimeInterval, allowDestructive: Bool = false) {
        self.configuration = configuration
        self.start = start
        self.days = days
        self.step = step
        self.allowDestructive = allowDestructive
    }

    /// The times the timer runs: `start`, then every `step` up to `start + days` included.
    public var times: [Date] {
        let end = start.addingTimeInterval(TimeInterval(days) * 86400)
        return stride(from: 0.0, through: end.timeIntervalSince(start), by: step).map { start.addingTimeInterval($0) }
    }

    /// Runs the timer on `session` and samples what it holds after each run.
    public func run(on session: StateSession) async throws -> SimulationReport {
        var timings = Timings()
        return try await run(on: session, timings: &timings)
    }

    /// Where the time of a simulation went, in seconds, summed over all its steps.
    public struct Timings: Sendable, Hashable {
        /// Reading the storage: before planning, and again after an apply changed it.
        public var observe: Double = 0
        public var plan: Double = 0
        /// Carrying out the plans, with the applies' bookkeeping.
        public var execute: Double = 0
        public var record: Double = 0

        public init() {}
    }

    /// Observe every step afresh instead of bringing the previous step's observation
    /// forward (`StorageBackend.observe(at:unchangedSince:)`): only for the test that the
    /// two give the same report.
    var observeEveryStepAfresh = false

    /// Runs the timer on `session`, adding where the time went to `timings`.
    public func run(on session: StateSession, timings: inout Timings) async throws -> SimulationReport {
        var recorder = SimulationRecorder(configuration: configuration, start: start, days: days, step: step)
        // What the storage held after the previous step, observed after its last change.
        // Nothing touches the scratch copy between two steps, so the next step needs only
        // what depends on the time read again (pool use, mirror resync): the backend does
        // that, with its own rules, instead of reading every snapshot again.
        var settled: ObservedState?
        var clock = ContinuousClock.now
        func lap() -> Double {
            let now = ContinuousClock.now
            defer { clock = now }
            let elapsed = now - clock
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        for now in times {
            _ = lap()
            let observed: ObservedState
            if let settled, !observeEveryStepAfresh {
                observed = try session.backend.observe(at: now, unchangedSince: settled)
            } else {
                observed = try session.backend.observe(at: now)
            }
            timings.observe += lap()
            var plan = Planner(configuration: configuration, observed: observed, now: now).plan()
            timings.plan += lap()
            var outcome = SimulationRecorder.StepOutcome()
            if plan.hasErrors {
                // `apply` refuses a plan with errors as a whole: nothing happens at this step.
                outcome.refusal = plan.diagnostics.first { $0.severity == .error }.map { "\($0.location): \($0.message)" }
            } else if plan.hasChanges {
                if !allowDestructive { outcome.held = plan.holdingConsentNeeded().map(\.id.description) }
                let id = UUID().uuidString.lowercased()
                _ = try session.ledger.beginApply(id: id, expecting: plan.state, operation: "simulate", now: now)
                // One action at a time: the scratch state is one in-memory connection that
                // parallel actions would only queue for; the result is the same.
                let report = await Executor(backend: session.backend, ledger: session.ledger, parallelism: 1).run(plan, applyID: id, now: now)
                try session.ledger.finishApply(id: id, outcome: report.outcome, now: now)
                outcome.results = report.results
            }
            timings.execute += lap()
            // Nothing applied, nothing changed: what was observed before is what is there
            // after. An apply changed the storage (and the serial, and the last activity
            // even when all its actions failed): observe it once, after it has finished.
            let after = outcome.results.isEmpty ? observed : try session.backend.observe(at: now)
            settled = after
            timings.observe += lap()
            recorder.record(plan: plan, outcome: outcome, observed: after, at: now)
            timings.record += lap()
        }
        return recorder.report()
    }
}
