import Foundation

/// Why a backup may not be pruned whatever its retention rule says (DESIGN §4).
///
/// Carried as data on each retention decision, so that renderers, `status` and
/// metrics count protections from the data and never from the words of a reason.
public enum Protection: Sendable, Hashable, Comparable {
    /// An immutable backup before its immutability ends.
    case immutable(until: Date)
    /// A backup clones were made from (they would lose their parent).
    case cloneParent(clones: [String])
    /// The newest backup a replication destination holds once the plan has run:
    /// the base an incremental update needs.
    case replicationBase(destination: String)

    /// `immutable`, `clone_parent`, `replication_base`.
    public var kind: String {
        switch self {
        case .immutable: "immutable"
        case .cloneParent: "clone_parent"
        case .replicationBase: "replication_base"
        }
    }

    /// The words of a reason; `time` formats a moment (the planner shows local time).
    public func describe(time: (Date) -> String) -> String {
        switch self {
        case .immutable(let until): "immutable until \(time(until))"
        case .cloneParent(let clones): "parent of clone \(clones.joined(separator: ", "))"
        case .replicationBase(let destination): "replication base of \(destination)"
        }
    }

    public static func < (lhs: Protection, rhs: Protection) -> Bool {
        lhs.describe(time: \.iso8601) < rhs.describe(time: \.iso8601)
    }
}

extension Protection: Codable {
    enum CodingKeys: String, CodingKey { case kind, until, clones, destination }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .kind) {
        case "immutable": self = .immutable(until: try container.decode(Date.self, forKey: .until))
        case "clone_parent": self = .cloneParent(clones: try container.decode([String].self, forKey: .clones))
        case "replication_base": self = .replicationBase(destination: try container.decode(String.self, forKey: .destination))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown protection '\(other)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        switch self {
        case .immutable(let until): try container.encode(until, forKey: .until)
        case .cloneParent(let clones): try container.encode(clones, forKey: .clones)
        case .replicationBase(let destination): try container.encode(destination, forKey: .destination)
        }
    }
}
