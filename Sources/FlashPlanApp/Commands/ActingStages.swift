import FlashPlanConfig
import FlashPlanEngine
import FlashPlanModel
import Foundation

/// The stages every command that acts on the storage goes through — `apply`, `backup`
/// and `restore`: load the configuration, take the state lock, observe, ask, then
/// journal and execute the plan. One copy of each, so that the three commands cannot
/// drift apart in how they lock, refuse, ask or record; each command keeps only what is
/// its own (how the plan is made, what consent it needs).
///
/// A stage that cannot go on throws `Stop`, whose outcome the command returns as it is.
struct ActingStages {
    /// Ends the command with `outcome` (a refusal or a cancellation).
    struct Stop: Error {
        var outcome: ApplyOutcome
    }

    /// The operation as journaled and printed: `apply`, `backup`, `restore`.
    let operation: String
    let console: ApplyConsole
    /// Show the lock wait on the progress line (a terminal) rather than as a log line.
    let progressBar: Bool

    /// What nothing having happened is called for this command: apply's documented
    /// wording is "Nothing was applied."; backup and restore say "Nothing was changed.".
    var nothingDone: String { operation == "apply" ? "Nothing was applied." : "Nothing was changed." }

    /// `Apply`, `Backup`, `Restore`.
    var title: String { operation.prefix(1).uppercased() + operation.dropFirst() }

    func refusal(_ reason: ApplyRefusal, _ error: Any) -> Stop {
        Stop(outcome: .refused(reason, message: "Error: \(error)\n\(nothingDone)"))
    }

    /// The configuration, which must load without errors (a saved plan too is checked
    /// against it).
    func loadConfiguration(_ directory: String) throws(Stop) -> LoadResult {
        let loaded: LoadResult
        do {
            loaded = try Validation.loadConfiguration(directory: directory, strict: false)
        } catch {
            throw refusal(.configuration, error)
        }
        if loaded.hasErrors {
            throw Stop(
                outcome: .refused(
                    .configuration,
                    message: loaded.renderer.render(loaded.diagnostics)
                        + "\nThe configuration has errors; \(nothingDone.prefix(1).lowercased() + nothingDone.dropFirst())"))
        }
        return loaded
    }

    /// The state lock, taken before the plan is made: what is planned is what is applied.
    /// While another process holds it, says who, once.
    func lock(statePath: String, now: Date, timeout: TimeInterval) throws(Stop) -> StateLock {
        do {
            return try StateLock.acquire(statePath: statePath, operation: operation, now: now, timeout: timeout) { holder in
                let waiting = "Waiting for the state lock, held by \(holder?.description ?? "another process")…"
                // On a terminal as is; otherwise a log line, so that --log-format json stays JSON.
                if progressBar { console.progress(waiting + "\n") } else { console.logger.warning("\(waiting)") }
            }
        } catch let error as StateLock.HeldError {
            throw Stop(outcome: .refused(.lock, message: "Error: \(error.description)"))
        } catch {
            throw refusal(.lock, error)
        }
    }

    /// Whether `statePath` names a state in a database shared by several runners.
    static func isSharedState(_ statePath: String) -> Bool {
        statePath.hasPrefix("postgresql://") || statePath.hasPrefix("postgres://")
    }

    /// The right to act, then the state and what it holds now. A state file is locked
    /// (`lock`) before it is opened; a state in PostgreSQL is opened first and leased on
    /// its own connection (`StateLeasing`: `scopes`, or the whole state), then observed
    /// with what other runners committed until the lease was taken.
    func lockAndObserve(
        statePath: String, now: Date, timeout: TimeInterval, scopes: [String], open: (String) throws -> StateSession
    ) throws(Stop) -> (lock: AnyObject, session: StateSession, observed: ObservedState) {
        guard Self.isSharedState(statePath) else {
            let lock = try self.lock(statePath: statePath, now: now, timeout: timeout)
            let (session, observed) = try observe(statePath: statePath, now: now, open: open)
            return (lock, session, observed)
        }
        let session: StateSession
        do {
            session = try open(statePath)
        } catch {
            throw refusal(.state, error)
        }
        guard let leasing = session.leasing else { throw refusal(.state, "this state cannot be leased") }
        let lease: any StateLeaseHandle
        do {
            lease = try leasing.lease(
                scopes: scopes.isEmpty ? ["*"] : scopes, holder: StateLock.Holder.current(operation: operation, since: now).description,
                timeout: timeout
            ) { holder in
                let waiting = "Waiting for the state's lease, held by \(holder)…"
                if progressBar { console.progress(waiting + "\n") } else { console.logger.warning("\(waiting)") }
            }
        } catch let error as StateLeaseHeld {
            throw Stop(outcome: .refused(.lock, message: "Error: \(error.description)"))
        } catch {
            throw refusal(.lock, error)
        }
        do {
            return (lease, session, try session.backend.observe(at: now))
        } catch {
            throw refusal(.state, error)
        }
    }

    /// The state and what it holds now. A state that cannot be used (not a database,
    /// corrupted, newer, not writable, a full disk) is reported with its path and remedy.
    func observe(
        statePath: String, now: Date, open: (String) throws -> StateSession
    ) throws(Stop) -> (session: StateSession, observed: ObservedState) {
        do {
            let session = try open(statePath)
            return (session, try session.backend.observe(at: now))
        } catch {
            throw refusal(.state, error)
        }
    }

    /// Asks at the prompt; anything but `yes` cancels.
    func ask() throws(Stop) {
        let answer = console.ask("\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ")
        guard answer?.trimmingCharacters(in: .whitespaces) == "yes" else {
            console.write(operation == "apply" ? "\nApply cancelled.\n" : "\n\(title) cancelled. \(nothingDone)\n")
            throw Stop(outcome: .cancelled(signal: nil))
        }
    }

    /// Journals the plan as `journalAs` (an apply at a clock in doubt is recorded apart),
    /// executes it and records its end, then prints the summary. Interrupted before any
    /// action started (while planning, or at the prompt), nothing is recorded.
    func execute(
        _ plan: Plan, session: StateSession, journalAs: String, now: Date, parallelism: Int, stop: StopSignal,
        checkSerial: Bool = true
    ) async throws(Stop) -> (report: ApplyReport, unrecorded: String?) {
        if stop.requested {
            console.write("\n\(title) cancelled: interrupted before any action started.\n")
            throw Stop(outcome: .cancelled(signal: stop.exitCode.map { $0 - 128 }))
        }
        let log = console.logger
        let applyID = UUID().uuidString.lowercased()
        do {
            let serial = try session.ledger.beginApply(id: applyID, expecting: checkSerial ? plan.state : nil, operation: journalAs, now: now)
            log.info("\(operation) started", metadata: ["apply_id": "\(applyID)", "serial": "\(serial)", "actions": "\(plan.actions.count)"])
        } catch let error as StalePlanError {
            throw Stop(outcome: .refused(.stale, message: "Error: \(error.description)"))
        } catch {
            // E.g. a full disk: the run could not even be recorded as started.
            throw refusal(.state, error)
        }
        let progress = ProgressReporter(console: console, bar: progressBar)
        let executor = Executor(backend: session.backend, ledger: session.ledger, parallelism: parallelism)
        let report = await executor.run(plan, applyID: applyID, now: now, stop: stop) { event in
            progress.handle(event)
        }
        // What committed is in the state with its journal rows whatever happens here; a
        // state that cannot record the end (a full disk) does not hide what was done.
        var unrecorded: String?
        do {
            try session.ledger.finishApply(id: applyID, outcome: report.outcome, now: now)
        } catch {
            unrecorded = "\(error)"
            log.error("could not record the end of the \(operation)", metadata: ["apply_id": "\(applyID)", "error": "\(error)"])
        }
        console.write(ApplySummary.render(report, operation: title))
        return (report, unrecorded)
    }

    /// Says that the end of the run is missing from the state, when it is.
    func reportUnrecorded(_ unrecorded: String?) {
        if let unrecorded {
            console.write("The end of this \(operation) could not be recorded in the state: \(unrecorded)\n")
        }
    }
}
