import FlashPlanModel

/// Something changed outside flashplan, and what the plan does about it.
public struct DriftItem: Sendable, Hashable, Codable {
    /// What changed; nil for a summary over many objects (snapshots taken by hand).
    public var address: Address?
    /// What changed, e.g. `relationship broken`.
    public var change: String
    /// What this plan does about it, e.g. `resync (destination changes are discarded)`.
    public var response: String

    public init(address: Address?, change: String, response: String) {
        self.address = address
        self.change = change
        self.response = response
    }
}
