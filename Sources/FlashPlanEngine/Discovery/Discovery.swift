import FlashPlanModel
import Foundation

/// `flashplan discover`: the configuration of what the storage holds but the
/// configuration does not declare, so that adding it adopts what exists.
///
/// Pure, like the planner: a function of the observed state, the configuration and the
/// name rule of the language (`isValidName`, handed in by the caller: the engine knows no
/// YAML). Resource groups are recognised from their backups: every snapshot a group took
/// carries its group, label and time, and is named `<group>_<host>_<MM-dd-yyyy>_<HH.mm.ss>`
/// (DESIGN §4). Each group's volumes, hosts, labels, replication and clones follow, and a
/// policy per label is inferred by `BackupInference` so that adopting prunes nothing.
public struct Discovery {
    /// What the storage holds.
    public let observed: ObservedState
    /// What is already declared: none of it is discovered again, and its time zone is the
    /// one inferred schedules are read in.
    public let configuration: Configuration
    /// Whether the configuration language can spell a name; what it cannot is left out,
    /// with a warning, rather than written as YAML that would not load.
    public let isValidName: (String) -> Bool

    public init(observed: ObservedState, configuration: Configuration, isValidName: @escaping (String) -> Bool) {
        self.observed = observed
        self.configuration = configuration
        self.isValidName = isValidName
    }

    /// What to add to the configuration.
    public func discover() -> ConfigurationFragment {
        var fragment = ConfigurationFragment()
        var builder = Builder(discovery: self)
        builder.infrastructure(&fragment)
        builder.groups(&fragment)
        return fragment
    }

    /// `<group>_<host>_<MM-dd-yyyy>_<HH.mm.ss>`, possibly followed by `_<label>` or `_<n>`:
    /// the host and the local time the name carries, or nil when `name` is not such a name
    /// of `group`.
    public static func parseBackupName(_ name: String, group: String) -> (host: String, local: DateComponents)? {
        guard name.hasPrefix(group + "_") else { return nil }
        let rest = Array(name.dropFirst(group.count + 1))
        // `_MM-dd-yyyy_HH.mm.ss`: 20 characters; the host is everything before the first one.
        let shape = Array("_00-00-0000_00.00.00")
        guard rest.count >= shape.count + 1 else { return nil }
        for start in 1...(rest.count - shape.count) {
            let window = rest[start..<(start + shape.count)]
            let matches = zip(window, shape).allSatisfy { c, s in s == "0" ? c.isASCII && c.isNumber : c == s }
            guard matches, start + shape.count == rest.count || rest[start + shape.count] == "_" else { continue }
            let digits = String(window).split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            guard digits.count == 6 else { continue }
            let local = DateComponents(year: digits[2], month: digits[0], day: digits[1], hour: digits[3], minute: digits[4], second: digits[5])
            return (String(rest[0..<start]), local)
        }
        return nil
    }

    /// Collects the fragment.
    struct Builder {
        let discovery: Discovery
        var observed: ObservedState { discovery.observed }
        var configuration: Configuration { discovery.configuration }
        /// Names the configuration declares or this discovery writes, per section.
        var arrays: Set<String> = []
        var pools: Set<String> = []
        var hosts: Set<String> = []
        var volumes: Set<String> = []
        var policies: Set<String> = []

        init(discovery: Discovery) {
            self.discovery = discovery
            arrays = Set(discovery.configuration.arrays.keys)
            pools = Set(discovery.configuration.pools.keys)
            hosts = Set(discovery.configuration.hosts.keys)
            volumes = Set(discovery.configuration.volumes.keys)
            policies = Set(discovery.configuration.policies.keys)
        }

        func valid(_ name: String) -> Bool { discovery.isValidName(name) }

        /// `what 'name'` with the name escaped: it came from the storage.
        func named(_ what: String, _ name: String) -> String { "\(what) '\(Escaping.escape(name))'" }

        mutating func infrastructure(_ fragment: inout ConfigurationFragment) {
            let skip = "is not a valid name in the configuration language (letters, digits, '.', '_', '-', at most 63, starting with a letter or '_'); rename it on the storage, or declare it by hand"
            for array in observed.arrays where configuration.arrays[array.name] == nil {
                guard valid(array.name) else {
                    fragment.warnings.append("\(named("array", array.name)) \(skip)")
                    continue
                }
                fragment.arrays.append(StorageArray(name: array.name, model: array.model, capacity: array.capacity, site: array.site))
                arrays.insert(array.name)
            }
            var clusters = Set(configuration.clusters.keys)
            for cluster in observed.clusters where configuration.clusters[cluster.name] == nil {
                guard valid(cluster.name) else {
                    fragment.warnings.append("\(named("cluster", cluster.name)) \(skip)")
                    continue
                }
                fragment.clusters.append(Cluster(name: cluster.name, site: cluster.site, ioGroups: cluster.ioGroups))
                clusters.insert(cluster.name)
            }
            for pool in observed.pools where configuration.pools[pool.name] == nil {
                guard valid(pool.name) else {
                    fragment.warnings.append("\(named("pool", pool.name)) \(skip)")
                    continue
                }
                guard clusters.contains(pool.cluster), pool.capacityFrom.allSatisfy({ arrays.contains($0.array) }) else {
                    fragment.warnings.append("\(named("pool", pool.name)) is left out: its cluster or an array it takes capacity from could not be written")
                    continue
                }
                var declared = Pool(
                    name: pool.name, cluster: pool.cluster,
                    capacityFrom: pool.capacityFrom.map { Pool.Extent(array: $0.array, capacity: $0.capacity) })
                declared.warningThreshold = pool.warningThreshold
                declared.maxOvercommit = pool.maxOvercommit
                declared.easyTier = pool.easyTier
                fragment.pools.append(declared)
                pools.insert(pool.name)
            }
            for host in observed.hosts where configuration.hosts[host.name] == nil {
                guard valid(host.name) else {
                    fragment.warnings.append("\(named("host", host.name)) \(skip)")
                    continue
                }
                fragment.hosts.append(Host(name: host.name, site: host.site))
                hosts.insert(host.name)
            }
            // Destination and clone volumes are the configuration's consequences (replicate,
            // clones), not declarations: declaring one is an error.
            for volume in observed.volumes where volume.role == .primary && configuration.volumes[volume.name] == nil {
                guard valid(volume.name) else {
                    fragment.warnings.append("\(named("volume", volume.name)) \(skip)")
                    continue
                }
                let missing = ([volume.pool] + (volume.mirrorPool.map { [$0] } ?? [])).filter { !pools.contains($0) }
                    + volume.hosts.filter { !hosts.contains($0) }
                guard missing.isEmpty else {
                    let list = missing.map { "'\(Escaping.escape($0))'" }.joined(separator: ", ")
                    fragment.warnings.append("\(named("volume", volume.name)) is left out: it uses \(list), which could not be written")
                    continue
                }
                var declared = Volume(name: volume.name, pool: volume.pool, size: volume.size)
                declared.accessProtocol = volume.accessProtocol
                declared.thin = volume.thin
                declared.compressed = volume.compressed
                declared.mirrorPool = volume.mirrorPool
                declared.hosts = volume.hosts
                declared.changeRate = volume.changeRate
                fragment.volumes.append(declared)
                volumes.insert(volume.name)
            }
        }
    }
}
