import FlashPlanEngine
import FlashPlanSimulator

/// Opens the storage behind a state path. Today that is always the embedded
/// simulator; a real Spectrum Virtualize or ONTAP driver would be chosen here.
enum Backend {
    static func open(_ path: String) throws -> StateSession {
        let store = try StateStore(path: path)
        return StateSession(backend: store.backend, ledger: store)
    }
}
