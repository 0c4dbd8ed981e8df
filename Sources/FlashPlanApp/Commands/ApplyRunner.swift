import FlashPlanEngine
import FlashPlanConfig
import FlashPlanModel
import Foundation
import Logging
import Synchronization

/// `flashplan apply`: lock, plan (or read a saved plan), ask, run the DAG, record, report.
public enum ApplyRunner {
    public static func run(
        _ request: ApplyRequest, console: ApplyConsole, stop: StopSignal, open: @Sendable (String) throws -> StateSession
    ) async throws -> Int32 {
        let log = console.logger
        // An output that cannot be written is found before anything runs, not after.
        if let metricsFile = request.metricsFile {
            do {
                try AtomicFile.check(metricsFile, option: "--metrics-file")
            } catch {
                console.write("Error: \(error)\nNothing was applied.\n")
                return 1
            }
        }
        let loaded = try Validation.loadConfiguration(directory: request.configDirectory, strict: false)
        // A saved plan is checked against the configuration too: it must load cleanly.
        if loaded.hasErrors {
            console.write(loaded.renderer.render(loaded.diagnostics) + "\nThe configuration has errors; nothing was applied.\n")
            return 1
        }
        // The lock is taken before the plan is made: what is planned is what is applied.
        let lock: StateLock
        do {
            lock = try StateLock.acquire(
                statePath: request.statePath, operation: "apply", now: request.now, timeout: request.lockTimeout
            ) { holder in
                let waiting = "Waiting for the state lock, held by \(holder?.description ?? "another process")…"
                // On a terminal as is; otherwise a log line, so that --log-format json stays JSON.
                if request.progressBar { console.progress(waiting + "\n") } else { log.warning("\(waiting)") }
            }
        } catch let error as StateLock.HeldError {
            console.write("Error: \(error.description)\n")
            return 1
        } catch {
            console.write("Error: \(error)\nNothing was applied.\n")
            return 1
        }
        defer { withExtendedLifetime(lock) {} }

        // A state that cannot be used (not a database, corrupted, newer, not writable, a
        // full disk) is reported with its path and remedy; nothing has been applied.
        let session: StateSession
        let observed: ObservedState
        do {
            session = try open(request.statePath)
            observed = try session.backend.observe(at: request.now)
        } catch {
            console.write("Error: \(error)\nNothing was applied.\n")
            return 1
        }
        var plan: Plan
        if let planFile = request.planFile {
            do {
                plan = try PlanFile.read(planFile)
            } catch {
                console.write("Error: \(error)\n")
                return 1
            }
            if plan.hasErrors {
                console.write("Error: the plan in \(planFile) has errors and cannot be applied.\n")
                return 1
            }
            // A saved plan is an approval, not a script (DESIGN §5): it is applied only if
            // the configuration and the state call for exactly it now.
            if let refusal = SavedPlanCheck.refusal(
                plan, file: planFile, configuration: loaded.configuration, session: session, now: request.now,
                maxAge: request.planMaxAge)
            {
                console.write("Error: \(refusal)\nNothing was applied.\n")
                return 1
            }
        } else {
            var made = Planner(configuration: loaded.configuration, observed: observed, now: request.now).plan()
            made.diagnostics = (loaded.diagnostics + made.diagnostics).sortedByLocation()
            plan = made
            console.write(PlanTextRenderer(style: TerminalStyle(enabled: request.color), renderer: loaded.renderer).render(plan))
            if plan.hasErrors {
                console.write("\nThe plan has errors; nothing was applied.\n")
                writeMetricsReporting(request, report: nil, outcome: "refused", loaded: loaded, session: session, console: console)
                return 1
            }
            if !plan.hasChanges {
                writeMetricsReporting(request, report: nil, outcome: "no-changes", loaded: loaded, session: session, console: console)
                ExitTeardown.shared.keep(loaded, observed, plan)
                return 0
            }
            let destructive = plan.consentNeeded
            if request.autoApprove, !request.allowDestructive, !destructive.isEmpty {
                let held = plan.holdingConsentNeeded()
                console.write("\nHeld (destructive, no consent under --auto-approve; give --allow-destructive to carry them out):\n"
                    + held.map { "  ! \($0.id): \($0.reason)\n" }.joined())
                for action in held { log.warning("held destructive action", metadata: ["action": "\(action.id)", "reason": "\(action.reason)"]) }
            }
            if !request.autoApprove {
                if !destructive.isEmpty {
                    console.write("\nDestructive actions in this plan (they lose data on their target):\n"
                        + destructive.map { "  ! \($0.id): \($0.reason)\n" }.joined())
                }
                guard request.interactive else {
                    console.write("\nError: refusing to apply without approval: standard input is not a terminal. Use --auto-approve (e.g. from a timer), or save the plan with `flashplan plan --out FILE` and apply that file.\n")
                    return 1
                }
                let answer = console.ask("\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ")
                guard answer?.trimmingCharacters(in: .whitespaces) == "yes" else {
                    console.write("\nApply cancelled.\n")
                    return 1
                }
            }
        }
        guard plan.hasChanges else {
            console.write("No changes. Nothing to apply.\n")
            return 0
        }
        // Interrupted before anything began (while planning, or at the prompt): nothing to record.
        if stop.requested {
            console.write("\nApply cancelled: interrupted before any action started.\n")
            return stop.exitCode ?? 1
        }
        let applyID = UUID().uuidString.lowercased()
        do {
            let serial = try session.ledger.beginApply(id: applyID, expecting: plan.state, operation: "apply", now: request.now)
            log.info("apply started", metadata: ["apply_id": "\(applyID)", "serial": "\(serial)", "actions": "\(plan.actions.count)"])
        } catch let error as StalePlanError {
            console.write("Error: \(error.description)\n")
            writeMetricsReporting(request, report: nil, outcome: "refused", loaded: loaded, session: session, console: console)
            return 1
        } catch {
            // E.g. a full disk: the apply could not even be recorded as started.
            console.write("Error: \(error)\nNothing was applied.\n")
            writeMetricsReporting(request, report: nil, outcome: "failed", loaded: loaded, session: session, console: console)
            return 1
        }
        let progress = ProgressReporter(console: console, bar: request.progressBar)
        let executor = Executor(backend: session.backend, ledger: session.ledger, parallelism: request.parallelism)
        let report = await executor.run(plan, applyID: applyID, now: request.now, stop: stop) { event in
            progress.handle(event)
        }
        // What committed is in the state with its journal rows whatever happens here; a
        // state that cannot record the end (a full disk) does not hide what was done.
        var exitCode = report.exitCode
        var unrecorded: String?
        do {
            try session.ledger.finishApply(id: applyID, outcome: report.outcome, now: request.now)
        } catch {
            unrecorded = "\(error)"
            log.error("could not record the end of the apply", metadata: ["apply_id": "\(applyID)", "error": "\(error)"])
            // Everything applied but the apply's own record: not "done" (0), and certainly
            // not "nothing applied" (1).
            if exitCode == 0 { exitCode = 3 }
        }
        console.write(ApplySummary.render(report))
        if let unrecorded {
            console.write("The end of this apply could not be recorded in the state: \(unrecorded)\n")
        }
        writeMetricsReporting(request, report: report, outcome: report.outcome, loaded: loaded, session: session, console: console)
        ExitTeardown.shared.keep(loaded, observed, plan, report)
        return stop.exitCode ?? exitCode
    }

    /// Metrics come after the apply is done and recorded: a file that cannot be written
    /// is reported, and does not turn an apply that applied everything into exit 1
    /// ("nothing applied").
    static func writeMetricsReporting(
        _ request: ApplyRequest, report: ApplyReport?, outcome: String, loaded: LoadResult, session: StateSession,
        console: ApplyConsole
    ) {
        do {
            try writeMetrics(request, report: report, outcome: outcome, loaded: loaded, session: session)
        } catch {
            console.logger.error("could not write the metrics file \(request.metricsFile ?? ""): \(error)")
        }
    }

    static func writeMetrics(_ request: ApplyRequest, report: ApplyReport?, outcome: String, loaded: LoadResult, session: StateSession) throws {
        guard let path = request.metricsFile else { return }
        let observed = try session.backend.observe(at: request.now)
        let text = ApplyMetrics.render(report: report, outcome: outcome, configuration: loaded.configuration, observed: observed, now: request.now)
        try ApplyMetrics.write(text, to: path)
    }
}

/// Shows an apply's progress: a bar on a terminal, one log line per action otherwise.
final class ProgressReporter: Sendable {
    let console: ApplyConsole
    let bar: Bool
    private let counts = Mutex<[ActionResult.Status: Int]>([:])

    init(console: ApplyConsole, bar: Bool) {
        self.console = console
        self.bar = bar
    }

    func handle(_ event: ExecutionEvent) {
        switch event {
        case .started(let total):
            if bar { console.progress(line(done: 0, total: total)) }
        case .finished(let result, let done, let total):
            let snapshot = counts.withLock { counts -> [ActionResult.Status: Int] in
                counts[result.status, default: 0] += 1
                return counts
            }
            if bar {
                console.progress(line(done: done, total: total, counts: snapshot) + (done == total ? "\n" : ""))
            } else {
                var metadata: Logger.Metadata = ["action": "\(result.id)", "result": "\(result.status.rawValue)"]
                if let message = result.message { metadata["message"] = "\(message)" }
                if result.status == .applied {
                    console.logger.info("\(result.kind.rawValue) \(result.address)", metadata: metadata)
                } else {
                    console.logger.warning("\(result.kind.rawValue) \(result.address)", metadata: metadata)
                }
            }
        case .stopping(let signal):
            console.logger.warning("signal \(signal): finishing the running actions, starting no new ones")
        }
    }

    private func line(done: Int, total: Int, counts: [ActionResult.Status: Int] = [:]) -> String {
        let width = 30
        let filled = total == 0 ? width : done * width / total
        let barText = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        return "\r[\(barText)] \(done)/\(total)  applied \(counts[.applied] ?? 0), failed \(counts[.failed] ?? 0), skipped \(counts[.skipped] ?? 0)"
    }
}

/// The closing summary: what was done, what failed and what was skipped, and why.
public enum ApplySummary {
    public static func render(_ report: ApplyReport) -> String {
        var out = "\n"
        let applied = report.count(.applied), failed = report.count(.failed), skipped = report.count(.skipped)
        let notStarted = report.count(.notStarted)
        let head: String
        switch report.exitCode {
        case 0: head = "Apply complete!"
        case 1: head = "Apply failed: nothing was applied."
        default: head = report.interrupted ? "Apply interrupted: partly applied." : "Apply partly failed."
        }
        out += "\(head) \(applied) applied, \(failed) failed, \(skipped) skipped" + (notStarted > 0 ? ", \(notStarted) not started" : "")
            + String(format: " (%.2fs).\n", report.seconds)
        for result in report.results where result.status != .applied {
            out += "  \(result.status.rawValue): \(result.address) (\(result.kind.rawValue)): \(result.message ?? "")\n"
        }
        return out
    }
}
