import FlashPlanModel
import Foundation
import GRDB

/// One row of `volume`: a user volume, a replication destination or a clone.
struct VolumeRecord: Sendable, Hashable {
    var id: Int64
    var name: String
    var poolID: Int64
    var mirrorPoolID: Int64?
    var size: UInt64
    var accessProtocol: Volume.AccessProtocol
    var thin: Bool
    var compressed: Bool
    /// Percent of the size rewritten per day.
    var changeRate: Double
    var role: ObservedVolume.Role
    var created: Double
    /// Fraction of the size written at creation (thin volumes; see `SpaceModel`).
    var initialFill: Double
    var snapshotCount: Int
    var oldestSnapshot: Double?
    /// The version of the data the volume holds (see `StoreSchema`'s `v2-content`).
    var content: Int64
    /// The highest version ever written on the volume.
    var writes: Int64
    /// The size flashplan last applied (created or resized it to), nil when it never
    /// did (see `StoreSchema`'s `v3-applied-size`): a size beyond it was set outside.
    var appliedSize: UInt64?

    static let columns = """
        id, name, pool_id, mirror_pool_id, size, protocol, thin, compressed, change_rate, role, created, \
        initial_fill, snapshot_count, oldest_snapshot, content, writes, applied_size
        """

    init(row: Row) {
        id = row[0]
        name = row[1]
        poolID = row[2]
        mirrorPoolID = row[3]
        size = UInt64(max(0, row[4] as Int64))
        accessProtocol = Volume.AccessProtocol(rawValue: row[5]) ?? .fc
        thin = row[6]
        compressed = row[7]
        changeRate = row[8]
        role = ObservedVolume.Role(rawValue: row[9]) ?? .primary
        created = row[10]
        initialFill = row[11]
        snapshotCount = row[12]
        oldestSnapshot = row[13]
        content = row[14]
        writes = row[15]
        appliedSize = (row[16] as Int64?).map { UInt64(max(0, $0)) }
    }

    var poolIDs: [Int64] { mirrorPoolID.map { [poolID, $0] } ?? [poolID] }

    /// Physical space this volume takes in `pool` at `now` (0 when it has no copy there).
    func consumption(in pool: Int64, at now: Double) -> UInt64 {
        var total: UInt64 = 0
        if pool == poolID {
            total += SpaceModel.data(of: self, at: now) + SpaceModel.snapshots(of: self, at: now)
        }
        if pool == mirrorPoolID {
            total += SpaceModel.data(of: self, at: now)
        }
        return total
    }

    /// Virtual size this volume adds to `pool` (one size per copy there).
    func virtualSize(in pool: Int64) -> UInt64 {
        (pool == poolID ? size : 0) + (pool == mirrorPoolID ? size : 0)
    }
}
