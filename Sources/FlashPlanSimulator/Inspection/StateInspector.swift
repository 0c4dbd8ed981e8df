import FlashPlanModel
import Foundation

/// Renders what the backend holds for `flashplan state list` and `state show`.
public enum StateInspector {
    /// Output formats of `state list` and `state show`.
    public enum Format: String, Sendable, CaseIterable {
        case text, json
    }

    /// The JSON encoder of the state: snake_case keys, ISO-8601 UTC dates, sorted keys.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// `state list`: the whole state.
    public static func list(_ state: ObservedState, format: Format) throws -> String {
        switch format {
        case .json:
            var out = ""
            try writeJSON(state) { out += $0 }
            return out
        case .text: return text(state)
        }
    }

    /// `state show ADDRESS`: one object.
    ///
    /// - Throws: `StateInspector.NotFound` when the state holds no such object.
    public static func show(_ address: Address, in state: ObservedState, format: Format) throws -> String {
        let object = try find(address, in: state)
        switch format {
        case .json:
            return try json(object)
        case .text:
            var fields = try fieldLines(object)
            fields += extras(address, in: state)
            let width = fields.map(\.0.count).max() ?? 0
            // Values are names from configurations and from outside flashplan: escaped.
            return ([Escaping.escape(address.description)] + fields.map { "  " + pad($0.0, width) + "  " + Escaping.escape($0.1) })
                .joined(separator: "\n") + "\n"
        }
    }

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self) + "\n"
    }

    /// An address of nothing the state holds.
    public struct NotFound: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
        public init(message: String) { self.message = message }
    }

    /// A backup as the state holds it: its snapshots of one name across the group's
    /// volumes, and its copies on destinations.
    struct BackupView: Encodable {
        var group: String
        var name: String
        var label: String
        var created: Date
        var hosts: [String]
        var volumes: [String]
        var copies: [String]
    }

    struct GroupView: Encodable {
        var group: String
        var backups: Int
        var labels: [String]
        var volumes: [String]
        var newest: String?
    }

    struct ExtentView: Encodable {
        var pool: String
        var array: String
        var capacity: ByteCount
    }

    struct MappingView: Encodable {
        var volume: String
        var host: String
    }

    static func find(_ address: Address, in state: ObservedState) throws -> any Encodable {
        let found: (any Encodable)?
        switch address {
        case .array(let name): found = state.arrays.first { $0.name == name }
        case .cluster(let name): found = state.clusters.first { $0.name == name }
        case .pool(let name): found = state.pools.first { $0.name == name }
        case .poolExtent(let pool, let array):
            found = state.pools.first { $0.name == pool }?.capacityFrom.first { $0.array == array }
                .map { ExtentView(pool: pool, array: array, capacity: $0.capacity) }
        case .host(let name): found = state.hosts.first { $0.name == name }
        case .volume(let name): found = state.volumes.first { $0.name == name }
        case .mapping(let volume, let host):
            found = state.volumes.first { $0.name == volume && $0.hosts.contains(host) }.map { _ in MappingView(volume: volume, host: host) }
        case .snapshot(let volume, let name): found = state.snapshots.first { $0.volume == volume && $0.name == name }
        case .backup(let group, let name):
            let snapshots = state.snapshots.filter { $0.group == group && $0.name == name }
            let destinations = Set(state.relationships.map(\.destination))
            found = snapshots.first.map { first in
                BackupView(
                    group: group, name: name, label: first.label, created: first.created, hosts: first.hosts,
                    volumes: snapshots.filter { !destinations.contains($0.volume) }.map(\.volume).sorted(),
                    copies: snapshots.filter { destinations.contains($0.volume) }.map(\.volume).sorted())
            }
        case .group(let group):
            let snapshots = state.snapshots.filter { $0.group == group }
            found = snapshots.isEmpty ? nil : GroupView(
                group: group, backups: Set(snapshots.map(\.name)).count, labels: Set(snapshots.map(\.label)).sorted(),
                volumes: Set(snapshots.map(\.volume)).sorted(), newest: snapshots.max { $0.created < $1.created }?.name)
        case .relationship(let destination): found = state.relationships.first { $0.destination == destination }
        case .clone(let name): found = state.clones.first { $0.name == name }
        }
        guard let found else {
            throw NotFound(message: "\(address) is not in the state (serial \(state.serial))")
        }
        return found
    }

    /// The object's fields as `(snake_case key, value)` in declaration order.
    static func fieldLines(_ object: any Encodable) throws -> [(String, String)] {
        Mirror(reflecting: object).children.compactMap { child in
            guard let label = child.label else { return nil }
            if let array = object as? ObservedArray, label == "capacity" {
                // Arrays are sold in decimal terabytes.
                return ("capacity", "\(terabytes(array.capacity.bytes)) (\(array.capacity))")
            }
            return (label == "accessProtocol" ? "protocol" : snakeCase(label), render(child.value))
        }
    }

    static func extras(_ address: Address, in state: ObservedState) -> [(String, String)] {
        switch address {
        case .volume(let name):
            let snapshots = state.snapshots.filter { $0.volume == name }
            return [
                ("snapshots", String(snapshots.count)),
                ("newest_snapshot", snapshots.max { $0.created < $1.created }?.name ?? "-"),
                ("clones", list(state.clones.filter { $0.volume == name }.map(\.name))),
                ("relationships", list(state.relationships.filter { $0.source == name || $0.destination == name }.map(\.destination))),
            ]
        case .pool(let name):
            guard let pool = state.pools.first(where: { $0.name == name }) else { return [] }
            return [
                ("used_percent", percent(pool.usedCapacity, of: pool.physicalCapacity)),
                ("overcommit", percent(pool.virtualCapacity, of: pool.physicalCapacity)),
                ("volumes", String(state.volumes.filter { $0.pool == name || $0.mirrorPool == name }.count)),
            ]
        case .array(let name):
            return [("pools", list(state.pools.filter { $0.arrays.contains(name) }.map(\.name)))]
        case .snapshot(let volume, let name):
            return [("clones", list(state.clones.filter { $0.volume == volume && $0.parentSnapshot == name }.map(\.name)))]
        case .host(let name):
            return [("volumes", list(state.volumes.filter { $0.hosts.contains(name) }.map(\.name)))]
        case .cluster(let name):
            return [("pools", list(state.pools.filter { $0.cluster == name }.map(\.name)))]
        case .relationship, .clone, .poolExtent, .mapping, .backup, .group:
            return []
        }
    }

    static func render(_ value: Any) -> String {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return "-" }
            return render(wrapped)
        }
        switch value {
        case let string as String: return string
        case let date as Date: return isoDate(date.timeIntervalSince1970)
        case let extent as Pool.Extent: return "\(extent.array):\(extent.capacity)"
        case let stop as ObservedRelationship.RestoreStop: return "restore of \(stop.backup) at \(isoDate(stop.at.timeIntervalSince1970))"
        case let values as [Any]: return values.isEmpty ? "-" : values.map(render).joined(separator: ", ")
        case let raw as any RawRepresentable<String>: return raw.rawValue
        default: return String(describing: value)
        }
    }

    static func snakeCase(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }

    static func list(_ names: [String]) -> String { names.isEmpty ? "-" : names.joined(separator: ", ") }

    static func percent(_ part: ByteCount, of whole: ByteCount) -> String {
        guard whole.bytes > 0 else { return "-" }
        return Percentage((Double(part.bytes) / Double(whole.bytes) * 100).rounded()).description
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
