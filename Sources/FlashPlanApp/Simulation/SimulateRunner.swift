import FlashPlanConfig
import FlashPlanEngine
import FlashPlanModel
import Foundation

/// What `flashplan simulate` was asked to do.
public struct SimulateRequest: Sendable {
    public enum Format: String, Sendable, CaseIterable { case text, json, markdown }

    public var configDirectory: String
    public var statePath: String
    public var now: Date
    public var days: Int
    public var step: TimeInterval
    /// Also write the SVG chart to this file.
    public var chart: String?
    public var format: Format
    public var allowDestructive: Bool

    public init(
        configDirectory: String, statePath: String, now: Date, days: Int, step: TimeInterval = 3600, chart: String? = nil,
        format: Format = .text, allowDestructive: Bool = false
    ) {
        self.configDirectory = configDirectory
        self.statePath = statePath
        self.now = now
        self.days = days
        self.step = step
        self.chart = chart
        self.format = format
        self.allowDestructive = allowDestructive
    }
}

/// `flashplan simulate`: load, copy the state into memory, replay the timer, render.
public enum SimulateRunner {
    /// - Parameter scratch: opens a private in-memory copy of the state at a path (empty
    ///   storage when there is none); the state itself is only read.
    public static func run(_ request: SimulateRequest, scratch: (String) throws -> StateSession) async throws -> CommandOutcome {
        if let refusal = refusal(days: request.days, step: request.step) { return CommandOutcome(stderr: "Error: \(refusal)", exitCode: 1) }
        if let chart = request.chart {
            do {
                try AtomicFile.check(chart, option: "--chart")
            } catch {
                return CommandOutcome(stderr: "Error: \(error)", exitCode: 1)
            }
        }
        let loaded = try Validation.loadConfiguration(directory: request.configDirectory, strict: false)
        if loaded.hasErrors {
            return CommandOutcome(stderr: loaded.renderer.render(loaded.diagnostics) + "\nThe configuration has errors; nothing was simulated.", exitCode: 1)
        }
        let session = try scratch(request.statePath)
        let clock = ContinuousClock.now
        var timings = Simulation.Timings()
        let report = try await Simulation(
            configuration: loaded.configuration, start: request.now, days: request.days, step: request.step,
            allowDestructive: request.allowDestructive
        ).run(on: session, timings: &timings)
        let elapsed = ContinuousClock.now - clock
        var notes: [String] = []
        if let chart = request.chart {
            try AtomicFile.write(Data(SimulationChart.svg(report).utf8), to: chart, option: "--chart")
            notes.append("Wrote the chart to \(Escaping.escape(chart)).")
        }
        notes.append(String(format: "Simulated %d runs of the timer in %.1fs on a copy of the state; the state was not changed.", report.steps, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
        // Where the time goes, per run, so that the cost of simulate can be measured (docs/review.md).
        let runs = Double(max(report.steps, 1))
        notes.append(String(
            format: "Per run: observing %.1f ms, planning %.1f ms, executing %.1f ms, recording %.1f ms.",
            timings.observe / runs * 1000, timings.plan / runs * 1000, timings.execute / runs * 1000, timings.record / runs * 1000))
        let stdout: String
        switch request.format {
        case .text: stdout = SimulationTextRenderer.render(report)
        case .markdown: stdout = SimulationMarkdownRenderer.render(report)
        case .json: stdout = try SimulationJSON.render(report)
        }
        return CommandOutcome(stdout: stdout, stderr: notes.joined(separator: "\n"))
    }

    /// Why `days` and `step` cannot be simulated, if they cannot.
    public static func refusal(days: Int, step: TimeInterval) -> String? {
        guard (1...Simulation.maximumDays).contains(days) else {
            return "--days \(days) is not a number of days from 1 to \(Simulation.maximumDays). Give e.g. --days 30."
        }
        guard step >= 60 else { return "--step must be at least 1m: the timer cannot run more often than a schedule can fire. Give e.g. --step 1h." }
        let steps = Double(days) * 86400 / step
        guard steps <= Double(Simulation.maximumSteps) else {
            return "--days \(days) with --step \(SimulationChart.stepText(step)) is \(Int(steps)) runs of the timer, more than \(Simulation.maximumSteps). Give a longer --step or fewer --days."
        }
        return nil
    }
}

/// The simulation report as JSON: `schemas/simulate.schema.json`.
public enum SimulationJSON {
    public static let formatVersion = 1

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.iso8601)
        }
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    struct Document: Encodable {
        var formatVersion = SimulationJSON.formatVersion
        var simulation: SimulationReport
    }

    public static func render(_ report: SimulationReport) throws -> String {
        String(decoding: try encoder().encode(Document(simulation: report)), as: UTF8.self) + "\n"
    }
}
