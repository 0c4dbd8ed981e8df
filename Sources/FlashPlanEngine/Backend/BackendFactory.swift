import FlashPlanModel
import Foundation

/// The backend behind a state path, with the ledger the executor writes to.
public struct StateSession: Sendable {
    public var backend: any StorageBackend
    public var ledger: any ApplyLedger

    public init(backend: any StorageBackend, ledger: any ApplyLedger) {
        self.backend = backend
        self.ledger = ledger
    }
}

/// Opens the storage behind a state path. Today that is always the embedded
/// simulator; a real Spectrum Virtualize or ONTAP driver would be chosen here.
public enum BackendFactory {
    public static func open(path: String) throws -> StateSession {
        throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "the simulator is not wired yet"])
    }
}
