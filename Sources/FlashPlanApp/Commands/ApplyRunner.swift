import FlashPlanEngine
import FlashPlanConfig
import FlashPlanModel
import Foundation
import Logging
import Synchronization

/// How an apply ended. Its exit code and the metrics it leaves derive from this value
/// alone, so no way out of `apply` can forget either.
public enum ApplyOutcome: Sendable, Equatable {
    /// Nothing was applied and nothing was asked of the storage.
    case refused(ApplyRefusal, message: String)
    /// The user did not approve, or a signal came before any action started.
    case cancelled(signal: Int32?)
    /// The plan has no changes.
    case noChanges
    /// Actions ran; the report says which. `unrecorded` is set when the state could not
    /// record the apply's end (a full disk); `signal` when a signal stopped it early;
    /// `errors` counts the plan's errors about single objects, whose actions were held.
    case ran(ApplyReport, signal: Int32?, unrecorded: String?, errors: Int = 0)

    /// 0 done or nothing to do; 1 nothing applied; 3 partly applied; 128+N interrupted by signal N.
    public var exitCode: Int32 {
        switch self {
        case .refused: 1
        case .noChanges: 0
        case .cancelled(let signal): signal.map { 128 + $0 } ?? 1
        case .ran(let report, let signal, let unrecorded, let errors):
            if let signal { 128 + signal }
            // Everything applied but the apply's own record, or but what an error holds:
            // not "done", and not "nothing applied".
            else if unrecorded != nil || errors > 0, report.exitCode == 0 { 3 }
            else { report.exitCode }
        }
    }

    /// The `outcome` label of `flashplan_last_apply_outcome`.
    public var metricsOutcome: String {
        switch self {
        case .refused: "refused"
        case .cancelled: "cancelled"
        case .noChanges: "no-changes"
        case .ran(let report, _, let unrecorded, let errors):
            (unrecorded != nil || errors > 0) && report.outcome == "success" ? "partial" : report.outcome
        }
    }

    /// The report of the actions that ran, if any did.
    public var report: ApplyReport? {
        if case .ran(let report, _, _, _) = self { report } else { nil }
    }

    /// All outcome labels, each written on every run (0 or 1) so an alert can match any.
    public static let metricsOutcomes = ["success", "partial", "failed", "interrupted", "no-changes", "refused", "cancelled"]
}

/// Why an apply applied nothing.
public enum ApplyRefusal: String, Sendable, Equatable, CaseIterable {
    /// An output (`--metrics-file`) cannot be written; found before anything ran.
    case output
    /// The configuration could not be read or has errors.
    case configuration
    /// Another apply holds the state lock.
    case lock
    /// The state cannot be used (missing parent, corrupted, newer, read-only, full disk).
    case state
    /// A saved plan could not be read, has errors, is too old, or is not what the
    /// configuration and state call for now.
    case savedPlan
    /// The plan made now has errors that stop everything.
    case plan
    /// The state changed since the plan was made.
    case stale
    /// Approval was needed and could not be asked (standard input is not a terminal).
    case approval
}

/// `flashplan apply`: lock, plan (or read a saved plan), ask, run the DAG, record, report.
public enum ApplyRunner {
    /// What the metrics of a run are computed from, whatever it reached.
    struct Context {
        var loaded: LoadResult?
        var session: StateSession?
        /// With --scope: the actions of the plan left to other runners.
        var leftToOtherRunners: Int?
    }

    /// Runs the apply and writes its metrics (every run, refused ones included).
    ///
    /// - Parameter openReadOnly: opens the state without writing to it or creating it, for
    ///   the metrics of a run refused before it could open the state itself (the lock was
    ///   held): the series still say what the storage holds, instead of every label
    ///   looking missed.
    public static func run(
        _ request: ApplyRequest, console: ApplyConsole, stop: StopSignal, open: @Sendable (String) throws -> StateSession,
        openReadOnly: (@Sendable (String) throws -> StateSession)? = nil
    ) async -> ApplyOutcome {
        var context = Context()
        let outcome = await perform(request, console: console, stop: stop, open: open, context: &context)
        switch outcome {
        case .refused(_, let message):
            console.write(message.hasSuffix("\n") ? message : message + "\n")
            console.logger.error("apply refused", metadata: ["reason": "\(message.split(separator: "\n").first ?? "")"])
        default:
            break
        }
        if context.session == nil, context.loaded != nil, request.metricsFile != nil, let openReadOnly {
            context.session = try? openReadOnly(request.statePath)
        }
        writeMetricsReporting(request, outcome: outcome, context: context, console: console)
        return outcome
    }

    static func perform(
        _ request: ApplyRequest, console: ApplyConsole, stop: StopSignal, open: @Sendable (String) throws -> StateSession,
        context: inout Context
    ) async -> ApplyOutcome {
        let log = console.logger
        // An output that cannot be written is found before anything runs, not after.
        if let metricsFile = request.metricsFile {
            do {
                try AtomicFile.check(metricsFile, option: "--metrics-file")
            } catch {
                return .refused(.output, message: "Error: \(error)\nNothing was applied.")
            }
        }
        let stages = ActingStages(operation: "apply", console: console, progressBar: request.progressBar)
        do throws(ActingStages.Stop) {
            // A saved plan is checked against the configuration too: it must load cleanly.
            let loaded = try stages.loadConfiguration(request.configDirectory)
            context.loaded = loaded
            if let site = request.site { try SiteScoping.check(site, loaded.configuration) }
            let (lock, session, observed) = try stages.lockAndObserve(
                statePath: request.statePath, now: request.now, timeout: request.lockTimeout, scopes: request.scopes, open: open)
            defer {
                // A lease is given up at once (the next runner need not wait for it to
                // expire); a file lock goes with its descriptor.
                if let lease = lock as? any StateLeaseHandle { lease.release() }
                withExtendedLifetime(lock) {}
            }
            context.session = session
            var plan: Plan
            if let planFile = request.planFile {
                do {
                    plan = try PlanFile.read(planFile)
                } catch {
                    return .refused(.savedPlan, message: "Error: \(error)")
                }
                if plan.diagnostics.hasStoppingErrors {
                    return .refused(.savedPlan, message: "Error: the plan in \(planFile) has errors and cannot be applied.")
                }
                // A saved plan is an approval, not a script (DESIGN §5): it is applied only if
                // the configuration and the state call for exactly it now.
                if let refusal = SavedPlanCheck.refusal(
                    plan, file: planFile, configuration: loaded.configuration, session: session, now: request.now,
                    maxAge: request.planMaxAge, allowClockJump: request.allowClockJump)
                {
                    return .refused(.savedPlan, message: "Error: \(refusal)\nNothing was applied.")
                }
            } else {
                var made = Planner(
                    configuration: loaded.configuration, observed: observed, now: request.now,
                    options: PlanOptions(allowClockJump: request.allowClockJump)
                ).plan()
                if let site = request.site, let lease = lock as? any StateLeaseHandle, let leasing = session.leasing {
                    let left: Int
                    (made, left) = try SiteScoping(stages: stages, request: request, site: site).restrict(
                        made, configuration: loaded.configuration, observed: observed, session: session, leasing: leasing, lease: lease)
                    context.leftToOtherRunners = left
                }
                made.diagnostics = (loaded.diagnostics + made.diagnostics).sortedByLocation()
                plan = made
                // At the prompt, what loses data comes first, before the routine work of the
                // plan (and again right before the question).
                if !request.autoApprove, !plan.diagnostics.hasStoppingErrors, !plan.consentNeeded.isEmpty {
                    console.write("Destructive actions in this plan, listed first (they lose data on their target; the whole plan follows):\n"
                        + plan.consentNeeded.map { "  ! \($0.id): \($0.reason)\n" }.joined() + "\n")
                }
                console.write(PlanTextRenderer(style: TerminalStyle(enabled: request.color), renderer: loaded.renderer).render(plan))
                if plan.diagnostics.hasStoppingErrors {
                    return .refused(.plan, message: "\nThe plan has errors; nothing was applied.")
                }
                if !plan.hasChanges {
                    // An error about one object that holds no action still needs someone: not "done".
                    if plan.hasErrors { return .refused(.plan, message: "\nNothing to apply, but the plan has errors (above); fix them.") }
                    ExitTeardown.shared.keep(loaded, observed, plan)
                    return .noChanges
                }
                let blocked = plan.actions.filter { $0.blockedBy != nil && !$0.blockedBy!.hasPrefix("held:") }.count
                if plan.hasErrors, blocked > 0 {
                    console.write("\n\(blocked) action\(blocked == 1 ? " is" : "s are") blocked by the errors above; the rest of the plan is applied.\n")
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
                        return .refused(.approval, message: "\nError: refusing to apply without approval: standard input is not a terminal. Use --auto-approve (e.g. from a timer), or save the plan with `flashplan plan --out FILE` and apply that file.")
                    }
                    try stages.ask()
                }
            }
            guard plan.hasChanges else {
                console.write("No changes. Nothing to apply.\n")
                return .noChanges
            }
            // An apply at a clock in doubt is recorded apart, so the doubt outlives it.
            let journalAs = plan.diagnostics.contains { $0.rule == .clockJump } ? ObservedState.clockUnconfirmedOperation : "apply"
            // A plan this run made under its lease is current for what it touches; with
            // --scope, other sites' runners advance the serial meanwhile, so only a saved
            // plan (or a whole-state run) is held to the serial it was made at.
            let (report, unrecorded) = try await stages.execute(
                plan, session: session, journalAs: journalAs, now: request.now, parallelism: request.parallelism, stop: stop,
                checkSerial: request.site == nil || request.planFile != nil)
            let errors = plan.diagnostics.filter { $0.severity == .error }.count
            if errors > 0 {
                console.write("Partly applied: the plan has \(errors) error\(errors == 1 ? "" : "s") (above) about single objects; what they concern was held, everything else was applied.\n")
            }
            stages.reportUnrecorded(unrecorded)
            ExitTeardown.shared.keep(loaded, observed, plan, report)
            return .ran(report, signal: stop.exitCode.map { $0 - 128 }, unrecorded: unrecorded, errors: errors)
        } catch {
            return error.outcome
        }
    }

    /// Metrics come after the apply is done and recorded: a file that cannot be written
    /// is reported, and does not turn an apply that applied everything into exit 1
    /// ("nothing applied").
    static func writeMetricsReporting(_ request: ApplyRequest, outcome: ApplyOutcome, context: Context, console: ApplyConsole) {
        guard let path = request.metricsFile else { return }
        do {
            // What could be read is reported: a refused run still says it was refused, and
            // the per-group series stay as long as the configuration and state can be read.
            let configuration = context.loaded?.configuration ?? Configuration()
            var observed: ObservedState?
            if let session = context.session { observed = try? session.backend.observe(at: request.now) }
            let text = ApplyMetrics.render(
                report: outcome.report, outcome: outcome.metricsOutcome, configuration: configuration,
                observed: observed ?? ObservedState(lineage: "", serial: 0), now: request.now,
                leftToOtherRunners: context.leftToOtherRunners)
            try ApplyMetrics.write(text, to: path)
        } catch {
            console.logger.error("could not write the metrics file \(path): \(error)")
        }
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
    /// `operation` names what ran (`Apply`, `Backup`, `Restore`) in the first line.
    public static func render(_ report: ApplyReport, operation: String = "Apply") -> String {
        var out = "\n"
        let applied = report.count(.applied), failed = report.count(.failed), skipped = report.count(.skipped)
        let notStarted = report.count(.notStarted)
        let head: String
        switch report.exitCode {
        case 0: head = "\(operation) complete!"
        case 1: head = "\(operation) failed: nothing was applied."
        default:
            head = report.interrupted
                ? "\(operation) interrupted: partly applied."
                : failed == 0 ? "\(operation) partly applied: actions were held or blocked (below)." : "\(operation) partly failed."
        }
        out += "\(head) \(applied) applied, \(failed) failed, \(skipped) skipped" + (notStarted > 0 ? ", \(notStarted) not started" : "")
            + String(format: " (%.2fs).\n", report.seconds)
        for result in report.results where result.status != .applied {
            out += "  \(result.status.rawValue): \(result.address) (\(result.kind.rawValue)): \(result.message ?? "")\n"
        }
        return out
    }
}

/// `--scope site=NAME` on a shared state: the plan restricted to what this site's runner
/// applies (`PlanScope`), after taking the leases of the other sites its transfers span —
/// in name order: a site after this runner's own is waited for (up to --lock-timeout), one
/// before it only tried, so two runners never wait for each other. With a lease gained,
/// the state is observed and planned again: the other site's runner may have changed it.
struct SiteScoping {
    let stages: ActingStages
    let request: ApplyRequest
    let site: String

    /// Refuses a site of no array, cluster or host of the configuration (a typo would make
    /// a runner that never applies anything), before the state is opened or leased.
    static func check(_ site: String, _ configuration: Configuration) throws(ActingStages.Stop) {
        let known = Set(configuration.arrays.values.compactMap(\.site) + configuration.clusters.values.compactMap(\.site)
            + configuration.hosts.values.compactMap(\.site))
        guard known.contains(site) else {
            throw ActingStages.Stop(outcome: .refused(.configuration, message: "Error: --scope site=\(String(reflecting: site)): no array, cluster or host is in that site (sites: \(known.sorted().joined(separator: ", "))). Nothing was applied."))
        }
    }

    func restrict(
        _ plan: Plan, configuration: Configuration, observed: ObservedState, session: StateSession,
        leasing: any StateLeasing, lease: any StateLeaseHandle
    ) throws(ActingStages.Stop) -> (plan: Plan, left: Int) {
        var scope = PlanScope(site: site, configuration: configuration, observed: observed)
        var current = plan
        let holder = StateLock.Holder.current(operation: "apply", since: request.now).description
        var gained = false
        for other in scope.spannedSites(plan) {
            let start = Date()
            var told = false
            while true {
                let inTheWay: String?
                do {
                    inTheWay = try leasing.tryLease(scope: "site=\(other)", holder: holder, into: lease)
                } catch {
                    throw stages.refusal(.lock, error)
                }
                guard let inTheWay else {
                    scope.sites.insert(other)
                    gained = true
                    break
                }
                // Only a site after this runner's own is waited for (the fixed order).
                if other < site || Date().timeIntervalSince(start) >= request.lockTimeout { break }
                if !told {
                    stages.console.logger.warning("\("Waiting for site \(other)'s lease (a transfer spans it), held by \(inTheWay)…")")
                    told = true
                }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        if gained {
            do {
                let again = try session.backend.observe(at: request.now)
                current = Planner(
                    configuration: configuration, observed: again, now: request.now,
                    options: PlanOptions(allowClockJump: request.allowClockJump)
                ).plan()
            } catch {
                throw stages.refusal(.state, error)
            }
        }
        var (restricted, left) = scope.restrict(current)
        restricted.summary = PlanSummary(restricted.actions)
        if !left.isEmpty {
            let others = scope.sites.subtracting([site]).sorted().map { "site \($0)'s" }
            let sites = site + (others.isEmpty ? "" : " (holding \(others.joined(separator: ", ")) lease too, for what spans both)")
            stages.console.write(
                "Scope: site \(sites). Left to other runners (\(left.count) action\(left.count == 1 ? "" : "s")):\n"
                    + left.map { "  - \($0.action): \($0.reason)\n" }.joined() + "\n")
            // Replication left undone is protection lost until another runner does it: a
            // warning in the log and a metric every run, so that a site runner that keeps
            // leaving it (the other site's runner down) is seen before the lag alert.
            let transfers = left.filter { [.transfer, .initializeRelationship, .createRelationship].contains($0.action.kind) }.count
            if transfers > 0 {
                stages.console.logger.warning(
                    "\(transfers) replication action\(transfers == 1 ? "" : "s") left to other runners; if no runner of the other site is running, run an apply without --scope")
            }
        }
        return (restricted, left.count)
    }
}
