/// Where a copy of a backup lives: on the primary volumes, or on the destination
/// volumes in a replication pool. Written `primary` or the pool's name, in YAML
/// (`clones[].from`), plans and JSON alike.
public enum CopyLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    case primary
    /// The destination volumes a mirror or vault keeps in this pool.
    case destination(pool: String)

    /// `primary` is the primary copy; anything else names a pool.
    public init(_ text: String) {
        self = text == "primary" ? .primary : .destination(pool: text)
    }

    public var description: String {
        switch self {
        case .primary: "primary"
        case .destination(let pool): pool
        }
    }

    public var pool: String? {
        if case .destination(let pool) = self { pool } else { nil }
    }

    public static func < (lhs: CopyLocation, rhs: CopyLocation) -> Bool {
        switch (lhs, rhs) {
        case (.primary, .destination): true
        case (.destination(let a), .destination(let b)): a < b
        default: false
        }
    }
}

extension CopyLocation: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension CopyLocation: ExpressibleByStringLiteral {
    /// `"primary"` or a pool's name, as in YAML.
    public init(stringLiteral value: String) { self.init(value) }
}
