/// The desired state: everything declared in the configuration directory, validated.
///
/// Every declared object keeps the location of its name, and of each of its keys,
/// so that any later stage can point at the exact place in the YAML.
public struct Configuration: Sendable, Hashable {
    public var settings = Settings()
    public var arrays: [String: StorageArray] = [:]
    public var clusters: [String: Cluster] = [:]
    public var pools: [String: Pool] = [:]
    public var hosts: [String: Host] = [:]
    public var volumes: [String: Volume] = [:]
    public var policies: [String: Policy] = [:]
    public var resourceGroups: [String: ResourceGroup] = [:]
    /// A digest of the files the configuration was read from (FNV-1a 64, hex), for the plan.
    public var digest: String = ""

    public init() {}
}

/// Where each key of a declared object was written.
public struct FieldLocations: Sendable, Hashable {
    /// The location of the object's name (its key in the section).
    public var name: SourceLocation
    public var fields: [String: SourceLocation]

    public init(name: SourceLocation = .unknown, fields: [String: SourceLocation] = [:]) {
        self.name = name
        self.fields = fields
    }

    /// The location of `key`'s value, or of the object's name when the key was not written.
    public subscript(key: String) -> SourceLocation { fields[key] ?? name }
}
