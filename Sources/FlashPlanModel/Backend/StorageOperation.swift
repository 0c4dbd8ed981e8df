import Foundation

/// One storage operation: the least-privilege set of DOMAIN.md §1 (LUN/volume
/// create, destroy, modify, resize, map/unmap; snapshot create, delete, rename,
/// restore; mirror/vault relationship create, initialise, update, resync; clone
/// create/delete) plus the simulator-only installation of arrays and clusters.
///
/// Plans carry these values; the executor hands them to a `StorageBackend`.
public enum StorageOperation: Sendable, Hashable {
    /// Simulator only: a real backend would have to hold the array already.
    case installArray(name: String, model: ArrayModel, capacity: ByteCount, site: String?)
    /// Simulator only.
    case installCluster(name: String, site: String?, ioGroups: Int)
    case createPool(
        name: String, cluster: String, capacityFrom: [Pool.Extent], warningThreshold: Percentage,
        maxOvercommit: Percentage, easyTier: Bool)
    case addPoolCapacity(pool: String, array: String, capacity: ByteCount)
    case modifyPool(name: String, warningThreshold: Percentage, maxOvercommit: Percentage, easyTier: Bool)
    case createHost(name: String, site: String?)
    case createVolume(VolumeSpec)
    case destroyVolume(name: String)
    case resizeVolume(name: String, size: ByteCount)
    /// Non-disruptive migration to another pool.
    case migrateVolume(name: String, toPool: String)
    case addMirrorCopy(volume: String, pool: String)
    case removeMirrorCopy(volume: String)
    case mapHost(volume: String, host: String)
    case unmapHost(volume: String, host: String)
    case createSnapshot(SnapshotSpec)
    case deleteSnapshot(volume: String, name: String)
    case renameSnapshot(volume: String, name: String, newName: String)
    /// Reverse FlashCopy: the volume's content becomes the snapshot's.
    case restoreSnapshot(volume: String, name: String)
    case createRelationship(
        source: String, destination: String, type: Replication.Kind, mode: Replication.Mode, group: String?)
    /// Baseline transfer: uninitialized → idle.
    case initializeRelationship(destination: String)
    /// Copy the named source snapshots to the destination and delete the named
    /// destination snapshots (a mirror drops what its source pruned).
    case updateRelationship(destination: String, transfer: [String], drop: [String])
    /// broken → idle; the destination's changes since the break are discarded.
    case resyncRelationship(destination: String)
    /// A clone volume `name` of `snapshot` of `volume`, in that volume's pool.
    case createClone(name: String, volume: String, snapshot: String, host: String?)
    case deleteClone(name: String)
}

/// The properties of a volume to create.
public struct VolumeSpec: Sendable, Hashable, Codable {
    public var name: String
    public var pool: String
    public var size: ByteCount
    public var accessProtocol: Volume.AccessProtocol
    public var thin: Bool
    public var compressed: Bool
    public var mirrorPool: String?
    public var changeRate: Percentage
    public var role: ObservedVolume.Role

    public init(
        name: String, pool: String, size: ByteCount, accessProtocol: Volume.AccessProtocol = .fc, thin: Bool = true,
        compressed: Bool = false, mirrorPool: String? = nil, changeRate: Percentage = Percentage(5),
        role: ObservedVolume.Role = .primary
    ) {
        self.name = name
        self.pool = pool
        self.size = size
        self.accessProtocol = accessProtocol
        self.thin = thin
        self.compressed = compressed
        self.mirrorPool = mirrorPool
        self.changeRate = changeRate
        self.role = role
    }

    enum CodingKeys: String, CodingKey {
        case name, pool, size, accessProtocol = "protocol", thin, compressed, mirrorPool = "mirror_pool",
            changeRate = "change_rate", role
    }
}

/// The properties of a snapshot to take.
public struct SnapshotSpec: Sendable, Hashable, Codable {
    public var volume: String
    public var name: String
    public var label: String
    public var hosts: [String]
    public var tag: String?
    public var group: String?
    public var immutableUntil: Date?

    public init(
        volume: String, name: String, label: String, hosts: [String] = [], tag: String? = nil, group: String? = nil,
        immutableUntil: Date? = nil
    ) {
        self.volume = volume
        self.name = name
        self.label = label
        self.hosts = hosts
        self.tag = tag
        self.group = group
        self.immutableUntil = immutableUntil
    }

    enum CodingKeys: String, CodingKey {
        case volume, name, label, hosts, tag, group, immutableUntil = "immutable_until"
    }
}
