import FlashPlanModel
import Foundation
import Yams

/// Writes configuration that flashplan made (`flashplan discover`) in the configuration
/// language, through Yams's emitter: any name, tag or label is quoted as YAML needs, so
/// what is written reads back as exactly what was meant. Notes become `#` comments,
/// escaped, on lines of their own.
public enum ConfigurationWriter {
    /// One file of a fragment split by kind or by group.
    public struct File: Sendable, Hashable {
        /// A file name (no directory): `arrays.yaml`, …, `group.NAME.yaml`.
        public var name: String
        public var text: String
    }

    /// The whole fragment as one YAML document, `heading` and the fragment's warnings first.
    public static func document(_ fragment: ConfigurationFragment, heading: [String]) throws -> String {
        var text = comments(heading + fragment.header, indent: "")
        text += comments(fragment.warnings.map { "warning: " + $0 }, indent: "")
        text += "version: 1\n"
        for section in ConfigurationFragment.Section.allCases {
            text += try render(section, entries(of: section, in: fragment), notes: fragment.notes)
        }
        return text
    }

    /// The fragment as one file per kind (`arrays.yaml`, `clusters.yaml`, `pools.yaml`,
    /// `hosts.yaml`, `volumes.yaml`) and one per resource group with its policies
    /// (`group.NAME.yaml`); kinds with nothing in them get no file.
    public static func files(_ fragment: ConfigurationFragment, heading: [String]) throws -> [File] {
        let preamble = comments(heading + fragment.header, indent: "") + "version: 1\n"
        var files: [File] = []
        for section in [ConfigurationFragment.Section.arrays, .clusters, .pools, .hosts, .volumes] {
            let entries = entries(of: section, in: fragment)
            guard !entries.isEmpty else { continue }
            files.append(File(name: "\(section.rawValue).yaml", text: preamble + (try render(section, entries, notes: fragment.notes))))
        }
        let policies = Dictionary(fragment.policies.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for group in fragment.resourceGroups {
            let own = group.policies.compactMap { policies[$0.policy] }.map { ($0.name, node($0)) }
            let text = preamble + (try render(.policies, own, notes: fragment.notes))
                + (try render(.resourceGroups, [(group.name, node(group))], notes: fragment.notes))
            files.append(File(name: "group.\(group.name).yaml", text: text))
        }
        return files
    }

    // MARK: Sections

    static func entries(of section: ConfigurationFragment.Section, in fragment: ConfigurationFragment) -> [(String, Node)] {
        switch section {
        case .arrays: fragment.arrays.map { ($0.name, node($0)) }
        case .clusters: fragment.clusters.map { ($0.name, node($0)) }
        case .pools: fragment.pools.map { ($0.name, node($0)) }
        case .hosts: fragment.hosts.map { ($0.name, node($0)) }
        case .volumes: fragment.volumes.map { ($0.name, node($0)) }
        case .policies: fragment.policies.map { ($0.name, node($0)) }
        case .resourceGroups: fragment.resourceGroups.map { ($0.name, node($0)) }
        }
    }

    /// `section:` and each entry, its notes as comments above it, indented under the section.
    static func render(
        _ section: ConfigurationFragment.Section, _ entries: [(String, Node)], notes: [ConfigurationFragment.Key: [String]]
    ) throws -> String {
        guard !entries.isEmpty else { return "" }
        var text = "\(section.rawValue):\n"
        for (name, body) in entries {
            text += comments(notes[.init(section, name)] ?? [], indent: "  ")
            let yaml = try Yams.serialize(node: .mapping(Node.Mapping([(string(name), body)])), width: -1, allowUnicode: true)
            // Empty lines stay empty: inside a quoted scalar they are its line breaks.
            var lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.last?.isEmpty == true { lines.removeLast() }
            for line in lines { text += (line.isEmpty ? "" : "  " + line) + "\n" }
        }
        return text
    }

    /// Comment lines; each note escaped so that no control character or line break in a
    /// name from the storage can end the comment and start YAML.
    static func comments(_ lines: [String], indent: String) -> String {
        lines.map { "\(indent)# \(Escaping.escape($0))\n" }.joined()
    }

    // MARK: Objects

    static func node(_ array: StorageArray) -> Node {
        mapping([("model", string(array.model.rawValue)), ("capacity", string(size(array.capacity))), ("site", array.site.map(string))])
    }

    static func node(_ cluster: Cluster) -> Node {
        mapping([("site", cluster.site.map(string)), ("io_groups", integer(cluster.ioGroups))])
    }

    static func node(_ pool: Pool) -> Node {
        let extents = pool.capacityFrom.map {
            Node.mapping(Node.Mapping([(string("array"), string($0.array)), (string("capacity"), string(size($0.capacity)))], .implicit, .flow))
        }
        return mapping([
            ("cluster", string(pool.cluster)), ("capacity_from", .sequence(Node.Sequence(extents))),
            ("warning_threshold", string(percentage(pool.warningThreshold))),
            ("max_overcommit", string(percentage(pool.maxOvercommit))), ("easy_tier", boolean(pool.easyTier)),
        ])
    }

    static func node(_ host: FlashPlanModel.Host) -> Node {
        mapping([("site", host.site.map(string))])
    }

    static func node(_ volume: Volume) -> Node {
        mapping([
            ("pool", string(volume.pool)), ("size", string(size(volume.size))), ("protocol", string(volume.accessProtocol.rawValue)),
            ("thin", boolean(volume.thin)), ("compressed", boolean(volume.compressed)), ("mirror_pool", volume.mirrorPool.map(string)),
            ("hosts", list(volume.hosts)), ("change_rate", string(percentage(volume.changeRate))),
        ])
    }

    static func node(_ policy: Policy) -> Node {
        let retention: Node = switch policy.retention {
        case .count(let n): flow([("count", integer(n))])
        case .days(let d): flow([("days", integer(d))])
        }
        return mapping([
            ("frequency", string(policy.frequency.rawValue)), ("label", string(policy.label)), ("retention", retention),
            ("immutable", policy.immutable ? boolean(true) : nil),
        ])
    }

    static func node(_ group: ResourceGroup) -> Node {
        let policies = group.policies.map { entry in
            flow([("policy", string(entry.policy)), ("schedule", entry.schedule.map(string))])
        }
        let replicate = group.replicate.map { replication in
            let retention: [(String, Node?)] = replication.retention.sorted { $0.key < $1.key }.map { label, rule in
                switch rule {
                case .count(let n): (label, flow([("count", integer(n))]))
                case .days(let d): (label, flow([("days", integer(d))]))
                }
            }
            return mapping([
                ("to", string(replication.to)), ("type", string(replication.type.rawValue)),
                ("mode", replication.type == .mirror ? string(replication.mode.rawValue) : nil),
                ("retention", replication.type == .vault ? mapping(retention) : nil),
            ])
        }
        let clones = group.clones.map { clone in
            flow([
                ("name", string(clone.name)), ("label", string(clone.label)), ("from", string(clone.from.description)),
                ("host", clone.host.map(string)), ("refresh", string(clone.refresh.rawValue)),
            ])
        }
        return mapping([
            ("hosts", list(group.hosts)), ("volumes", list(group.volumes)), ("tag", group.tag.map(string)),
            ("policies", .sequence(Node.Sequence(policies))),
            ("replicate", replicate.isEmpty ? nil : .sequence(Node.Sequence(replicate))),
            ("clones", clones.isEmpty ? nil : .sequence(Node.Sequence(clones))),
        ])
    }

    // MARK: Values

    /// A string as YAML must write it to read back as that string (`'true'`, `'12'`, …).
    static func string(_ text: String) -> Node { .scalar(text.represented()) }
    static func integer(_ n: Int) -> Node { .scalar(n.represented()) }
    static func boolean(_ b: Bool) -> Node { .scalar(b.represented()) }
    static func list(_ items: [String]) -> Node { .sequence(Node.Sequence(items.map(string), .implicit, .flow)) }

    /// A mapping of the keys that have a value, in the order given.
    static func mapping(_ pairs: [(String, Node?)], style: Node.Mapping.Style = .any) -> Node {
        .mapping(Node.Mapping(pairs.compactMap { key, value in value.map { (string(key), $0) } }, .implicit, style))
    }

    static func flow(_ pairs: [(String, Node?)]) -> Node { mapping(pairs, style: .flow) }

    /// A size that reads back as exactly these bytes, in the unit that gives the smallest
    /// whole number (`12TB`, `2TiB`, `100GiB`), else in bytes.
    public static func size(_ count: ByteCount) -> String {
        let units: [(String, UInt64)] = [
            ("PiB", 1 << 50), ("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10),
            ("PB", 1_000_000_000_000_000), ("TB", 1_000_000_000_000), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000),
        ]
        let exact = units.filter { count.bytes > 0 && count.bytes % $0.1 == 0 }.min { count.bytes / $0.1 < count.bytes / $1.1 }
        guard let (unit, factor) = exact else { return "\(count.bytes)B" }
        return "\(count.bytes / factor)\(unit)"
    }

    /// A percentage that reads back as this value: `80%`, `12.5%`.
    public static func percentage(_ p: Percentage) -> String {
        p.value == p.value.rounded() && abs(p.value) < 1e15 ? "\(Int(p.value))%" : "\(p.value)%"
    }
}
