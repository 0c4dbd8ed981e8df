import FlashPlanModel

/// A pool's projected use once the plan has run.
public struct PoolProjection: Sendable, Hashable, Codable {
    public var pool: String
    public var physicalCapacity: ByteCount
    public var usedNow: ByteCount
    public var usedAfter: ByteCount
    public var virtualAfter: ByteCount
    public var warningThreshold: Percentage
    public var maxOvercommit: Percentage

    public init(
        pool: String, physicalCapacity: ByteCount, usedNow: ByteCount, usedAfter: ByteCount, virtualAfter: ByteCount,
        warningThreshold: Percentage, maxOvercommit: Percentage
    ) {
        self.pool = pool
        self.physicalCapacity = physicalCapacity
        self.usedNow = usedNow
        self.usedAfter = usedAfter
        self.virtualAfter = virtualAfter
        self.warningThreshold = warningThreshold
        self.maxOvercommit = maxOvercommit
    }

    enum CodingKeys: String, CodingKey {
        case pool, physicalCapacity = "physical_capacity", usedNow = "used_now", usedAfter = "used_after", virtualAfter = "virtual_after", warningThreshold = "warning_threshold", maxOvercommit = "max_overcommit"
    }

    public var usedPercentAfter: Double {
        physicalCapacity.bytes == 0 ? 0 : Double(usedAfter.bytes) / Double(physicalCapacity.bytes) * 100
    }

    public var overcommitPercentAfter: Double {
        physicalCapacity.bytes == 0 ? 0 : Double(virtualAfter.bytes) / Double(physicalCapacity.bytes) * 100
    }
}
