/// Part of a configuration written by flashplan rather than by a person: what
/// `flashplan discover` found in the storage that the configuration does not declare.
///
/// Objects are kept in the order they are to be written (each section by name), and each
/// may carry notes that say what was inferred and from what; they become YAML comments.
public struct ConfigurationFragment: Sendable, Hashable {
    /// A section of the configuration language, spelled as in YAML.
    public enum Section: String, Sendable, Hashable, CaseIterable, Comparable {
        case arrays, clusters, pools, hosts, volumes, policies
        case resourceGroups = "resource_groups"

        public static func < (lhs: Section, rhs: Section) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// One object of a section, by name.
    public struct Key: Sendable, Hashable {
        public var section: Section
        public var name: String

        public init(_ section: Section, _ name: String) {
            self.section = section
            self.name = name
        }
    }

    public var arrays: [StorageArray] = []
    public var clusters: [Cluster] = []
    public var pools: [Pool] = []
    public var hosts: [Host] = []
    public var volumes: [Volume] = []
    public var policies: [Policy] = []
    public var resourceGroups: [ResourceGroup] = []
    /// Why an object looks as it does (what was inferred, from what); one comment line each.
    public var notes: [Key: [String]] = [:]
    /// What the storage holds that could not be written as configuration, and why.
    /// Printed as comments at the top of the YAML and on standard error.
    public var warnings: [String] = []
    /// Notes on the whole fragment (the time zone of backup names, say).
    public var header: [String] = []

    public init() {}

    /// Nothing to write: the configuration already declares everything the storage holds.
    public var isEmpty: Bool {
        arrays.isEmpty && clusters.isEmpty && pools.isEmpty && hosts.isEmpty && volumes.isEmpty && policies.isEmpty
            && resourceGroups.isEmpty
    }

    /// `3 arrays`, `1 cluster`, `2 resource groups`: the objects of each section that has any.
    public var summary: String {
        let singular: [Section: String] = [
            .arrays: "array", .clusters: "cluster", .pools: "pool", .hosts: "host", .volumes: "volume", .policies: "policy",
            .resourceGroups: "resource group",
        ]
        return counts.map { section, count in
            count == 1 ? "1 \(singular[section]!)" : "\(count) \(section.rawValue.replacingOccurrences(of: "_", with: " "))"
        }.joined(separator: ", ")
    }

    /// The number of objects of each section, in section order, leaving out empty ones.
    public var counts: [(section: Section, count: Int)] {
        let all: [(Section, Int)] = [
            (.arrays, arrays.count), (.clusters, clusters.count), (.pools, pools.count), (.hosts, hosts.count),
            (.volumes, volumes.count), (.policies, policies.count), (.resourceGroups, resourceGroups.count),
        ]
        return all.filter { $0.1 > 0 }.map { (section: $0.0, count: $0.1) }
    }
}
