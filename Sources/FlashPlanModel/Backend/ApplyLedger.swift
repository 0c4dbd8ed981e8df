import Foundation

/// What the executor needs from the state store besides storage operations:
/// the serial that makes plans stale, and the journal.
public protocol ApplyLedger: Sendable {
    /// Checks that the state is still the one `plan` was made against (when given),
    /// advances the serial and records the start of an apply, in one transaction.
    /// Returns the new serial. Throws `StalePlanError` when the plan is stale.
    func beginApply(id: String, expecting plan: StateReference?, operation: String, now: Date) throws -> Int

    /// Records a journal row that has no storage effect (a failed or skipped action).
    func record(_ entry: JournalEntry) throws

    /// Records how the apply ended.
    func finishApply(id: String, outcome: String, now: Date) throws
}

/// A plan file made against another lineage or serial.
public struct StalePlanError: Error, Sendable, CustomStringConvertible {
    public var planned: StateReference
    public var current: StateReference

    public init(planned: StateReference, current: StateReference) {
        self.planned = planned
        self.current = current
    }

    public var description: String {
        // An empty lineage: the plan was made when there was no state (plan creates none).
        if planned.lineage.isEmpty, !current.lineage.isEmpty {
            return "the plan is stale: it was made when there was no state, and the state is now at serial \(current.serial) (applied or changed since); make a new plan"
        }
        if planned.lineage != current.lineage {
            return "the plan was made for state \(planned.lineage), but this state is \(current.lineage); make a new plan"
        }
        return "the plan is stale: it was made at serial \(planned.serial) and the state is now at serial \(current.serial) (applied or changed since); make a new plan"
    }
}
