import FlashPlanModel
import Foundation

/// What `flashplan plan` computed: the actions to run (a DAG), why, what retention
/// keeps and prunes, what changed outside flashplan, and the problems found.
///
/// Encoded with snake_case keys this is the plan JSON of DESIGN §5 and
/// `schemas/plan.schema.json`; a plan file is this JSON.
public struct Plan: Sendable, Hashable, Codable {
    /// The plan JSON's `format_version`. 2: every storage operation is an object
    /// `{"op": "create_snapshot", …}` with snake_case keys (1 had `{"createSnapshot":
    /// {"spec": {…}}}`). `flashplan apply` reads plan files of this version only.
    public static let currentFormatVersion = 2

    public var formatVersion: Int = Plan.currentFormatVersion
    public var now: Date
    public var state: StateReference
    public var configDigest: String
    public var summary: PlanSummary
    public var actions: [PlanAction]
    public var retention: [RetentionDecision]
    public var drift: [DriftItem]
    /// Backups no declared group manages (DESIGN §4): kept, never pruned.
    public var unmanaged: [UnmanagedBackups]
    public var diagnostics: [Diagnostic]
    /// Projected pool use after the plan.
    public var capacity: [PoolProjection]
    /// `--target` groups, when targeting is in effect.
    public var targets: [String]
    public var excludes: [String]

    public init(
        now: Date, state: StateReference, configDigest: String, actions: [PlanAction], retention: [RetentionDecision],
        drift: [DriftItem], unmanaged: [UnmanagedBackups] = [], diagnostics: [Diagnostic], capacity: [PoolProjection], targets: [String] = [], excludes: [String] = []
    ) {
        self.now = now
        self.state = state
        self.configDigest = configDigest
        self.actions = actions
        self.retention = retention
        self.drift = drift
        self.unmanaged = unmanaged
        self.diagnostics = diagnostics
        self.capacity = capacity
        self.targets = targets
        self.excludes = excludes
        self.summary = PlanSummary(actions)
    }

    public var hasChanges: Bool { !actions.isEmpty }

    /// Actions that need a person's consent (DESIGN §5): resyncing a relationship (it
    /// discards what was written on the destination), destroying a volume, deleting a clone
    /// the configuration no longer declares, unmapping a host, restoring a volume (its
    /// current data is overwritten). Pruning by retention and a
    /// clone's `refresh: newest` are routine work the configuration itself declares.
    public var consentNeeded: [PlanAction] {
        let recreated = Set(actions.filter { $0.kind == .createClone }.map(\.address))
        return actions.filter { action in
            switch action.kind {
            case .resyncRelationship, .destroyVolume, .unmapHost, .restore: true
            case .deleteClone: !recreated.contains(action.address)
            default: false
            }
        }
    }

    /// Holds the actions that need consent (and, through the executor, what depends on
    /// them): under `--auto-approve` nobody gave it.
    public mutating func holdingConsentNeeded() -> [PlanAction] {
        let held = Set(consentNeeded.map(\.id))
        for index in actions.indices where held.contains(actions[index].id) && actions[index].blockedBy == nil {
            actions[index].blockedBy = "held: destructive; it needs consent (--allow-destructive, or apply without --auto-approve)"
        }
        return actions.filter { held.contains($0.id) }
    }
    public var hasErrors: Bool { diagnostics.hasErrors }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", now, state, configDigest = "config_digest", summary, actions, retention, drift, unmanaged, diagnostics, capacity, targets, excludes
    }
}

/// Counts for the closing line: `Plan: N to create, N to change, N snapshots, N to prune, N transfers, N to destroy.`
public struct PlanSummary: Sendable, Hashable, Codable {
    public var create = 0
    public var change = 0
    public var snapshots = 0
    public var prune = 0
    public var transfers = 0
    public var destroy = 0

    /// Snapshots and prunes count snapshots (a backup of three volumes is three); the rest count actions.
    public init(_ actions: [PlanAction]) {
        for action in actions {
            switch action.kind.category {
            case .create: create += 1
            case .change: change += 1
            case .snapshot: snapshots += action.operations.count
            case .prune: prune += action.operations.count
            case .transfer: transfers += 1
            case .destroy: destroy += 1
            }
        }
    }

    public var total: Int { create + change + snapshots + prune + transfers + destroy }
}
