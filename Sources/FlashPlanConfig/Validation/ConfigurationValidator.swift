import FlashPlanModel
import Foundation

/// Checks a structurally valid configuration against references and the domain
/// rules of DOMAIN.md. Reports every problem, never stops at the first.
struct ConfigurationValidator {
    let configuration: Configuration
    /// Names declared per kind, including those that failed to decode.
    let declared: [String: Set<String>]
    var diagnostics: [Diagnostic] = []
    /// Each policy entry's parsed schedule, by group and entry index: parsed here once,
    /// then stored in the configuration for the planner.
    var parsedSchedules: [String: [Int: Schedule]] = [:]
    var parsedByExpression: [String: Schedule] = [:]
    /// Files that could not be parsed: a name they may declare is not reported as undefined.
    var failedFiles = FailedFiles()

    init(_ configuration: Configuration, declared: [String: Set<String>]? = nil) {
        self.configuration = configuration
        self.declared = declared ?? [
            "array": Set(configuration.arrays.keys), "cluster": Set(configuration.clusters.keys),
            "pool": Set(configuration.pools.keys), "host": Set(configuration.hosts.keys),
            "volume": Set(configuration.volumes.keys), "policy": Set(configuration.policies.keys),
        ]
    }

    mutating func validate() -> [Diagnostic] {
        checkSettings()
        checkArraysAndPools()
        checkVolumes()
        checkGroups()
        checkSchedules()
        checkSnapshotCeiling()
        return diagnostics
    }

    var c: Configuration { configuration }

    private mutating func reference(_ kind: String, _ name: String, in known: [String: some Any], from: String, at location: SourceLocation) {
        let names = declared[kind] ?? Set(known.keys)
        if !names.contains(name), !failedFiles.mayDeclare(name) {
            diagnostics.append(.unknownReference(kind, name, from: from, at: location, known: Array(names)))
        }
    }

    private mutating func checkSettings() {
        if TimeZone(identifier: c.settings.timezone) == nil {
            diagnostics.append(.unknownTimezone(c.settings.timezone, at: c.settings.locations["timezone"]))
        }
    }

    private mutating func checkArraysAndPools() {
        for array in c.arrays.values.sorted(by: { $0.name < $1.name }) where !array.model.capacities.contains(array.capacity) {
            diagnostics.append(.capacityNotSold(array))
        }
        var given: [String: ByteCount] = [:]
        for pool in c.pools.values.sorted(by: { $0.locations.name < $1.locations.name }) {
            reference("cluster", pool.cluster, in: c.clusters, from: "pool '\(pool.name)'", at: pool.locations["cluster"])
            for extent in pool.capacityFrom {
                guard let array = c.arrays[extent.array] else {
                    reference("array", extent.array, in: c.arrays, from: "pool '\(pool.name)'", at: extent.location)
                    continue
                }
                let before = given[extent.array, default: .zero]
                given[extent.array] = before + extent.capacity
                if before <= array.capacity, before + extent.capacity > array.capacity {
                    diagnostics.append(.arrayOvercommitted(array, given: before + extent.capacity, at: extent.location))
                }
            }
        }
    }

    private mutating func checkVolumes() {
        let destinations = destinationNames()
        for volume in c.volumes.values.sorted(by: { $0.name < $1.name }) {
            reference("pool", volume.pool, in: c.pools, from: "volume '\(volume.name)'", at: volume.locations["pool"])
            if let mirror = volume.mirrorPool {
                reference("pool", mirror, in: c.pools, from: "volume '\(volume.name)'", at: volume.locations["mirror_pool"])
                if let a = c.pools[volume.pool], let b = c.pools[mirror],
                    let shared = a.arrays.first(where: b.arrays.contains)
                {
                    diagnostics.append(.mirrorSameArray(volume, array: shared))
                }
            }
            for (index, host) in volume.hosts.enumerated() {
                reference("host", host, in: c.hosts, from: "volume '\(volume.name)'", at: volume.locations["hosts[\(index)]"])
            }
            if volume.compressed, !volume.thin { diagnostics.append(.compressedRequiresThin(volume)) }
            if let reason = destinations[volume.name] {
                diagnostics.append(.reservedVolumeName(volume.name, reason: reason, at: volume.locations.name))
            }
        }
    }

    /// Names flashplan generates (`<volume>_<pool>` destinations, `<clone>_<volume>` clones), with why.
    private func destinationNames() -> [String: String] {
        var names: [String: String] = [:]
        for group in c.resourceGroups.values {
            for volume in group.volumes {
                for replication in group.replicate {
                    names[replication.destinationVolume(of: volume)] =
                        "resource group '\(group.name)' creates it as the \(replication.type.rawValue) destination of '\(volume)' in pool '\(replication.to)'"
                }
                for clone in group.clones {
                    names[clone.cloneVolume(of: volume)] = "resource group '\(group.name)' creates it as clone '\(clone.name)' of '\(volume)'"
                }
            }
        }
        return names
    }

    /// Every volume flashplan would create — destinations `<volume>_<pool>`, clones
    /// `<clone>_<volume>` — must have a name of its own: names are joined with `_`, so
    /// different origins can spell the same name (the mirror of `v1` in `dr` and clone
    /// `v1` of volume `dr`), and the planner, which finds its volumes by name, would take
    /// one for the other. One destination shared by two groups is `shared-destination`'s.
    private mutating func checkGeneratedNames() {
        struct Origin {
            /// What makes the volume, without the group for destinations (two groups
            /// replicating one volume to one pool are the same origin, reported apart).
            var key: String
            var what: String
            var location: SourceLocation
        }
        var first: [String: Origin] = [:]
        var reported: Set<String> = []
        for group in c.resourceGroups.values.sorted(by: { $0.name < $1.name }) {
            var origins: [(name: String, origin: Origin)] = []
            for volume in Array(Set(group.volumes)).sorted() {
                for replication in group.replicate {
                    origins.append((
                        replication.destinationVolume(of: volume),
                        Origin(
                            key: "destination\u{0}\(volume)\u{0}\(replication.to)",
                            what: "the \(replication.type.rawValue) destination of volume '\(volume)' in pool '\(replication.to)' (resource group '\(group.name)')",
                            location: replication.location)))
                }
                for clone in group.clones {
                    origins.append((
                        clone.cloneVolume(of: volume),
                        Origin(
                            key: "clone\u{0}\(group.name)\u{0}\(clone.name)\u{0}\(volume)",
                            what: "clone '\(clone.name)' of volume '\(volume)' (resource group '\(group.name)')",
                            location: clone.location)))
                }
            }
            for (name, origin) in origins {
                guard let earlier = first[name] else {
                    first[name] = origin
                    continue
                }
                guard earlier.key != origin.key, reported.insert(name + "\u{0}" + origin.key).inserted else { continue }
                diagnostics.append(
                    .generatedNameCollision(
                        name, what: origin.what, other: earlier.what, otherLocation: earlier.location, at: origin.location))
            }
        }
    }

    private mutating func checkGroups() {
        // volume name -> (source volume, group) for every generated destination
        var destinationOf: [String: (String, String)] = [:]
        // One destination volume per (volume, pool): two groups sharing a volume and
        // replicating it to one pool would fight over it (DESIGN §4), so it is refused.
        var replicatedBy: [String: (group: String, location: SourceLocation)] = [:]
        for group in c.resourceGroups.values.sorted(by: { $0.name < $1.name }) {
            var seen: Set<String> = []
            for volume in group.volumes where seen.insert(volume).inserted {
                for replication in group.replicate {
                    let destination = replication.destinationVolume(of: volume)
                    destinationOf[destination] = (volume, group.name)
                    if let first = replicatedBy[destination] {
                        diagnostics.append(.sharedDestination(
                            destination, volume: volume, pool: replication.to, group: group.name, other: first.group,
                            otherLocation: first.location, at: replication.location))
                    } else {
                        replicatedBy[destination] = (group.name, replication.location)
                    }
                }
            }
        }
        checkGeneratedNames()
        for group in c.resourceGroups.values.sorted(by: { $0.name < $1.name }) {
            let from = "resource group '\(group.name)'"
            for (index, host) in group.hosts.enumerated() {
                reference("host", host, in: c.hosts, from: from, at: group.locations["hosts[\(index)]"])
            }
            for (index, name) in group.volumes.enumerated() {
                let at = group.locations["volumes[\(index)]"]
                if let (source, sourceGroup) = destinationOf[name] {
                    diagnostics.append(.replicationCascade(name, group: group.name, source: source, sourceGroup: sourceGroup, at: at))
                    continue
                }
                guard let volume = c.volumes[name] else {
                    reference("volume", name, in: c.volumes, from: from, at: at)
                    continue
                }
                if volume.accessProtocol == .smb { diagnostics.append(.smbInGroup(name, group: group.name, at: at)) }
                if volume.state == .absent { diagnostics.append(.absentVolumeInGroup(name, group: group.name, at: at)) }
                for replication in group.replicate {
                    if replication.to == volume.pool || replication.to == volume.mirrorPool {
                        diagnostics.append(.replicationSamePool(volume: name, pool: replication.to, at: replication.location))
                        continue
                    }
                    // The destination must survive the loss of an array the source stands on.
                    let source = Set([volume.pool] + (volume.mirrorPool.map { [$0] } ?? []))
                        .flatMap { c.pools[$0]?.arrays ?? [] }
                    guard let destination = c.pools[replication.to],
                        let shared = destination.arrays.sorted().first(where: source.contains)
                    else { continue }
                    diagnostics.append(.replicationSameArray(replication, volume: name, array: shared))
                }
            }
            var labels: [String: Policy] = [:]
            for entry in group.policies {
                guard let policy = c.policies[entry.policy] else {
                    reference("policy", entry.policy, in: c.policies, from: from, at: entry.location)
                    continue
                }
                if let other = labels[policy.label], other.name != policy.name, other.retention != policy.retention {
                    diagnostics.append(.labelConflict(policy.label, group: group.name, at: entry.location, other: other.name))
                }
                labels[policy.label] = policy
            }
            var syncSeen = false
            for replication in group.replicate {
                reference("pool", replication.to, in: c.pools, from: from, at: replication.location)
                if replication.type == .mirror, replication.mode == .sync {
                    if syncSeen { diagnostics.append(.multipleSyncMirrors(group: group.name, at: replication.fieldLocations["mode"] ?? replication.location)) }
                    syncSeen = true
                }
                switch replication.type {
                case .mirror where !replication.retention.isEmpty:
                    diagnostics.append(.mirrorRetention(at: replication.fieldLocations["retention"] ?? replication.location))
                case .vault where replication.retention.isEmpty:
                    diagnostics.append(.vaultWithoutRetention(pool: replication.to, at: replication.location))
                case .vault:
                    for label in replication.retention.keys.sorted() where labels[label] == nil && !failedFiles.mayDeclare(label) {
                        diagnostics.append(.vaultLabelUnused(label, group: group.name, at: replication.fieldLocations["retention.\(label)"] ?? replication.location))
                    }
                default: break
                }
            }
            for clone in group.clones {
                if let host = clone.host {
                    reference("host", host, in: c.hosts, from: "clone '\(clone.name)'", at: clone.fieldLocations["host"] ?? clone.location)
                }
                if clone.fromPrimary {
                    if labels[clone.label] == nil, !labels.isEmpty, !failedFiles.mayDeclare(clone.label) {
                        diagnostics.append(.cloneLabelMissing(clone: clone.name, label: clone.label, source: "primary", at: clone.fieldLocations["label"] ?? clone.location))
                    }
                } else if let replication = group.replicate.first(where: { $0.to == clone.from.pool }) {
                    let holds = replication.type == .mirror ? labels[clone.label] != nil : replication.retention[clone.label] != nil
                    if !holds, !failedFiles.mayDeclare(clone.label) {
                        diagnostics.append(.cloneLabelMissing(clone: clone.name, label: clone.label, source: "\(replication.type.rawValue) '\(replication.to)'", at: clone.fieldLocations["label"] ?? clone.location))
                    }
                } else {
                    diagnostics.append(.cloneSourceMissing(clone: clone.name, from: clone.from.description, group: group.name, at: clone.fieldLocations["from"] ?? clone.location))
                }
            }
        }
    }
}
