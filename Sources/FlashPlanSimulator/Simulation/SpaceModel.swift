import Foundation

/// How the simulator turns sizes, change rates and elapsed simulated time into physical
/// pool use. Everything is computed from timestamps at the time asked for; nothing ticks
/// in the background.
///
/// `change_rate` is the share of the size *rewritten* per day, at random places: after
/// `d` days a share `1 − e^(−rate·d)` of the blocks has been overwritten at least once.
///
/// - **Thick** volumes take their full size from the moment they are created.
/// - **Thin** volumes take what has been written: `initialFill` of the size (20% for
///   user and destination volumes). Rewrites land on blocks already allocated, so this
///   does not grow with time; growing a volume's data is a resize.
/// - **Clones** start sharing every block of their parent snapshot (0%) and take a
///   private block for each block rewritten since: `size × (1 − e^(−rate·d))`.
/// - **Compressed** volumes take half of that (a 2:1 ratio, real-time compression).
/// - **Snapshots** of a volume together keep the old version of every block overwritten
///   since the oldest of them was taken: `size × (1 − e^(−rate·d))`, `d` the days since
///   the oldest snapshot — never more than one full size, however many snapshots and
///   however old. Halved for compressed volumes. Charged to the volume's primary pool.
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
        if volume.thin && volume.role == .clone {
            bytes = size * overwritten(rate: volume.changeRate, days: days(from: volume.created, to: now))
        } else if volume.thin {
            bytes = size * volume.initialFill
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
        var bytes = size * overwritten(rate: volume.changeRate, days: days(from: oldest, to: now))
        if volume.compressed { bytes /= compressionRatio }
        return UInt64(bytes.rounded(.down))
    }

    /// The share of a volume's blocks overwritten at least once in `days` at `rate`% a day.
    static func overwritten(rate: Double, days: Double) -> Double {
        1 - exp(-rate / 100 * days)
    }

    /// What creating the volume takes at once in each of its pools.
    static func initialData(size: UInt64, thin: Bool, compressed: Bool, initialFill: Double) -> UInt64 {
        var bytes = thin ? Double(size) * initialFill : Double(size)
        if compressed { bytes /= compressionRatio }
        return UInt64(bytes.rounded(.down))
    }
}
