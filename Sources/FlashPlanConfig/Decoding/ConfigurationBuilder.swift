import FlashPlanModel

/// Merges the checked documents of every file into one `Configuration`.
///
/// A section may appear in several files; a name defined twice is an error that
/// names both places.
struct ConfigurationBuilder {
    private(set) var configuration = Configuration()
    private(set) var diagnostics: [Diagnostic] = []
    /// Every name declared, by kind, including objects that failed to decode, so that
    /// references to them are not reported a second time as unknown.
    private(set) var declared: [String: Set<String>] = [:]
    private var firstDefinition: [String: SourceLocation] = [:]
    /// Sizes declared so far, by kind, against `Limits.maximumTotalSize`.
    private var totals: [String: UInt64] = [:]

    mutating func build(_ documents: [ConfigValue]) {
        for document in documents {
            for (section, _, value) in document.entries {
                switch section {
                case "settings": settings(value)
                case "arrays": for (n, l, v) in fresh(value, kind: "array") { configuration.arrays[n] = array(n, l, v) }
                case "clusters": for (n, l, v) in fresh(value, kind: "cluster") { configuration.clusters[n] = cluster(n, l, v) }
                case "pools": for (n, l, v) in fresh(value, kind: "pool") { configuration.pools[n] = pool(n, l, v) }
                case "hosts": for (n, l, v) in fresh(value, kind: "host") { configuration.hosts[n] = host(n, l, v) }
                case "volumes": for (n, l, v) in fresh(value, kind: "volume") { configuration.volumes[n] = volume(n, l, v) }
                case "policies": for (n, l, v) in fresh(value, kind: "policy") { configuration.policies[n] = policy(n, l, v) }
                case "resource_groups":
                    for (n, l, v) in fresh(value, kind: "resource group") { configuration.resourceGroups[n] = group(n, l, v) }
                default: break  // version: checked by the decoder
                }
            }
        }
    }

    /// The section's entries whose names were not defined before (duplicates are reported).
    private mutating func fresh(_ section: ConfigValue, kind: String) -> [(String, SourceLocation, ConfigValue)] {
        var result: [(String, SourceLocation, ConfigValue)] = []
        for (name, location, value) in section.entries {
            let key = kind + "\u{0}" + name
            if let first = firstDefinition[key] {
                diagnostics.append(.duplicateName(kind, name, at: location, first: first))
                continue
            }
            firstDefinition[key] = location
            declared[kind, default: []].insert(name)
            result.append((name, location, value))
        }
        return result
    }

    private mutating func settings(_ value: ConfigValue) {
        for (key, location, field) in value.entries {
            let id = "settings\u{0}" + key
            if let first = firstDefinition[id] {
                diagnostics.append(.duplicateName("setting", key, at: location, first: first))
                continue
            }
            firstDefinition[id] = location
            configuration.settings.locations.fields[key] = field.location
            switch key {
            case "timezone": configuration.settings.timezone = field.string ?? "UTC"
            case "prune_orphaned_labels": configuration.settings.pruneOrphanedLabels = field.bool ?? false
            default: break
            }
        }
    }

    private mutating func array(_ name: String, _ at: SourceLocation, _ v: ConfigValue) -> StorageArray? {
        guard let model = v["model"]?.string.flatMap(ArrayModel.init(rawValue:)), let capacity = v["capacity"]?.size else { return nil }
        guard count(capacity, as: "array capacities", at: v["capacity"]!.location) else { return nil }
        var array = StorageArray(name: name, model: model, capacity: capacity, site: v["site"]?.string)
        array.locations = v.fieldLocations(name: at)
        return array
    }

    private func cluster(_ name: String, _ at: SourceLocation, _ v: ConfigValue) -> Cluster? {
        var cluster = Cluster(name: name, site: v["site"]?.string, ioGroups: v["io_groups"]?.integer ?? 1)
        cluster.locations = v.fieldLocations(name: at)
        return cluster
    }

    private mutating func pool(_ name: String, _ at: SourceLocation, _ v: ConfigValue) -> Pool? {
        guard let clusterName = v["cluster"]?.string else { return nil }
        var extents: [Pool.Extent] = []
        for e in v["capacity_from"]?.list ?? [] {
            guard let array = e["array"]?.string, let capacity = e["capacity"]?.size,
                count(capacity, as: "capacity_from capacities", at: e["capacity"]!.location)
            else { continue }
            extents.append(Pool.Extent(array: array, capacity: capacity, location: e["array"]?.location ?? e.location))
        }
        var pool = Pool(name: name, cluster: clusterName, capacityFrom: extents)
        if let p = v["warning_threshold"]?.percentage { pool.warningThreshold = p }
        if let p = v["max_overcommit"]?.percentage { pool.maxOvercommit = p }
        if let b = v["easy_tier"]?.bool { pool.easyTier = b }
        pool.locations = v.fieldLocations(name: at)
        return pool
    }

    private func host(_ name: String, _ at: SourceLocation, _ v: ConfigValue) -> Host? {
        var host = Host(name: name, site: v["site"]?.string)
        host.locations = v.fieldLocations(name: at)
        return host
    }

    private mutating func volume(_ name: String, _ at: SourceLocation, _ v: ConfigValue) -> Volume? {
        guard let poolName = v["pool"]?.string, let size = v["size"]?.size,
            count(size, as: "volume sizes", at: v["size"]!.location)
        else { return nil }
        var volume = Volume(name: name, pool: poolName, size: size)
        if let p = v["protocol"]?.string.flatMap(Volume.AccessProtocol.init(rawValue:)) { volume.accessProtocol = p }
        if let b = v["thin"]?.bool { volume.thin = b }
        if let b = v["compressed"]?.bool { volume.compressed = b }
        volume.mirrorPool = v["mirror_pool"]?.string
        volume.hosts = unique(v["hosts"]?.list ?? [], what: "host", in: "the hosts of volume '\(name)'").compactMap(\.string)
        if let p = v["change_rate"]?.percentage { volume.changeRate = p }
        if let b = v["prevent_destroy"]?.bool { volume.preventDestroy = b }
        if let s = v["state"]?.string.flatMap(Volume.State.init(rawValue:)) { volume.state = s }
        volume.locations = v.fieldLocations(name: at)
        for (index, host) in unique(v["hosts"]?.list ?? [], report: false).enumerated() { volume.locations.fields["hosts[\(index)]"] = host.location }
        return volume
    }

    /// Adds `size` to the total of its kind; false (reported) when that passes the limit.
    private mutating func count(_ size: ByteCount, as kind: String, at location: SourceLocation) -> Bool {
        let (sum, overflow) = totals[kind, default: 0].addingReportingOverflow(size.bytes)
        guard !overflow, sum <= Limits.maximumTotalSize else {
            diagnostics.append(.totalTooLarge(kind, at: location))
            return false
        }
        totals[kind] = sum
        return true
    }

    /// The names of `items` without repeats, each repeat reported at its place.
    private mutating func unique(_ items: [ConfigValue], what: String = "", in list: String = "", report: Bool = true) -> [ConfigValue] {
        unique(items, in: list, report: report) { item in item.string.map { (key: $0, what: "\(what) '\($0)'", at: item.location) } }
    }

    /// `items` without repeats by `identity`, each repeat reported at its place.
    private mutating func unique(
        _ items: [ConfigValue], in list: String, report: Bool = true, identity: (ConfigValue) -> (key: String, what: String, at: SourceLocation)?
    ) -> [ConfigValue] {
        var first: [String: SourceLocation] = [:]
        var result: [ConfigValue] = []
        for item in items {
            guard let (key, what, at) = identity(item) else {
                result.append(item)
                continue
            }
            if let earlier = first[key] {
                if report { diagnostics.append(.duplicateEntry(what, in: list, at: at, first: earlier)) }
                continue
            }
            first[key] = at
            result.append(item)
        }
        return result
    }

    private func policy(_ name: String, _ at: SourceLocation, _ v: ConfigValue) -> Policy? {
        guard let frequency = v["frequency"]?.string.flatMap(Policy.Frequency.init(rawValue:)),
            let retention = v["retention"]?.retention
        else { return nil }
        var policy = Policy(name: name, frequency: frequency, label: v["label"]?.string, retention: retention)
        policy.immutable = v["immutable"]?.bool ?? false
        policy.locations = v.fieldLocations(name: at)
        return policy
    }

    private mutating func group(_ name: String, _ at: SourceLocation, _ v: ConfigValue) -> ResourceGroup? {
        var group = ResourceGroup(name: name)
        group.locations = v.fieldLocations(name: at)
        // A repeated entry is reported once, here, and dropped, so that nothing about it is
        // reported twice later.
        let hosts = unique(v["hosts"]?.list ?? [], what: "host", in: "the hosts of resource group '\(name)'")
        let volumes = unique(v["volumes"]?.list ?? [], what: "volume", in: "the volumes of resource group '\(name)'")
        for (key, list) in [("hosts", hosts), ("volumes", volumes)] {
            for (index, item) in list.enumerated() {
                group.locations.fields["\(key)[\(index)]"] = item.location
            }
        }
        group.hosts = hosts.compactMap(\.string)
        group.volumes = volumes.compactMap(\.string)
        group.tag = v["tag"]?.string
        let policies = unique(v["policies"]?.list ?? [], in: "the policies of resource group '\(name)'") { e in
            e["policy"]?.string.map { policy in
                (key: policy + "\u{0}" + (e["schedule"]?.string ?? ""),
                 what: "policy '\(policy)'" + (e["schedule"]?.string.map { " with schedule '\($0)'" } ?? ""),
                 at: e["policy"]?.location ?? e.location)
            }
        }
        let clones = unique(v["clones"]?.list ?? [], in: "the clones of resource group '\(name)'") { e in
            e["name"]?.string.map { (key: $0, what: "clone '\($0)'", at: e["name"]?.location ?? e.location) }
        }
        group.policies = policies.compactMap { e in
            guard let policy = e["policy"]?.string else { return nil }
            var entry = PolicyEntry(policy: policy, schedule: e["schedule"]?.string)
            entry.location = e["policy"]?.location ?? e.location
            if let schedule = e["schedule"] {
                entry.scheduleLocation = schedule.location
                if schedule.quoted { entry.scheduleLocation.column += 1 }
                entry.scheduleIsVerbatim = schedule.verbatim
            } else {
                entry.scheduleLocation = entry.location
            }
            return entry
        }
        group.replicate = (v["replicate"]?.list ?? []).compactMap { e in
            guard let to = e["to"]?.string, let type = e["type"]?.string.flatMap(Replication.Kind.init(rawValue:)) else { return nil }
            var replication = Replication(to: to, type: type)
            if let mode = e["mode"]?.string.flatMap(Replication.Mode.init(rawValue:)) { replication.mode = mode }
            for (label, labelLocation, retention) in e["retention"]?.entries ?? [] {
                if let r = retention.retention { replication.retention[label] = r }
                replication.fieldLocations["retention.\(label)"] = labelLocation
            }
            replication.location = e["to"]?.location ?? e.location
            replication.fieldLocations.merge(e.fieldLocations(name: e.location).fields) { a, _ in a }
            return replication
        }
        group.clones = clones.compactMap { e in
            guard let cloneName = e["name"]?.string, let label = e["label"]?.string else { return nil }
            var clone = CloneSpec(name: cloneName, label: label, from: CopyLocation(e["from"]?.string ?? "primary"), host: e["host"]?.string)
            if let refresh = e["refresh"]?.string.flatMap(CloneSpec.Refresh.init(rawValue:)) { clone.refresh = refresh }
            clone.location = e["name"]?.location ?? e.location
            clone.fieldLocations = e.fieldLocations(name: e.location).fields
            return clone
        }
        return group
    }
}
