import FlashPlanModel

/// One node of the plan's action DAG.
///
/// An action's operations are performed atomically with its journal row (a
/// backup's snapshots of several volumes form one action), so a crash never
/// leaves half an action behind.
public struct PlanAction: Sendable, Hashable, Codable, Identifiable {
    /// `kind:address`, unique within a plan and stable across runs.
    public var id: ActionID
    public var kind: ActionKind
    /// What it acts on: `volume.erp-data`, `snapshot.erp-data/erp_db01_11-21-2026_10.00.00`, …
    public var address: Address
    /// The resource group it works for; nil for infrastructure.
    public var group: String?
    /// Why, in words a storage administrator reads in a review.
    public var reason: String
    /// Actions that must succeed before this one runs.
    public var dependsOn: [ActionID]
    /// Attributes before and after, for changes (`size: 1TiB → 2TiB`).
    public var before: [String: String]?
    public var after: [String: String]?
    public var operations: [StorageOperation]
    /// Loses data on its target (destroy, resync over a destination).
    public var destructive: Bool
    /// Arrays the action needs; an offline one blocks it.
    public var arrays: [String]
    /// Set when the plan already knows the action cannot run (its array is offline).
    public var blockedBy: String?

    public init(
        kind: ActionKind, address: Address, group: String? = nil, reason: String, dependsOn: [ActionID] = [],
        before: [String: String]? = nil, after: [String: String]? = nil, operation: StorageOperation,
        destructive: Bool = false, arrays: [String] = []
    ) {
        self.init(
            kind: kind, address: address, group: group, reason: reason, dependsOn: dependsOn, before: before, after: after,
            operations: [operation], destructive: destructive, arrays: arrays)
    }

    public init(
        kind: ActionKind, address: Address, group: String? = nil, reason: String, dependsOn: [ActionID] = [],
        before: [String: String]? = nil, after: [String: String]? = nil, operations: [StorageOperation],
        destructive: Bool = false, arrays: [String] = []
    ) {
        self.id = ActionID(kind, address)
        self.kind = kind
        self.address = address
        self.group = group
        self.reason = reason
        self.dependsOn = dependsOn
        self.before = before
        self.after = after
        self.operations = operations
        self.destructive = destructive
        self.arrays = arrays
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, address, group, reason, dependsOn = "depends_on", before, after, operations, destructive, arrays, blockedBy = "blocked_by"
    }
}

/// An action's identity in the plan's graph: its kind and what it acts on, written
/// `kind:address` (`snapshot:backup.erp/erp_db01_11-21-2026_10.00.00`). Dependencies
/// name actions by it, the journal records it, and plan JSON carries its text.
public struct ActionID: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByStringInterpolation, Codable {
    public var kind: ActionKind
    public var address: Address

    public init(_ kind: ActionKind, _ address: Address) {
        self.kind = kind
        self.address = address
    }

    /// Parses `kind:address`; nil when either part is not one.
    public init?(parsing text: String) {
        guard let colon = text.firstIndex(of: ":"), let kind = ActionKind(rawValue: String(text[..<colon])),
            let address = Address(String(text[text.index(after: colon)...]))
        else { return nil }
        self.init(kind, address)
    }

    /// A literal id in code and tests; a malformed literal is a programming error.
    public init(stringLiteral value: String) {
        guard let id = ActionID(parsing: value) else { preconditionFailure("'\(value)' is not an action id (kind:address)") }
        self = id
    }

    public var description: String { "\(kind.rawValue):\(address)" }

    public static func < (lhs: ActionID, rhs: ActionID) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = ActionID(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not an action id (kind:address)"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// What an action does, for rendering and counting.
public enum ActionKind: String, Sendable, Hashable, Codable, CaseIterable {
    case installArray = "install-array"
    case installCluster = "install-cluster"
    case createPool = "create-pool"
    case addPoolCapacity = "add-pool-capacity"
    case modifyPool = "modify-pool"
    case createHost = "create-host"
    case createVolume = "create-volume"
    case resizeVolume = "resize-volume"
    case migrateVolume = "migrate-volume"
    case addMirrorCopy = "add-mirror-copy"
    case removeMirrorCopy = "remove-mirror-copy"
    case mapHost = "map-host"
    case unmapHost = "unmap-host"
    case destroyVolume = "destroy-volume"
    case snapshot
    case prune
    case createRelationship = "create-relationship"
    case initializeRelationship = "initialize-relationship"
    case resyncRelationship = "resync-relationship"
    case transfer
    case createClone = "create-clone"
    case deleteClone = "delete-clone"
    /// Reverse FlashCopy of a backup's snapshot onto its volume (`flashplan restore` only).
    case restore

    public enum Category: String, Sendable, Codable {
        case create, change, snapshot, prune, transfer, destroy
    }

    public var category: Category {
        switch self {
        case .installArray, .installCluster, .createPool, .createHost, .createVolume, .mapHost, .createRelationship,
            .createClone:
            .create
        case .addPoolCapacity, .modifyPool, .resizeVolume, .migrateVolume, .addMirrorCopy, .removeMirrorCopy, .unmapHost,
            .initializeRelationship, .resyncRelationship, .restore:
            .change
        case .snapshot: .snapshot
        case .prune: .prune
        case .transfer: .transfer
        case .destroyVolume, .deleteClone: .destroy
        }
    }

    /// Terraform's symbols: `+` create, `~` change, `-` delete/prune, `>` transfer.
    public var symbol: String {
        switch category {
        case .create, .snapshot: "+"
        case .change: "~"
        case .prune, .destroy: "-"
        case .transfer: ">"
        }
    }
}
