import FlashPlanModel
import Foundation

/// Something that happens to the storage outside flashplan (`flashplan sim …`).
///
/// Events go through the same simulator rules as the engine's operations (a snapshot
/// taken by hand still cannot be the 256th) and advance the serial, so plans made
/// before them are stale.
public enum SimulatorEvent: Sendable, Hashable, Codable {
    /// The array stops serving: pools with capacity on it go offline.
    case arrayOffline(array: String)
    /// The array serves again (and any failed module is replaced). Mirrored volumes on it
    /// resync for `SimulatorBackend.mirrorResyncDuration`.
    case arrayOnline(array: String)
    /// A flash module fails: a 720/820 runs on its hot spare (degraded; a second failure
    /// while degraded takes it offline); a 710/810 goes offline.
    case moduleFailure(array: String)
    /// Someone deletes a snapshot by hand.
    case deleteSnapshot(volume: String, name: String)
    /// Someone takes a snapshot by hand (valid for the hosts the volume is mapped to).
    case createSnapshot(volume: String, name: String, label: String)
    /// Someone resizes a volume.
    case resizeVolume(volume: String, size: ByteCount)
    /// The relationship with this destination breaks (link down, split by hand).
    case breakRelationship(destination: String)
    /// Data written outside the simulated volumes fills the pool to this percentage of
    /// its physical capacity.
    case fillPool(pool: String, percent: Percentage)
    /// The next `count` operations touching the array fail with an injected error.
    case failNext(count: Int, array: String)
    /// A host writes to the volume: it holds data no snapshot has captured yet.
    case writeVolume(volume: String)
}

extension SimulatorEvent: CustomStringConvertible {
    /// One line for the terminal and the journal; the names in it came from a user (a
    /// snapshot taken by hand may be called anything), so they are escaped.
    public var description: String {
        func e(_ name: String) -> String { Escaping.escape(name) }
        return switch self {
        case .arrayOffline(let array): "array '\(e(array))' went offline"
        case .arrayOnline(let array): "array '\(e(array))' came back online"
        case .moduleFailure(let array): "a flash module of array '\(e(array))' failed"
        case .deleteSnapshot(let volume, let name): "snapshot '\(e(volume))/\(e(name))' was deleted by hand"
        case .createSnapshot(let volume, let name, let label):
            "snapshot '\(e(volume))/\(e(name))' (label \(e(label))) was taken by hand"
        case .resizeVolume(let volume, let size): "volume '\(e(volume))' was resized to \(size)"
        case .breakRelationship(let destination): "relationship '\(e(destination))' broke"
        case .fillPool(let pool, let percent): "pool '\(e(pool))' was filled to \(percent)"
        case .failNext(let count, let array): "the next \(count) operations on array '\(e(array))' will fail"
        case .writeVolume(let volume): "a host wrote to volume '\(e(volume))'"
        }
    }

    var kind: String {
        switch self {
        case .arrayOffline: "array-offline"
        case .arrayOnline: "array-online"
        case .moduleFailure: "module-fail"
        case .deleteSnapshot: "delete-snapshot"
        case .createSnapshot: "snapshot"
        case .resizeVolume: "resize"
        case .breakRelationship: "break"
        case .fillPool: "fill-pool"
        case .failNext: "fail-next"
        case .writeVolume: "write"
        }
    }
}
