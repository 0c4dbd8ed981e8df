import FlashPlanEngine
import FlashPlanConfig
import FlashPlanModel
import Foundation
import Synchronization

/// `flashplan plan`: load, observe, plan, render.
public enum PlanRunner {
    public static func run(_ request: PlanRequest, open: (String) throws -> StateSession) throws -> CommandOutcome {
        // --out is checked before anything is planned: no plan is made for a file that cannot be saved.
        if let out = request.out {
            do {
                try AtomicFile.check(out, option: "--out")
            } catch {
                return CommandOutcome(stderr: "Error: \(error)", exitCode: 1)
            }
        }
        let (loaded, _, observation) = try PlanInputs.load(
            directory: request.configDirectory, strict: request.strict, statePath: request.statePath, now: request.now,
            open: open)
        guard !loaded.hasErrors, let observed = observation else {
            return CommandOutcome(stderr: loaded.renderer.render(loaded.diagnostics) + "\nThe configuration has errors; no plan was made.", exitCode: 1)
        }
        var plan = Planner(configuration: loaded.configuration, observed: observed, now: request.now, options: request.options).plan()
        plan.diagnostics = (loaded.diagnostics + plan.diagnostics).sortedByLocation()
        if request.strict { plan.diagnostics = plan.diagnostics.promotingWarnings() }
        let rendered: String
        if let out = request.out {
            if request.format == .json {
                // The JSON is rendered once, for the plan file and the output alike.
                let data = try PlanJSONRenderer.renderData(plan)
                try PlanFile.write(json: data, to: out)
                rendered = String(decoding: data, as: UTF8.self)
            } else {
                // The plan file and what is shown are independent: made at once, on two
                // cores (at fleet scale each takes a tenth of the command).
                let shown = Mutex<String?>(nil)
                let done = DispatchSemaphore(value: 0)
                let frozen = plan, color = request.color, format = request.format, renderer = loaded.renderer
                DispatchQueue.global().async {
                    let text = Self.render(frozen, format: format, color: color, renderer: renderer)
                    shown.withLock { $0 = text }
                    done.signal()
                }
                let written = Result { try PlanFile.write(json: try PlanJSONRenderer.renderData(plan), to: out) }
                done.wait()
                try written.get()
                rendered = shown.withLock { $0! }
            }
        } else if request.format == .json {
            rendered = try PlanJSONRenderer.render(plan)
        } else {
            rendered = Self.render(plan, format: request.format, color: request.color, renderer: loaded.renderer)
        }
        let exitCode: Int32 = plan.hasErrors ? 1 : (request.detailedExitCode && plan.hasChanges ? 2 : 0)
        var notes: [String] = []
        // A read-only plan never creates a state: with none there it plans against empty storage.
        if observed.lineage.isEmpty {
            notes.append("No state at \(request.statePath): planned against empty storage (nothing was created; the first `flashplan apply` creates the state). If a state should be there, check --state or FLASHPLAN_STATE.")
        }
        if let out = request.out {
            notes.append(
                plan.diagnostics.hasStoppingErrors
                    ? "The plan has errors; \(out) cannot be applied."
                    : "Saved the plan to \(out); apply it with: flashplan apply \(out)"
                        + (plan.hasErrors ? " (the actions its errors concern are blocked; the rest is applied)" : ""))
        }
        let stderr = notes.joined(separator: "\n")
        ExitTeardown.shared.keep(loaded, observed, plan)
        return CommandOutcome(stdout: rendered, stderr: stderr, exitCode: exitCode)
    }

    /// The plan as shown on standard output, in a format other than JSON.
    static func render(_ plan: Plan, format: PlanRequest.Format, color: Bool, renderer: DiagnosticRenderer) -> String {
        switch format {
        case .markdown: PlanMarkdownRenderer.render(plan)
        case .text, .json: PlanTextRenderer(style: TerminalStyle(enabled: color), renderer: renderer).render(plan)
        }
    }
}
