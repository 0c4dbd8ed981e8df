/// Something changed outside flashplan, and what the plan does about it.
public struct DriftItem: Sendable, Hashable, Codable {
    public var address: String
    /// What changed, e.g. `relationship broken`.
    public var change: String
    /// What this plan does about it, e.g. `resync (destination changes are discarded)`.
    public var response: String

    public init(address: String, change: String, response: String) {
        self.address = address
        self.change = change
        self.response = response
    }
}
