import FlashPlanConfig
import FlashPlanEngine
import FlashPlanModel
import Foundation

/// What `flashplan backup` and `flashplan restore` share with each other: where the
/// configuration and the state are, the clock, and how to ask.
public struct OperationRequest: Sendable {
    public var configDirectory: String
    public var statePath: String
    public var now: Date
    public var autoApprove: Bool
    public var lockTimeout: TimeInterval
    /// The leases to take on a shared state (`site=NAME`); empty: the whole state.
    public var scopes: [String] = []
    public var parallelism: Int
    /// Standard input is a terminal: the approval prompt may be asked.
    public var interactive: Bool
    public var color: Bool
    /// Standard error is a terminal: show a progress bar instead of log lines.
    public var progressBar: Bool

    public init(
        configDirectory: String, statePath: String, now: Date, autoApprove: Bool = false, lockTimeout: TimeInterval = 30,
        parallelism: Int = 4, interactive: Bool = false, color: Bool = false, progressBar: Bool = false
    ) {
        self.configDirectory = configDirectory
        self.statePath = statePath
        self.now = now
        self.autoApprove = autoApprove
        self.lockTimeout = lockTimeout
        self.parallelism = parallelism
        self.interactive = interactive
        self.color = color
        self.progressBar = progressBar
    }
}

/// A plan the user asked for by name (`backup`, `restore`), carried out the way `apply`
/// carries out its own: under the state lock, shown first, approved, journaled under its
/// operation's name, ending in an `ApplyOutcome` and so with apply's exit codes (0 done,
/// 1 nothing applied, 3 partly applied, 130/143 interrupted).
enum OperationRunner {
    /// A plan that cannot be made: the message is shown and nothing is changed.
    struct Refusal: Error {
        var message: String
    }

    static func run(
        operation: String, request: OperationRequest, console: ApplyConsole, stop: StopSignal,
        open: @Sendable (String) throws -> StateSession,
        consentNote: String,
        makePlan: (LoadResult, ObservedState) throws(Refusal) -> Plan
    ) async -> ApplyOutcome {
        let outcome = await perform(
            operation: operation, request: request, console: console, stop: stop, open: open, consentNote: consentNote,
            makePlan: makePlan)
        if case .refused(_, let message) = outcome { console.write(message.hasSuffix("\n") ? message : message + "\n") }
        return outcome
    }

    /// The operation itself; a refusal's message is written by `run`, once.
    private static func perform(
        operation: String, request: OperationRequest, console: ApplyConsole, stop: StopSignal,
        open: @Sendable (String) throws -> StateSession,
        consentNote: String,
        makePlan: (LoadResult, ObservedState) throws(Refusal) -> Plan
    ) async -> ApplyOutcome {
        let log = console.logger
        let stages = ActingStages(operation: operation, console: console, progressBar: request.progressBar)
        do throws(ActingStages.Stop) {
            let loaded = try stages.loadConfiguration(request.configDirectory)
            let (lock, session, observed) = try stages.lockAndObserve(
                statePath: request.statePath, now: request.now, timeout: request.lockTimeout, scopes: request.scopes, open: open)
            defer {
                // A lease is given up at once (the next runner need not wait for it to
                // expire); a file lock goes with its descriptor.
                if let lease = lock as? any StateLeaseHandle { lease.release() }
                withExtendedLifetime(lock) {}
            }
            var plan: Plan
            do {
                plan = try makePlan(loaded, observed)
            } catch {
                return .refused(.plan, message: "Error: \(error.message)\n\(stages.nothingDone)")
            }
            plan.diagnostics = (loaded.diagnostics + plan.diagnostics).sortedByLocation()
            console.write(PlanTextRenderer(style: TerminalStyle(enabled: request.color), renderer: loaded.renderer).render(plan))
            if plan.hasErrors {
                return .refused(.plan, message: "\nThe plan has errors; nothing was changed.")
            }
            guard plan.hasChanges else {
                console.write("No changes. Nothing to do.\n")
                return .noChanges
            }
            let destructive = plan.consentNeeded
            let named = destructive.filter { $0.kind == .restore }
            let others = destructive.filter { $0.kind != .restore }
            if request.autoApprove {
                // What the user named on the command line is what they consented to; any
                // other destructive work the plan holds waits for its own consent, as in apply.
                if !named.isEmpty {
                    console.write("\n\(consentNote) Carried out under --auto-approve, because you named it:\n"
                        + named.map { "  ! \($0.id): \($0.reason)\n" }.joined())
                    for action in named { log.warning("destructive action carried out on request", metadata: ["action": "\(action.id)"]) }
                }
                if !others.isEmpty {
                    let held = holding(others, in: &plan)
                    console.write("\nHeld (destructive, no consent under --auto-approve; `flashplan apply` without --auto-approve asks for it):\n"
                        + held.map { "  ! \($0.id): \($0.reason)\n" }.joined())
                    for action in held { log.warning("held destructive action", metadata: ["action": "\(action.id)", "reason": "\(action.reason)"]) }
                }
            } else {
                if !destructive.isEmpty {
                    console.write("\nDestructive actions in this plan (they lose data on their target):\n"
                        + destructive.map { "  ! \($0.id): \($0.reason)\n" }.joined())
                }
                guard request.interactive else {
                    return .refused(.approval, message: "\nError: refusing to carry out the \(operation) without approval: standard input is not a terminal. Use --auto-approve to carry it out without asking.\n\(stages.nothingDone)")
                }
                try stages.ask()
            }
            let (report, unrecorded) = try await stages.execute(
                plan, session: session, journalAs: operation, now: request.now, parallelism: request.parallelism, stop: stop)
            stages.reportUnrecorded(unrecorded)
            return .ran(report, signal: stop.exitCode.map { $0 - 128 }, unrecorded: unrecorded)
        } catch {
            return error.outcome
        }
    }

    /// Marks `actions` as held, as `Plan.holdingConsentNeeded` does for apply.
    static func holding(_ actions: [PlanAction], in plan: inout Plan) -> [PlanAction] {
        let held = Set(actions.map(\.id))
        for index in plan.actions.indices where held.contains(plan.actions[index].id) && plan.actions[index].blockedBy == nil {
            plan.actions[index].blockedBy = "held: destructive; it needs consent (flashplan apply without --auto-approve)"
        }
        return actions
    }

    /// `; did you mean 'x'?` or nothing.
    static func hint(_ word: String?, _ candidates: [String]) -> String {
        guard let word, let closest = Suggestion.closest(to: word, in: candidates) else { return "" }
        return "; did you mean '\(Escaping.escape(closest))'?"
    }
}

/// `flashplan backup GROUP --policy P`: an on-demand backup (DESIGN §7), planned by the
/// planner's own path for a due backup, so it is named, labelled, replicated and
/// retained exactly like a scheduled one.
public enum BackupRunner {
    public static func run(
        group: String, policy: String, request: OperationRequest, console: ApplyConsole, stop: StopSignal,
        open: @Sendable (String) throws -> StateSession
    ) async -> ApplyOutcome {
        await OperationRunner.run(
            operation: "backup", request: request, console: console, stop: stop, open: open,
            consentNote: "Destructive work the backup needs."
        ) { (loaded, observed) throws(OperationRunner.Refusal) -> Plan in
            let configuration = loaded.configuration
            let name: String
            if case .group(let named)? = Address(group) { name = named } else { name = group }
            guard let declared = configuration.resourceGroups[name] else {
                let known = configuration.resourceGroups.keys.sorted()
                throw OperationRunner.Refusal(
                    message: "no resource group '\(Escaping.escape(name))' in \(Escaping.escape(request.configDirectory))\(OperationRunner.hint(name, known)). Groups: \(known.map(Escaping.escape).joined(separator: ", ")).")
            }
            let used = declared.policies.map(\.policy)
            guard used.contains(policy) else {
                let known = configuration.policies[policy] != nil
                throw OperationRunner.Refusal(
                    message: (known
                        ? "resource group '\(Escaping.escape(name))' does not use policy '\(Escaping.escape(policy))'"
                        : "no policy '\(Escaping.escape(policy))'")
                        + "\(OperationRunner.hint(policy, used)). Group '\(Escaping.escape(name))' uses \(used.map { "'\(Escaping.escape($0))'" }.joined(separator: ", ")); an on-demand backup is taken with one of the group's policies, so that retention keeps it like the others.")
            }
            let plan = Planner(
                configuration: configuration, observed: observed, now: request.now,
                options: PlanOptions(onDemand: PlanOptions.OnDemand(group: name, policy: policy))
            ).plan()
            // Asked for a backup, the user must get one or be told why not (a plan with
            // errors says why itself).
            guard plan.hasErrors || plan.actions.contains(where: { $0.kind == .snapshot && $0.group == name }) else {
                throw OperationRunner.Refusal(
                    message: "resource group '\(Escaping.escape(name))' has no volume that can be backed up (SMB shares cannot be), so no backup was planned. Check its volumes in \(Escaping.escape(request.configDirectory)).")
            }
            return plan
        }
    }
}

/// `flashplan restore GROUP BACKUP [--host H] [--volume V] [--from POOL]`: a reverse
/// FlashCopy of the backup's volumes (DESIGN §7; docs/restore.md).
public enum RestoreRunner {
    public static func run(
        _ selection: RestoreSelection, request: OperationRequest, console: ApplyConsole, stop: StopSignal,
        open: @Sendable (String) throws -> StateSession
    ) async -> ApplyOutcome {
        await OperationRunner.run(
            operation: "restore", request: request, console: console, stop: stop, open: open,
            consentNote: "Restoring overwrites the live data of these volumes with the backup's."
        ) { (loaded, observed) throws(OperationRunner.Refusal) -> Plan in
            do throws(RestoreRefusal) {
                return try RestorePlanner.plan(
                    configuration: loaded.configuration, observed: observed, now: request.now, selection: selection)
            } catch {
                throw OperationRunner.Refusal(
                    message: "\(error.message)\(OperationRunner.hint(error.unknown, error.candidates)). \(error.remedy)")
            }
        }
    }
}
