import FlashPlanConfig
import FlashPlanEngine
import FlashPlanModel
import Foundation

/// What `flashplan diff` was asked to do.
public struct DiffRequest: Sendable {
    public enum Format: String, Sendable, CaseIterable { case text, json, markdown }

    /// The configuration the change starts from (e.g. the main branch's `policies/`).
    public var baseDirectory: String
    /// The proposed configuration.
    public var configDirectory: String
    public var statePath: String
    public var now: Date
    public var days: Int
    public var step: TimeInterval
    public var format: Format

    public init(
        baseDirectory: String, configDirectory: String, statePath: String, now: Date, days: Int = 30, step: TimeInterval = 3600,
        format: Format = .text
    ) {
        self.baseDirectory = baseDirectory
        self.configDirectory = configDirectory
        self.statePath = statePath
        self.now = now
        self.days = days
        self.step = step
        self.format = format
    }
}

/// What a configuration change does: its intent field by field, the work its plan does
/// that the base's would not (and the reverse), and both simulated side by side.
/// `schemas/diff.schema.json` describes its JSON.
public struct ReviewReport: Sendable, Codable {
    public var baseDirectory: String
    public var configDirectory: String
    public var now: Date
    public var state: StateReference
    public var intent: [IntentChange]
    public var plans: PlanDifference
    public var baseSummary: PlanSummary
    public var proposedSummary: PlanSummary
    public var simulation: Simulations

    public struct Simulations: Sendable, Codable {
        public var days: Int
        public var base: SimulationReport
        public var proposed: SimulationReport
    }
}

/// `flashplan diff`: load both configurations, observe the state once, plan both, simulate both, render.
public enum DiffRunner {
    public static func run(_ request: DiffRequest, scratch: @escaping @Sendable (String) throws -> StateSession) async throws -> CommandOutcome {
        if let refusal = SimulateRunner.refusal(days: request.days, step: request.step) {
            return CommandOutcome(stderr: "Error: \(refusal)", exitCode: 1)
        }
        let base = try Validation.loadConfiguration(directory: request.baseDirectory, strict: false)
        let proposed = try Validation.loadConfiguration(directory: request.configDirectory, strict: false)
        var problems: [String] = []
        if base.hasErrors {
            problems.append(base.renderer.render(base.diagnostics.filter { $0.severity == .error }) + "\nThe base configuration (--base \(Escaping.escape(request.baseDirectory))) has errors.")
        }
        if proposed.hasErrors {
            problems.append(proposed.renderer.render(proposed.diagnostics.filter { $0.severity == .error }) + "\nThe proposed configuration (--config \(Escaping.escape(request.configDirectory))) has errors.")
        }
        if !problems.isEmpty {
            return CommandOutcome(stderr: problems.joined(separator: "\n") + "\nNothing was compared; fix the errors (`flashplan validate --config DIR` shows them) and run diff again.", exitCode: 1)
        }
        // One scratch copy per configuration, both from the same state: the plans and the
        // simulations start from exactly the same storage.
        let baseSession = try scratch(request.statePath)
        let proposedSession = try scratch(request.statePath)
        let observed = try baseSession.backend.observe(at: request.now)
        let basePlan = Planner(configuration: base.configuration, observed: observed, now: request.now).plan()
        let proposedPlan = Planner(configuration: proposed.configuration, observed: observed, now: request.now).plan()
        async let baseRun = Simulation(configuration: base.configuration, start: request.now, days: request.days, step: request.step).run(on: baseSession)
        async let proposedRun = Simulation(configuration: proposed.configuration, start: request.now, days: request.days, step: request.step).run(on: proposedSession)
        let report = ReviewReport(
            baseDirectory: request.baseDirectory, configDirectory: request.configDirectory, now: request.now,
            state: StateReference(lineage: observed.lineage, serial: observed.serial),
            intent: IntentDiff.compare(base: base.configuration, proposed: proposed.configuration),
            plans: PlanDifference(base: basePlan, proposed: proposedPlan), baseSummary: basePlan.summary,
            proposedSummary: proposedPlan.summary,
            simulation: .init(days: request.days, base: try await baseRun, proposed: try await proposedRun))
        let stdout: String
        switch request.format {
        case .text: stdout = ReviewTextRenderer.render(report)
        case .markdown: stdout = ReviewMarkdownRenderer.render(report)
        case .json: stdout = try ReviewJSON.render(report)
        }
        return CommandOutcome(stdout: stdout, stderr: "Compared on copies of the state; the state was not changed.")
    }
}

/// The review as JSON: `schemas/diff.schema.json`.
public enum ReviewJSON {
    public static let formatVersion = 1

    struct Document: Encodable {
        var formatVersion = ReviewJSON.formatVersion
        var diff: ReviewReport
    }

    public static func render(_ report: ReviewReport) throws -> String {
        String(decoding: try SimulationJSON.encoder().encode(Document(diff: report)), as: UTF8.self) + "\n"
    }
}
