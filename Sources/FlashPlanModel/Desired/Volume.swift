/// `volumes.<name>`: a virtual disk carved from a pool.
public struct Volume: Sendable, Hashable {
    /// How hosts reach the volume. SMB shares can be provisioned but not backed up.
    public enum AccessProtocol: String, Sendable, Hashable, Codable, CaseIterable {
        case fc, iscsi, fcoe
        case nvmeTCP = "nvme-tcp"
        case smb
    }

    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        case present, absent
    }

    public var name: String
    public var pool: String
    public var size: ByteCount
    public var accessProtocol: AccessProtocol = .fc
    public var thin: Bool = true
    public var compressed: Bool = false
    /// Volume mirroring: the pool of the second copy, on another array.
    public var mirrorPool: String?
    public var hosts: [String] = []
    /// Simulation: the share of the size rewritten per day.
    public var changeRate: Percentage = Percentage(5)
    public var preventDestroy: Bool = true
    public var state: State = .present
    public var locations = FieldLocations()

    public init(name: String, pool: String, size: ByteCount) {
        self.name = name
        self.pool = pool
        self.size = size
    }
}
