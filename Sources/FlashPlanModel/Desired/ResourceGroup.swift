/// `resource_groups.<name>`: what is protected (hosts, volumes), exactly when
/// (policy entries with schedules), where it is replicated and what is cloned.
public struct ResourceGroup: Sendable, Hashable {
    public var name: String
    public var hosts: [String] = []
    public var volumes: [String] = []
    public var policies: [PolicyEntry] = []
    public var replicate: [Replication] = []
    public var clones: [CloneSpec] = []
    public var tag: String?
    public var locations = FieldLocations()

    public init(name: String) { self.name = name }
}

/// One `{policy, schedule}` entry of a resource group.
public struct PolicyEntry: Sendable, Hashable {
    public var policy: String
    /// The systemd calendar expression; nil means the frequency's default.
    public var schedule: String?
    public var location: SourceLocation = .unknown
    /// Where the schedule's text starts (inside its quotes), or the scalar's start when
    /// the text is not written verbatim on one line (`scheduleIsVerbatim`).
    public var scheduleLocation: SourceLocation = .unknown
    /// The schedule's text stands on one line as written (no folding, no escapes), so an
    /// offset into the expression is a column offset from `scheduleLocation`.
    public var scheduleIsVerbatim = false
    /// The schedule parsed by validation (the expression, or the frequency's default);
    /// nil for a `frequency: none` policy, or when the configuration has errors.
    public var parsedSchedule: Schedule?

    public init(policy: String, schedule: String? = nil) {
        self.policy = policy
        self.schedule = schedule
    }
}

/// One `replicate` entry: a mirror or vault destination pool.
public struct Replication: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable { case mirror, vault }
    public enum Mode: String, Sendable, Hashable, Codable, CaseIterable { case async, sync }

    public var to: String
    public var type: Kind
    public var mode: Mode = .async
    /// Vault only: the labels it receives and how long it keeps each.
    public var retention: [String: Retention] = [:]
    public var location: SourceLocation = .unknown
    public var fieldLocations: [String: SourceLocation] = [:]

    public init(to: String, type: Kind, mode: Mode = .async, retention: [String: Retention] = [:]) {
        self.to = to
        self.type = type
        self.mode = mode
        self.retention = retention
    }

    /// The name of the destination volume of `volume` in this destination pool.
    public func destinationVolume(of volume: String) -> String { "\(volume)_\(to)" }
}

/// One `clones` entry.
public struct CloneSpec: Sendable, Hashable {
    public enum Refresh: String, Sendable, Hashable, Codable, CaseIterable { case never, newest }

    public var name: String
    public var label: String
    /// `primary`, or the name of a replication destination pool.
    public var from: CopyLocation = .primary
    public var host: String?
    public var refresh: Refresh = .never
    public var location: SourceLocation = .unknown
    public var fieldLocations: [String: SourceLocation] = [:]

    public init(name: String, label: String, from: CopyLocation = .primary, host: String? = nil, refresh: Refresh = .never) {
        self.name = name
        self.label = label
        self.from = from
        self.host = host
        self.refresh = refresh
    }

    public var fromPrimary: Bool { from == .primary }

    /// The clone volume made from `volume`: `<clone>_<volume>`.
    public func cloneVolume(of volume: String) -> String { "\(name)_\(volume)" }
}
