import FlashPlanModel
import Foundation

/// The address of one object of the state, as `flashplan state show` takes it and plans
/// print it: `array.NAME`, `cluster.NAME`, `pool.NAME`, `host.NAME`, `volume.NAME`,
/// `snapshot.VOLUME/NAME`, `relationship.DESTINATION`, `clone.NAME`.
public enum StateAddress: Sendable, Hashable, CustomStringConvertible {
    case array(String)
    case cluster(String)
    case pool(String)
    case host(String)
    case volume(String)
    case snapshot(volume: String, name: String)
    case relationship(destination: String)
    case clone(String)

    /// A text that is not an address, or an address of nothing in the state.
    public struct Error: Swift.Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var description: String { message }

        public init(message: String) { self.message = message }
    }

    public static let kinds = ["array", "cluster", "pool", "host", "volume", "snapshot", "relationship", "clone"]

    /// Parses `kind.name`. Names may contain dots (`volume.db.01`): the kind ends at the first dot.
    public init(parsing text: String) throws {
        let usage =
            "write KIND.NAME with KIND one of \(Self.kinds.joined(separator: ", ")) (snapshots: snapshot.VOLUME/NAME)"
        guard let dot = text.firstIndex(of: "."), dot != text.startIndex, text.index(after: dot) != text.endIndex else {
            throw Error(message: "'\(text)' is not a state address; \(usage)")
        }
        let kind = String(text[..<dot])
        let name = String(text[text.index(after: dot)...])
        switch kind {
        case "array": self = .array(name)
        case "cluster": self = .cluster(name)
        case "pool": self = .pool(name)
        case "host": self = .host(name)
        case "volume": self = .volume(name)
        case "relationship": self = .relationship(destination: name)
        case "clone": self = .clone(name)
        case "snapshot":
            guard let slash = name.firstIndex(of: "/"), slash != name.startIndex, name.index(after: slash) != name.endIndex
            else {
                throw Error(message: "'\(text)' is not a snapshot address; write snapshot.VOLUME/NAME")
            }
            self = .snapshot(volume: String(name[..<slash]), name: String(name[name.index(after: slash)...]))
        default:
            throw Error(message: "'\(text)' is not a state address: unknown kind '\(kind)'; \(usage)")
        }
    }

    public var description: String {
        switch self {
        case .array(let name): "array.\(name)"
        case .cluster(let name): "cluster.\(name)"
        case .pool(let name): "pool.\(name)"
        case .host(let name): "host.\(name)"
        case .volume(let name): "volume.\(name)"
        case .snapshot(let volume, let name): "snapshot.\(volume)/\(name)"
        case .relationship(let destination): "relationship.\(destination)"
        case .clone(let name): "clone.\(name)"
        }
    }
}
