import FlashPlanModel
import Foundation
import GRDB

extension SimulatorBackend {
    /// Performs several operations and the journal row in ONE transaction: all commit
    /// or none does. The engine takes a backup of a group's volumes this way, as an SVC
    /// FlashCopy consistency group snaps its volumes at one instant, so that a crash or
    /// a refusal never leaves half a backup behind.
    ///
    /// A fault injected with `sim fail-next` on any of the operations' arrays fails the
    /// whole batch; its countdown is committed, the operations are not.
    public func perform(_ operations: [StorageOperation], at now: Date, journal: JournalEntry?) throws {
        let injected: BackendError? = try transaction(at: now) { context in
            for operation in operations {
                if let failure = try context.consumeInjectedFailure(for: operation) { return failure }
            }
            for operation in operations { try context.perform(operation) }
            if let journal { try JournalTable.insert(journal, context.db) }
            return nil
        }
        if let injected { throw injected }
    }
}
