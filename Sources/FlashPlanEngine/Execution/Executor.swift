import FlashPlanModel
import Foundation

/// Runs a plan's action DAG against a backend: up to `parallelism` actions at once,
/// each after everything it depends on has succeeded. A failed action skips its
/// dependents; independent actions go on. Each action's operations commit together
/// with its journal row.
public struct Executor: Sendable {
    public var backend: any StorageBackend
    public var ledger: any ApplyLedger
    public var parallelism: Int

    public init(backend: any StorageBackend, ledger: any ApplyLedger, parallelism: Int = 4) {
        self.backend = backend
        self.ledger = ledger
        self.parallelism = max(1, parallelism)
    }

    public func run(
        _ plan: Plan, applyID: String, now: Date, stop: StopSignal = StopSignal(),
        progress: @escaping @Sendable (ExecutionEvent) -> Void = { _ in }
    ) async -> ApplyReport {
        let started = Date()
        let actions = plan.actions
        let index = Dictionary(uniqueKeysWithValues: actions.enumerated().map { ($1.id, $0) })
        var waitingOn = actions.map { Set($0.dependsOn.filter { index[$0] != nil }) }
        var dependents = [[Int]](repeating: [], count: actions.count)
        for (i, action) in actions.enumerated() {
            for dependency in action.dependsOn { if let d = index[dependency] { dependents[d].append(i) } }
        }
        var results = [ActionResult?](repeating: nil, count: actions.count)
        var ready = actions.indices.filter { waitingOn[$0].isEmpty }
        ready.reverse()  // popLast takes them in plan order
        var done = 0
        progress(.started(total: actions.count))

        func finish(_ i: Int, _ status: ActionResult.Status, _ message: String?) {
            let action = actions[i]
            let result = ActionResult(id: action.id, kind: action.kind, address: action.address, status: status, message: message)
            results[i] = result
            done += 1
            if status != .applied {
                try? ledger.record(JournalEntry(
                    applyID: applyID, actionID: action.id.description, address: action.address.description,
                    outcome: status == .failed ? .failed : .skipped, message: message, at: now))
            }
            progress(.finished(result, done: done, total: actions.count))
            var newlyReady: [Int] = []
            for d in dependents[i] where results[d] == nil {
                if status == .applied {
                    waitingOn[d].remove(action.id)
                    if waitingOn[d].isEmpty { newlyReady.append(d) }
                } else {
                    finish(d, .skipped, "depends on \(action.id), which \(status == .failed ? "failed" : "was skipped")")
                }
            }
            ready.append(contentsOf: newlyReady.reversed())
        }

        let backend = self.backend
        /// Carries out one action: its operations and its journal row in one transaction;
        /// the failure's text, or nil.
        @Sendable func attempt(_ action: PlanAction) -> (failure: String?, halts: Bool) {
            let entry = JournalEntry(
                applyID: applyID, actionID: action.id.description, address: action.address.description, outcome: .applied, at: now)
            do {
                try backend.perform(action.operations, at: now, journal: entry)
                return (nil, false)
            } catch {
                return ("\(error)", (error as? any HaltsExecution)?.haltsExecution == true)
            }
        }
        // Set by a failure after which nothing more can commit (the state's database cut
        // off, the lease lost): no further action is started.
        var halted: String?
        // One at a time (`simulate`, which runs hundreds of applies on one in-memory
        // connection): in this task, in plan order, without a child task per action.
        if parallelism == 1 {
            while let i = ready.popLast() {
                if stop.requested {
                    if let code = stop.exitCode { progress(.stopping(signal: code - 128)) }
                    break
                }
                guard results[i] == nil else { continue }
                if let blocked = actions[i].blockedBy {
                    finish(i, .skipped, ActionResult.blockedPrefix + blocked)
                    continue
                }
                let (failure, halts) = attempt(actions[i])
                if halts { halted = failure }
                finish(i, failure == nil ? .applied : .failed, failure)
                if halted != nil { break }
            }
        }
        if parallelism > 1 { await withTaskGroup(of: (Int, (String?, Bool)).self) { group in
            var running = 0
            var toldStopping = false
            while true {
                if stop.requested, !toldStopping, let code = stop.exitCode {
                    toldStopping = true
                    progress(.stopping(signal: code - 128))
                }
                while running < parallelism, !stop.requested, halted == nil, let i = ready.popLast() {
                    guard results[i] == nil else { continue }
                    if let blocked = actions[i].blockedBy {
                        finish(i, .skipped, ActionResult.blockedPrefix + blocked)
                        continue
                    }
                    let action = actions[i]
                    running += 1
                    group.addTask { (i, attempt(action)) }
                }
                guard running > 0, let (i, (failure, halts)) = await group.next() else { break }
                running -= 1
                if halts, halted == nil { halted = failure }
                finish(i, failure == nil ? .applied : .failed, failure)
            }
        } }
        for i in actions.indices where results[i] == nil {
            results[i] = ActionResult(
                id: actions[i].id, kind: actions[i].kind, address: actions[i].address, status: .notStarted,
                message: stop.requested ? "not started: the apply was interrupted"
                    : halted != nil ? "not started: the run stopped at the failure above, after which nothing more could be committed"
                    : "not started: its dependencies never completed")
        }
        return ApplyReport(
            applyID: applyID, results: results.compactMap { $0 }, interrupted: stop.requested, started: started,
            seconds: Date().timeIntervalSince(started))
    }
}
