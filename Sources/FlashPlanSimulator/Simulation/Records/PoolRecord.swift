import FlashPlanModel
import Foundation
import GRDB

/// One row of `pool` with its extents and the arrays they come from.
struct PoolRecord: Sendable, Hashable {
    struct Extent: Sendable, Hashable {
        var array: ArrayRecord
        var capacity: UInt64
    }

    var id: Int64
    var name: String
    var clusterID: Int64
    var warningThreshold: Double
    var maxOvercommit: Double
    var easyTier: Bool
    /// Data written by something other than the simulated volumes (`sim fill-pool`).
    var outsideUsed: UInt64
    /// Sum of the sizes of the volume copies in the pool, maintained by every volume change.
    var virtual: UInt64
    /// The time `used` was computed for; nil when it must be recomputed.
    var usedAt: Double?
    /// Space used by the volume copies at `usedAt` (without `outsideUsed`).
    var used: UInt64
    var extents: [Extent]

    static let columns =
        "id, name, cluster_id, warning_threshold, max_overcommit, easy_tier, outside_used, virtual, used_at, used"

    init(row: Row, extents: [Extent]) {
        id = row[0]
        name = row[1]
        clusterID = row[2]
        warningThreshold = row[3]
        maxOvercommit = row[4]
        easyTier = row[5]
        outsideUsed = UInt64(max(0, row[6] as Int64))
        virtual = UInt64(max(0, row[7] as Int64))
        usedAt = row[8]
        used = UInt64(max(0, row[9] as Int64))
        self.extents = extents
    }

    var physical: UInt64 { extents.reduce(0) { $0 + $1.capacity } }
    var arrayIDs: Set<Int64> { Set(extents.map(\.array.id)) }

    /// The first array of the pool that is offline: SVC stripes a pool's extents over
    /// all its managed disks, so one offline array takes the whole pool offline.
    var offlineArray: ArrayRecord? { extents.first { !$0.array.isAvailable }?.array }
    var isAvailable: Bool { offlineArray == nil }
}
