import FlashPlanEngine
import FlashPlanApp
import FlashPlanSimulator

/// Opens the storage behind a state path. Today that is always the embedded
/// simulator; a real Spectrum Virtualize or ONTAP driver would be chosen here.
enum Backend {
    /// For commands that write (apply, sim): created when missing, migrated, 0600.
    static func open(_ path: String) throws -> StateSession {
        let store = try StateStore(path: path)
        return StateSession(backend: store.backend, ledger: store, leasing: store.isPostgres ? store : nil)
    }

    /// For commands that only read (state list/show): the state must exist, and is
    /// opened read-only; it stays byte-for-byte as it was.
    static func openReadOnly(_ path: String) throws -> StateStore {
        try StateStore(path: path, access: .readOnly)
    }

    /// For plan: read-only, and with no state at `path` empty storage with no lineage
    /// (nothing is created; the plan says so).
    static func openForPlanning(_ path: String) throws -> StateSession {
        let store: StateStore
        do {
            store = try StateStore(path: path, access: .readOnly)
        } catch let error as StateFileError where error.problem == .missing {
            store = try StateStore.absent()
        }
        return StateSession(backend: store.backend, ledger: store)
    }

    /// For simulate and diff: a private in-memory copy of the state at `path`, which is
    /// opened read-only and left byte-for-byte as it was; with no state there, empty
    /// storage (nothing is created).
    static func scratchCopy(_ path: String) throws -> StateSession {
        let store: StateStore
        do {
            store = try StateStore(path: path, access: .readOnly)
        } catch let error as StateFileError where error.problem == .missing {
            store = try StateStore.absent()
        }
        let scratch = try store.scratchCopy()
        return StateSession(backend: scratch.backend, ledger: scratch)
    }
}
