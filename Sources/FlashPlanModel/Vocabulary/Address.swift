/// The one name of an object flashplan plans, shows and acts on (DESIGN §1):
/// `volume.erp-data`, `backup.erp/NAME`, `snapshot.erp-data_dr/NAME`,
/// `relationship.erp-data_dr`, …
///
/// Plans print it, `state show`, `--target` and logs accept it, and JSON carries its
/// text; parsing what any of them printed gives the same address back. Names cannot
/// contain `/` (the configuration language forbids it, and so does the simulator), so
/// the text is unambiguous: the kind ends at the first `.`, a member at the first `/`.
public enum Address: Sendable, Hashable, Comparable {
    case array(String)
    case cluster(String)
    case pool(String)
    /// The capacity an array gives a pool (`pool.gold/fs-a`).
    case poolExtent(pool: String, array: String)
    case host(String)
    case volume(String)
    /// A volume's mapping to a host (`volume.erp-data/db01`).
    case mapping(volume: String, host: String)
    /// One snapshot on one volume, a copy of a backup on a destination included.
    case snapshot(volume: String, name: String)
    /// A backup of a resource group: its snapshots of the same name on the group's volumes.
    case backup(group: String, name: String)
    /// A relationship, named by its destination volume.
    case relationship(destination: String)
    case clone(String)
    /// A resource group (`--target group.erp`, or just `erp`).
    case group(String)

    /// The kinds, as written before the first `.`.
    public static let kinds = ["array", "cluster", "pool", "host", "volume", "snapshot", "backup", "relationship", "clone", "group"]

    /// A text that is not an address.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var text: String
        public var reason: String
        public var description: String {
            "'\(Escaping.escape(text))' is not an address: \(reason); write KIND.NAME with KIND one of \(Address.kinds.joined(separator: ", ")) (snapshot.VOLUME/NAME, backup.GROUP/NAME)"
        }
    }

    public init(parsing text: String) throws(ParseError) {
        guard let dot = text.firstIndex(of: "."), dot != text.startIndex, text.index(after: dot) != text.endIndex else {
            throw ParseError(text: text, reason: "no KIND. before the name")
        }
        let kind = String(text[..<dot])
        let rest = text[text.index(after: dot)...]
        let name: String
        let member: String?
        if let slash = rest.firstIndex(of: "/") {
            name = String(rest[..<slash])
            member = String(rest[rest.index(after: slash)...])
            guard !name.isEmpty, let member, !member.isEmpty, !member.contains("/") else {
                throw ParseError(text: text, reason: "an empty name or member around '/'")
            }
        } else {
            name = String(rest)
            member = nil
        }
        switch (kind, member) {
        case ("array", nil): self = .array(name)
        case ("cluster", nil): self = .cluster(name)
        case ("pool", nil): self = .pool(name)
        case ("pool", let array?): self = .poolExtent(pool: name, array: array)
        case ("host", nil): self = .host(name)
        case ("volume", nil): self = .volume(name)
        case ("volume", let host?): self = .mapping(volume: name, host: host)
        case ("snapshot", let snapshot?): self = .snapshot(volume: name, name: snapshot)
        case ("backup", let backup?): self = .backup(group: name, name: backup)
        case ("relationship", nil): self = .relationship(destination: name)
        case ("clone", nil): self = .clone(name)
        case ("group", nil): self = .group(name)
        case ("snapshot", nil), ("backup", nil):
            throw ParseError(text: text, reason: "a \(kind) is named \(kind).\(kind == "snapshot" ? "VOLUME" : "GROUP")/NAME")
        case (_, _?) where Self.kinds.contains(kind):
            throw ParseError(text: text, reason: "a \(kind) has no '/' member")
        default:
            throw ParseError(text: text, reason: "unknown kind '\(kind)'")
        }
    }

    /// What is before the first `.`.
    public var kind: String {
        switch self {
        case .array: "array"
        case .cluster: "cluster"
        case .pool, .poolExtent: "pool"
        case .host: "host"
        case .volume, .mapping: "volume"
        case .snapshot: "snapshot"
        case .backup: "backup"
        case .relationship: "relationship"
        case .clone: "clone"
        case .group: "group"
        }
    }

    public static func < (lhs: Address, rhs: Address) -> Bool { lhs.description < rhs.description }
}

extension Address: CustomStringConvertible, LosslessStringConvertible {
    public var description: String {
        switch self {
        case .array(let name), .cluster(let name), .pool(let name), .host(let name), .volume(let name), .clone(let name),
            .group(let name), .relationship(let name):
            "\(kind).\(name)"
        case .poolExtent(let pool, let array): "pool.\(pool)/\(array)"
        case .mapping(let volume, let host): "volume.\(volume)/\(host)"
        case .snapshot(let volume, let name): "snapshot.\(volume)/\(name)"
        case .backup(let group, let name): "backup.\(group)/\(name)"
        }
    }

    public init?(_ description: String) { try? self.init(parsing: description) }
}

extension Address: ExpressibleByStringInterpolation {
    /// A literal address in code and tests; a malformed literal is a programming error.
    public init(stringLiteral value: String) {
        do { try self.init(parsing: value) } catch { preconditionFailure("\(error)") }
    }
}

extension Address: Codable {
    /// Encoded as its text, so JSON carries what the plan prints.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
