import FlashPlanModel
import Foundation
import GRDB

/// One row of `storage_array`.
struct ArrayRecord: Sendable, Hashable {
    var id: Int64
    var name: String
    var model: ArrayModel
    var capacity: UInt64
    var site: String?
    var status: ObservedArray.Status
    /// When it last went offline.
    var offlineSince: Double?
    /// When it last came back online (copies of mirrored volumes resync from then).
    var onlineSince: Double?
    /// Operations left to fail (`flashplan sim fail-next`).
    var failNext: Int

    static let columns = "a.id, a.name, a.model, a.capacity, a.site, a.status, a.offline_since, a.online_since, a.fail_next"

    init(row: Row, from start: Int = 0) {
        id = row[start]
        name = row[start + 1]
        model = ArrayModel(rawValue: row[start + 2]) ?? .flashSystem820
        capacity = UInt64(row[start + 3] as Int64)
        site = row[start + 4]
        status = ObservedArray.Status(rawValue: row[start + 5]) ?? .online
        offlineSince = row[start + 6]
        onlineSince = row[start + 7]
        failNext = row[start + 8]
    }

    var isAvailable: Bool { status != .offline }

    var observed: ObservedArray {
        ObservedArray(name: name, model: model, capacity: ByteCount(bytes: capacity), site: site, status: status)
    }
}
