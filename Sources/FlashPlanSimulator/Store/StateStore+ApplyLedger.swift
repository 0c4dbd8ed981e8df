import FlashPlanModel
import Foundation

/// The store keeps the serial and the journal the engine's executor needs.
extension StateStore: ApplyLedger {
    public func beginApply(id: String, expecting plan: StateReference?, operation: String, now: Date) throws -> Int {
        do {
            return try beginApply(id: id, expecting: plan.map { ($0.lineage, $0.serial) }, operation: operation, now: now)
        } catch let error as StaleStateError {
            throw StalePlanError(
                planned: StateReference(lineage: error.expectedLineage, serial: error.expectedSerial),
                current: StateReference(lineage: error.lineage, serial: error.serial))
        }
    }
}
