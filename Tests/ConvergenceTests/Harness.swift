import FlashPlanConfig
import FlashPlanEngine
import FlashPlanApp
import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

/// The planner and the executor against the real simulator, in memory: what the
/// systemd timer does, minus the process. The property and defect tests of the
/// planner use it so that no second model of the storage can hide a disagreement.
struct Harness {
    let store: StateStore
    let backend: SimulatorBackend
    var configuration: Configuration

    init(_ yaml: String) throws {
        store = try StateStore.inMemory()
        backend = SimulatorBackend(store: store)
        configuration = try Self.load(yaml)
    }

    static func load(_ yaml: String) throws -> Configuration {
        let result = ConfigurationLoader.load(sources: [SourceFile(path: "t.yaml", text: yaml)])
        let errors = result.diagnostics.filter { $0.severity == .error }.map(\.description)
        try #require(errors.isEmpty, "fixture YAML is invalid: \(errors)")
        return result.configuration
    }

    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    func observe(_ now: Date) throws -> ObservedState { try backend.observe(at: now) }

    func plan(_ now: Date, options: PlanOptions = PlanOptions()) throws -> Plan {
        Planner(configuration: configuration, observed: try observe(now), now: now, options: options).plan()
    }

    /// Plans and applies at `now`, as `flashplan apply --auto-approve` would; the plan must have no errors.
    @discardableResult
    func apply(_ now: Date, parallelism: Int = 4, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws -> (Plan, ApplyReport) {
        let plan = try plan(now)
        let clean = !plan.hasErrors
        try #require(clean, "plan at \(now.iso8601) has errors: \(plan.diagnostics.map(\.description))", sourceLocation: sourceLocation)
        let id = UUID().uuidString
        _ = try store.beginApply(id: id, expecting: plan.state, operation: "apply", now: now)
        let report = await Executor(backend: backend, ledger: store, parallelism: parallelism).run(plan, applyID: id, now: now)
        try store.finishApply(id: id, outcome: report.outcome, now: now)
        return (plan, report)
    }

    /// Applies and requires every action to have been applied, then that a plan at the same time has nothing to do.
    @discardableResult
    func applyCleanly(_ now: Date, parallelism: Int = 4, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws -> Plan {
        let (plan, report) = try await apply(now, parallelism: parallelism, sourceLocation: sourceLocation)
        // Plain booleans: a failed expectation on a plan would print the whole plan.
        let failed = report.results.filter { $0.status != .applied }.map { "\($0.id): \($0.message ?? "")" }
        let allApplied = failed.isEmpty
        #expect(allApplied, "at \(now.iso8601): \(failed)", sourceLocation: sourceLocation)
        let left = try self.plan(now).actions.map(\.id)
        let converged = left.isEmpty
        #expect(converged, "at \(now.iso8601) the plan does not converge: \(left)", sourceLocation: sourceLocation)
        return plan
    }

    /// Snapshots held by `volume`, by label.
    func count(_ volume: String, label: String? = nil, at now: Date) throws -> Int {
        try observe(now).snapshots.filter { $0.volume == volume && (label == nil || $0.label == label) }.count
    }

    /// What happens outside flashplan (`flashplan sim ...`).
    func outside(_ operation: StorageOperation, at now: Date) throws {
        try backend.perform(operation, at: now, journal: nil)
    }
}

extension Date {
    func adding(hours: Double) -> Date { addingTimeInterval(hours * 3600) }
}
