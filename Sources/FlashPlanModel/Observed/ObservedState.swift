import Foundation

/// What the storage backend holds, as read by `StorageBackend.observe(at:)`.
///
/// Encoded with snake_case keys this is the JSON of `flashplan state list --format json`
/// (DESIGN §7). Collections are sorted by name (snapshots by volume, created, name)
/// so that everything computed from them is deterministic.
public struct ObservedState: Sendable, Hashable, Codable {
    /// A UUID set when the state was created; a plan for another lineage is refused.
    public var lineage: String
    /// Advanced by every apply and every outside event; a plan made at another serial is stale.
    public var serial: Int
    public var arrays: [ObservedArray] = []
    public var clusters: [ObservedCluster] = []
    public var pools: [ObservedPool] = []
    public var hosts: [ObservedHost] = []
    public var volumes: [ObservedVolume] = []
    public var snapshots: [ObservedSnapshot] = []
    public var relationships: [ObservedRelationship] = []
    public var clones: [ObservedClone] = []
    /// The latest `--now` at which flashplan acted on this state (an apply started, an
    /// action was journaled), nil for a new state. A clock before it, or far past it, is
    /// a fault (DESIGN §5): pruning by age waits until it is confirmed. Not part of the
    /// `state list` JSON.
    public var lastActivity: Date?

    /// The operation an apply is recorded under while the clock is in doubt: such an
    /// apply does not count as activity, so the doubt lasts until the clock is confirmed
    /// (`--allow-clock-jump`) instead of ending with the first run at the wrong time.
    public static let clockUnconfirmedOperation = "apply (clock unconfirmed)"

    public init(lineage: String, serial: Int) {
        self.lineage = lineage
        self.serial = serial
    }

    enum CodingKeys: String, CodingKey {
        case lineage, serial, arrays, clusters, pools, hosts, volumes, snapshots, relationships, clones
    }
}

public struct ObservedArray: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case online
        /// A 720/820 that lost a module: still serving on its hot spare.
        case degraded
        case offline
    }

    public var name: String
    public var model: ArrayModel
    public var capacity: ByteCount
    public var site: String?
    public var status: Status

    public init(name: String, model: ArrayModel, capacity: ByteCount, site: String?, status: Status = .online) {
        self.name = name
        self.model = model
        self.capacity = capacity
        self.site = site
        self.status = status
    }

    public var isAvailable: Bool { status != .offline }
}

public struct ObservedCluster: Sendable, Hashable, Codable {
    public var name: String
    public var site: String?
    public var ioGroups: Int

    public init(name: String, site: String?, ioGroups: Int) {
        self.name = name
        self.site = site
        self.ioGroups = ioGroups
    }
}

public struct ObservedPool: Sendable, Hashable, Codable {
    public var name: String
    public var cluster: String
    public var capacityFrom: [Pool.Extent]
    public var warningThreshold: Percentage
    public var maxOvercommit: Percentage
    public var easyTier: Bool
    /// Sum of `capacityFrom`.
    public var physicalCapacity: ByteCount
    /// Physical space consumed at the observation time: written data of thin volumes
    /// (after compression), full size of thick ones, snapshot and clone space.
    public var usedCapacity: ByteCount
    /// Sum of the sizes of the volumes (and mirror copies) in the pool.
    public var virtualCapacity: ByteCount

    public init(
        name: String, cluster: String, capacityFrom: [Pool.Extent], warningThreshold: Percentage,
        maxOvercommit: Percentage, easyTier: Bool, physicalCapacity: ByteCount, usedCapacity: ByteCount,
        virtualCapacity: ByteCount
    ) {
        self.name = name
        self.cluster = cluster
        self.capacityFrom = capacityFrom
        self.warningThreshold = warningThreshold
        self.maxOvercommit = maxOvercommit
        self.easyTier = easyTier
        self.physicalCapacity = physicalCapacity
        self.usedCapacity = usedCapacity
        self.virtualCapacity = virtualCapacity
    }

    public var arrays: [String] { capacityFrom.map(\.array) }
}

public struct ObservedHost: Sendable, Hashable, Codable {
    public var name: String
    public var site: String?

    public init(name: String, site: String?) {
        self.name = name
        self.site = site
    }
}

public struct ObservedVolume: Sendable, Hashable, Codable {
    /// Why the volume exists: declared by a user, a replication destination, or a clone.
    public enum Role: String, Sendable, Hashable, Codable {
        case primary, destination, clone
    }

    public var name: String
    public var pool: String
    public var size: ByteCount
    public var accessProtocol: Volume.AccessProtocol
    public var thin: Bool
    public var compressed: Bool
    public var mirrorPool: String?
    public var hosts: [String]
    public var changeRate: Percentage
    public var role: Role
    /// False when no copy of the volume is on an available array.
    public var online: Bool
    /// With a mirror copy: false while the copies resync after an array came back.
    public var copiesInSync: Bool
    public var created: Date
    /// The version of the data the volume holds: each host write makes a new one, a
    /// restore gives back its snapshot's (see docs/restore.md).
    public var content: Int
    /// The size flashplan last applied to this volume (DESIGN §5: flashplan records the
    /// declared values it last applied), nil when it never sized it. Not in the JSON.
    public var appliedSize: ByteCount?

    public init(
        name: String, pool: String, size: ByteCount, accessProtocol: Volume.AccessProtocol = .fc, thin: Bool = true,
        compressed: Bool = false, mirrorPool: String? = nil, hosts: [String] = [], changeRate: Percentage = Percentage(5),
        role: Role = .primary, online: Bool = true, copiesInSync: Bool = true, created: Date, content: Int = 0
    ) {
        self.name = name
        self.pool = pool
        self.size = size
        self.accessProtocol = accessProtocol
        self.thin = thin
        self.compressed = compressed
        self.mirrorPool = mirrorPool
        self.hosts = hosts
        self.changeRate = changeRate
        self.role = role
        self.online = online
        self.copiesInSync = copiesInSync
        self.created = created
        self.content = content
    }

    enum CodingKeys: String, CodingKey {
        case name, pool, size, accessProtocol = "protocol", thin, compressed, mirrorPool, hosts, changeRate, role,
            online, copiesInSync, created, content
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name), pool: try c.decode(String.self, forKey: .pool),
            size: try c.decode(ByteCount.self, forKey: .size),
            accessProtocol: try c.decode(Volume.AccessProtocol.self, forKey: .accessProtocol),
            thin: try c.decode(Bool.self, forKey: .thin), compressed: try c.decode(Bool.self, forKey: .compressed),
            mirrorPool: try c.decodeIfPresent(String.self, forKey: .mirrorPool), hosts: try c.decode([String].self, forKey: .hosts),
            changeRate: try c.decode(Percentage.self, forKey: .changeRate), role: try c.decode(Role.self, forKey: .role),
            online: try c.decode(Bool.self, forKey: .online), copiesInSync: try c.decode(Bool.self, forKey: .copiesInSync),
            created: try c.decode(Date.self, forKey: .created),
            // Written before volumes tracked their content: version 0.
            content: try c.decodeIfPresent(Int.self, forKey: .content) ?? 0)
    }
}

/// One FlashCopy snapshot: one volume's part of a backup.
public struct ObservedSnapshot: Sendable, Hashable, Codable {
    public var volume: String
    public var name: String
    public var label: String
    public var created: Date
    /// The hosts the backup is valid for (restore is refused for others).
    public var hosts: [String]
    public var tag: String?
    /// The resource group that took it; nil for a snapshot taken by hand.
    public var group: String?
    public var immutableUntil: Date?
    /// The version of its volume's data it captured (`ObservedVolume.content`).
    public var content: Int

    public init(
        volume: String, name: String, label: String, created: Date, hosts: [String] = [], tag: String? = nil,
        group: String? = nil, immutableUntil: Date? = nil, content: Int = 0
    ) {
        self.volume = volume
        self.name = name
        self.label = label
        self.created = created
        self.hosts = hosts
        self.tag = tag
        self.group = group
        self.immutableUntil = immutableUntil
        self.content = content
    }

    enum CodingKeys: String, CodingKey {
        case volume, name, label, created, hosts, tag, group, immutableUntil, content
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            volume: try c.decode(String.self, forKey: .volume), name: try c.decode(String.self, forKey: .name),
            label: try c.decode(String.self, forKey: .label), created: try c.decode(Date.self, forKey: .created),
            hosts: try c.decode([String].self, forKey: .hosts), tag: try c.decodeIfPresent(String.self, forKey: .tag),
            group: try c.decodeIfPresent(String.self, forKey: .group),
            immutableUntil: try c.decodeIfPresent(Date.self, forKey: .immutableUntil),
            content: try c.decodeIfPresent(Int.self, forKey: .content) ?? 0)
    }
}

/// A mirror (SnapMirror / remote copy) or vault (SnapVault) relationship between two volumes.
public struct ObservedRelationship: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable {
        case uninitialized, idle, transferring, broken
    }

    public var source: String
    public var destination: String
    public var type: Replication.Kind
    public var mode: Replication.Mode
    public var state: State
    public var lastTransfer: Date?
    public var group: String?
    /// Set while the relationship is broken because flashplan restored a backup onto its
    /// destination (the restore stops it so that no update overwrites the restored data):
    /// a resync would throw that restore away, which its reason must say.
    public var stoppedByRestore: RestoreStop?

    /// A restore of a backup onto a relationship's destination, as the journal has it.
    public struct RestoreStop: Sendable, Hashable, Codable {
        /// The backup (snapshot name) restored.
        public var backup: String
        public var at: Date

        public init(backup: String, at: Date) {
            self.backup = backup
            self.at = at
        }
    }

    public init(
        source: String, destination: String, type: Replication.Kind, mode: Replication.Mode = .async,
        state: State = .uninitialized, lastTransfer: Date? = nil, group: String? = nil, stoppedByRestore: RestoreStop? = nil
    ) {
        self.source = source
        self.destination = destination
        self.type = type
        self.mode = mode
        self.state = state
        self.lastTransfer = lastTransfer
        self.group = group
        self.stoppedByRestore = stoppedByRestore
    }
}

/// A space-efficient clone (FlexClone-like) of a snapshot, living in the snapshot's pool.
public struct ObservedClone: Sendable, Hashable, Codable {
    /// The clone volume's name: `<clone>_<volume>`.
    public var name: String
    /// The volume whose snapshot it was made from.
    public var volume: String
    public var pool: String
    public var parentSnapshot: String
    public var host: String?
    public var created: Date

    public init(name: String, volume: String, pool: String, parentSnapshot: String, host: String? = nil, created: Date) {
        self.name = name
        self.volume = volume
        self.pool = pool
        self.parentSnapshot = parentSnapshot
        self.host = host
        self.created = created
    }
}
