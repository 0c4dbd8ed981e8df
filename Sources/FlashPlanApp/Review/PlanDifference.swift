import FlashPlanEngine
import FlashPlanModel
import Foundation

/// The difference of two plans made against the same state at the same time: the work
/// only one of them does, destructive work first — the prunes, deletions and resyncs the
/// proposed configuration would make and the base would not come before anything else.
public struct PlanDifference: Sendable, Hashable, Codable {
    /// One action one plan takes and the other does not (or takes differently).
    public struct Entry: Sendable, Hashable, Codable {
        public enum Severity: String, Sendable, Hashable, Codable {
            /// Needs consent: destroys, resyncs, unmaps (DESIGN §5).
            case destructive
            /// Deletes backups or copies: a prune, a mirror update dropping what the source pruned, a clone deleted.
            case deletes
            case routine
        }

        public var id: String
        public var kind: String
        public var address: String
        public var group: String?
        public var reason: String
        public var severity: Severity
    }

    /// Backups a configuration would leave unmanaged (kept, never pruned) that the other would not.
    public struct Unmanaged: Sendable, Hashable, Codable {
        public var group: String
        public var cause: String
        public var backups: Int
        public var volumes: [String]
    }

    /// Actions only the proposed plan takes, destructive first.
    public var onlyProposed: [Entry]
    /// Actions only the base plan takes (what the change stops doing), destructive first.
    public var onlyBase: [Entry]
    /// Actions both take, differently (the proposed one shown).
    public var differing: [Entry]
    public var unmanagedOnlyProposed: [Unmanaged]
    public var unmanagedOnlyBase: [Unmanaged]
    /// Error diagnostics of each plan: a plan with errors applies nothing.
    public var baseErrors: [String]
    public var proposedErrors: [String]

    public init(base: Plan, proposed: Plan) {
        // `apply` refuses a plan with errors as a whole: such a plan takes no action, so
        // everything the other plan does is work only that one does.
        let baseTaken = base.hasErrors ? [] : base.actions, proposedTaken = proposed.hasErrors ? [] : proposed.actions
        let baseActions = Dictionary(baseTaken.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let proposedActions = Dictionary(proposedTaken.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let baseConsent = Set(base.consentNeeded.map(\.id)), proposedConsent = Set(proposed.consentNeeded.map(\.id))
        onlyProposed = Self.sorted(proposedTaken.filter { baseActions[$0.id] == nil }.map { Self.entry($0, consent: proposedConsent) })
        onlyBase = Self.sorted(baseTaken.filter { proposedActions[$0.id] == nil }.map { Self.entry($0, consent: baseConsent) })
        differing = Self.sorted(proposedTaken.compactMap { action in
            guard let other = baseActions[action.id], other.operations != action.operations else { return nil }
            return Self.entry(action, consent: proposedConsent)
        })
        func unmanaged(_ plan: Plan) -> Set<Unmanaged> {
            Set(plan.unmanaged.map { Unmanaged(group: $0.group, cause: $0.cause.rawValue, backups: $0.backups, volumes: $0.volumes) })
        }
        let u1 = unmanaged(base), u2 = unmanaged(proposed)
        unmanagedOnlyProposed = u2.subtracting(u1).sorted { ($0.group, $0.cause) < ($1.group, $1.cause) }
        unmanagedOnlyBase = u1.subtracting(u2).sorted { ($0.group, $0.cause) < ($1.group, $1.cause) }
        baseErrors = base.diagnostics.filter { $0.severity == .error }.map(\.description)
        proposedErrors = proposed.diagnostics.filter { $0.severity == .error }.map(\.description)
    }

    static func entry(_ action: PlanAction, consent: Set<ActionID>) -> Entry {
        // A mirror update that drops what the source pruned deletes copies too.
        let drops = action.operations.contains { if case .updateRelationship(_, _, let drop) = $0 { !drop.isEmpty } else { false } }
        let severity: Entry.Severity =
            consent.contains(action.id) ? .destructive
            : (action.destructive || drops || action.kind.category == .prune || action.kind.category == .destroy) ? .deletes : .routine
        return Entry(
            id: action.id.description, kind: action.kind.rawValue, address: action.address.description, group: action.group,
            reason: action.reason, severity: severity)
    }

    static func sorted(_ entries: [Entry]) -> [Entry] {
        let order: [Entry.Severity: Int] = [.destructive: 0, .deletes: 1, .routine: 2]
        return entries.sorted { (order[$0.severity]!, $0.id) < (order[$1.severity]!, $1.id) }
    }

    /// Entries only the proposed plan takes that destroy or delete something.
    public var destroysOnlyProposed: [Entry] { onlyProposed.filter { $0.severity != .routine } + differing.filter { $0.severity != .routine } }
}
