import Foundation

/// How the simulator turns sizes, change rates and elapsed simulated time into physical
/// pool use. Everything is computed from timestamps at the time asked for; nothing ticks
/// in the background.
///
/// - **Thick** volumes take their full size from the moment they are created.
/// - **Thin** volumes take what has been written: `initialFill` of the size at creation
///   (20% for user and destination volumes, 0% for clones, which share their parent
///   snapshot's blocks), plus `change_rate` of the size per day since, up to the size.
/// - **Compressed** volumes take half of that (a 2:1 ratio, real-time compression).
/// - **Snapshots** of a volume together hold the data overwritten since the oldest of
///   them was taken: `change_rate × size × days since the oldest snapshot`, but at most
///   one full size per snapshot (each snapshot interval can hold at most a whole
///   rewrite). Halved for compressed volumes. Charged to the volume's primary pool.
/// - A **mirror copy** takes the same data space as the primary copy in its own pool
///   (snapshots are not mirrored).
/// - `sim fill-pool` adds data written by something outside the simulated volumes.
enum SpaceModel {
    static let thinInitialFill = 0.20
    static let cloneInitialFill = 0.0
    static let compressionRatio = 2.0
    static let secondsPerDay = 86_400.0

    static func days(from start: Double, to now: Double) -> Double {
        max(0, now - start) / secondsPerDay
    }

    /// Data space of one copy of the volume.
    static func data(of volume: VolumeRecord, at now: Double) -> UInt64 {
        let size = Double(volume.size)
        var bytes: Double
        if volume.thin {
            let fraction = volume.initialFill + volume.changeRate / 100 * days(from: volume.created, to: now)
            bytes = size * min(1, fraction)
        } else {
            bytes = size
        }
        if volume.compressed { bytes /= compressionRatio }
        return UInt64(bytes.rounded(.down))
    }

    /// Space held by all the volume's snapshots.
    static func snapshots(of volume: VolumeRecord, at now: Double) -> UInt64 {
        guard volume.snapshotCount > 0, let oldest = volume.oldestSnapshot else { return 0 }
        let size = Double(volume.size)
        var bytes = min(size * Double(volume.snapshotCount), size * volume.changeRate / 100 * days(from: oldest, to: now))
        if volume.compressed { bytes /= compressionRatio }
        return UInt64(bytes.rounded(.down))
    }

    /// What creating the volume takes at once in each of its pools.
    static func initialData(size: UInt64, thin: Bool, compressed: Bool, initialFill: Double) -> UInt64 {
        var bytes = thin ? Double(size) * initialFill : Double(size)
        if compressed { bytes /= compressionRatio }
        return UInt64(bytes.rounded(.down))
    }
}
