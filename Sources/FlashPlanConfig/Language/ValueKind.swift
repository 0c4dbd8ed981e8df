import FlashPlanModel

/// The type of a value in the configuration language.
///
/// The decoder checks YAML against it and the JSON Schema is generated from it,
/// so the two cannot disagree.
public indirect enum ValueKind: Sendable {
    case string
    /// A name of a declared object (or a label): `^[A-Za-z_][A-Za-z0-9._-]{0,62}$`.
    case name
    case bool
    case integer(ClosedRange<Int>)
    /// `512GiB`, `2TiB`, `1.5TB`.
    case size
    /// `80%`.
    case percentage
    case oneOf([String])
    case list(ValueKind)
    case object([Field])
    /// A mapping from names to values of one kind (`arrays:`, vault `retention:`).
    case nameMap(ValueKind)
    /// `{count: N}` or `{days: D}`, exactly one.
    case retention

    var typeName: String {
        switch self {
        case .string: "a string"
        case .name: "a name"
        case .bool: "true or false"
        case .integer: "a whole number"
        case .size: "a size such as 512GiB or 2TB"
        case .percentage: "a percentage such as 80%"
        case .oneOf(let values): "one of " + values.joined(separator: ", ")
        case .list: "a list"
        case .object, .nameMap, .retention: "a mapping"
        }
    }
}

/// One key of a mapping in the configuration language.
public struct Field: Sendable {
    public var key: String
    public var kind: ValueKind
    public var required: Bool
    public var summary: String
    /// The default, as written in YAML, for the schema and the reference.
    public var defaultValue: String?

    public init(_ key: String, _ kind: ValueKind, required: Bool = false, default defaultValue: String? = nil, _ summary: String) {
        self.key = key
        self.kind = kind
        self.required = required
        self.summary = summary
        self.defaultValue = defaultValue
    }
}
