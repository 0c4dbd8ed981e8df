import FlashPlanModel

/// How one action of an apply ended.
public struct ActionResult: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case applied, failed, skipped
        /// Never started: the apply was interrupted (SIGINT/SIGTERM) first.
        case notStarted = "not-started"
    }

    public var id: ActionID
    public var kind: ActionKind
    public var address: Address
    public var status: Status
    /// Why it failed or was skipped.
    public var message: String?

    /// How the message of an action the plan itself blocked (or held for consent) starts.
    public static let blockedPrefix = "blocked: "

    /// Skipped because the plan blocked or held it — an error about its object, an
    /// offline array, the snapshot ceiling, a destructive action without consent — not
    /// because something failed during the apply.
    public var wasBlocked: Bool { status == .skipped && (message?.hasPrefix(Self.blockedPrefix) ?? false) }

    public init(id: ActionID, kind: ActionKind, address: Address, status: Status, message: String? = nil) {
        self.id = id
        self.kind = kind
        self.address = address
        self.status = status
        self.message = message
    }
}
