import FlashPlanEngine
import FlashPlanModel
import FlashPlanSimulator
import Foundation

/// Opens the storage behind a state path. Today that is always the embedded
/// simulator; a real Spectrum Virtualize or ONTAP driver would be chosen here.
enum Backend {
    static func open(_ path: String) throws -> StateSession {
        let store = try StateStore(path: path)
        return StateSession(backend: store.backend, ledger: store)
    }
}

/// The simulator's store keeps the serial and the journal the executor needs.
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
