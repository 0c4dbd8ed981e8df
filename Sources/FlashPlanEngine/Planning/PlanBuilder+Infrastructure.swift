import FlashPlanModel
import Foundation

extension PlanBuilder {
    /// Arrays and clusters (simulator installation), pools, hosts, volumes and mappings.
    mutating func planInfrastructure() {
        let c = configuration
        for array in c.arrays.values.sorted(by: { $0.name < $1.name }) {
            guard let existing = arrays[array.name] else {
                add(PlanAction(
                    kind: .installArray, address: Address.array(array.name),
                    reason: "declared at \(array.locations.name); the simulator installs it",
                    after: ["model": array.model.rawValue, "capacity": "\(array.capacity.bytes / 1_000_000_000_000)TB (\(array.capacity))"],
                    operation: .installArray(name: array.name, model: array.model, capacity: array.capacity, site: array.site)))
                continue
            }
            if existing.model != array.model || existing.capacity != array.capacity {
                diagnostics.append(.arrayDiffers(array, observed: existing))
            }
        }
        for cluster in c.clusters.values.sorted(by: { $0.name < $1.name }) where clusters[cluster.name] == nil {
            add(PlanAction(
                kind: .installCluster, address: Address.cluster(cluster.name),
                reason: "declared at \(cluster.locations.name); the simulator installs it",
                after: ["io_groups": "\(cluster.ioGroups)"],
                operation: .installCluster(name: cluster.name, site: cluster.site, ioGroups: cluster.ioGroups)))
        }
        for pool in c.pools.values.sorted(by: { $0.name < $1.name }) { planPool(pool) }
        for host in c.hosts.values.sorted(by: { $0.name < $1.name }) where hosts[host.name] == nil {
            add(PlanAction(
                kind: .createHost, address: Address.host(host.name), reason: "declared at \(host.locations.name)",
                operation: .createHost(name: host.name, site: host.site)))
        }
        for volume in c.volumes.values.sorted(by: { $0.name < $1.name }) where volume.state == .present {
            planVolume(volume)
        }
        for volume in observed.volumes where volume.role == .primary && c.volumes[volume.name] == nil {
            diagnostics.append(.undeclaredVolume(volume.name))
        }
    }

    private func installDependencies(pool: Pool) -> [ActionID] {
        var ids = pool.arrays.compactMap { planned(.installArray, Address.array($0)) }
        if let id = planned(.installCluster, Address.cluster(pool.cluster)) { ids.append(id) }
        return ids
    }

    private mutating func planPool(_ pool: Pool) {
        let address = Address.pool(pool.name)
        guard let existing = pools[pool.name] else {
            plannedPools.insert(pool.name)
            add(PlanAction(
                kind: .createPool, address: address, reason: "declared at \(pool.locations.name)",
                dependsOn: installDependencies(pool: pool),
                after: ["capacity": "\(pool.physicalCapacity)", "cluster": pool.cluster],
                operation: .createPool(
                    name: pool.name, cluster: pool.cluster, capacityFrom: pool.capacityFrom,
                    warningThreshold: pool.warningThreshold, maxOvercommit: pool.maxOvercommit, easyTier: pool.easyTier),
                arrays: pool.arrays))
            return
        }
        var have: [String: ByteCount] = [:]
        for extent in existing.capacityFrom { have[extent.array, default: .zero] += extent.capacity }
        var want: [String: ByteCount] = [:]
        for extent in pool.capacityFrom { want[extent.array, default: .zero] += extent.capacity }
        for (array, size) in want.sorted(by: { $0.key < $1.key }) {
            let current = have[array] ?? .zero
            if size > current {
                add(PlanAction(
                    kind: .addPoolCapacity, address: .poolExtent(pool: pool.name, array: array),
                    reason: "pool gets \(size) from '\(array)' (has \(current))",
                    dependsOn: planned(.installArray, Address.array(array)).map { [$0] } ?? [],
                    before: ["capacity_from.\(array)": "\(current)"], after: ["capacity_from.\(array)": "\(size)"],
                    operation: .addPoolCapacity(pool: pool.name, array: array, capacity: size - current), arrays: [array]))
            }
        }
        for (array, size) in have.sorted(by: { $0.key < $1.key }) where (want[array] ?? .zero) < size {
            diagnostics.append(.poolShrink(pool, array: array, have: size, want: want[array] ?? .zero))
        }
        if existing.warningThreshold != pool.warningThreshold || existing.maxOvercommit != pool.maxOvercommit
            || existing.easyTier != pool.easyTier
        {
            add(PlanAction(
                kind: .modifyPool, address: address, reason: "settings changed in the configuration",
                before: [
                    "warning_threshold": "\(existing.warningThreshold)", "max_overcommit": "\(existing.maxOvercommit)",
                    "easy_tier": "\(existing.easyTier)",
                ],
                after: [
                    "warning_threshold": "\(pool.warningThreshold)", "max_overcommit": "\(pool.maxOvercommit)",
                    "easy_tier": "\(pool.easyTier)",
                ],
                operation: .modifyPool(
                    name: pool.name, warningThreshold: pool.warningThreshold, maxOvercommit: pool.maxOvercommit,
                    easyTier: pool.easyTier),
                arrays: pool.arrays))
        }
    }

    private mutating func planVolume(_ volume: Volume) {
        let address = Address.volume(volume.name)
        guard let existing = volumes[volume.name] else {
            let spec = VolumeSpec(
                name: volume.name, pool: volume.pool, size: volume.size, accessProtocol: volume.accessProtocol,
                thin: volume.thin || volume.compressed, compressed: volume.compressed, mirrorPool: volume.mirrorPool,
                changeRate: volume.changeRate, role: .primary)
            plannedVolumes[volume.name] = spec
            var after = ["pool": volume.pool, "size": "\(volume.size)", "protocol": volume.accessProtocol.rawValue]
            if let mirror = volume.mirrorPool { after["mirror_pool"] = mirror }
            let id = add(PlanAction(
                kind: .createVolume, address: address, reason: "declared at \(volume.locations.name)",
                dependsOn: poolDependencies(volume.pool) + (volume.mirrorPool.map(poolDependencies) ?? []),
                after: after, operation: .createVolume(spec), arrays: arrays(ofVolume: volume.name)))
            for host in volume.hosts { planMapping(volume: volume.name, host: host, after: [id]) }
            return
        }
        let arrays = arrays(ofVolume: volume.name)
        if volume.size > existing.size {
            add(PlanAction(
                kind: .resizeVolume, address: address, reason: "size \(existing.size) → \(volume.size)",
                before: ["size": "\(existing.size)"], after: ["size": "\(volume.size)"],
                operation: .resizeVolume(name: volume.name, size: volume.size), arrays: arrays))
        } else if volume.size < existing.size {
            // flashplan records the size it last applied (DESIGN §5), which tells a
            // declaration lowered in review (an error on this volume alone) from a volume
            // grown outside flashplan (drift). Neither is ever shrunk.
            if let applied = existing.appliedSize, volume.size < applied {
                diagnostics.append(.sizeLowered(volume, applied: applied, observed: existing.size))
            } else if let applied = existing.appliedSize, applied == volume.size {
                drift.append(DriftItem(
                    address: address, change: "size \(applied) → \(existing.size): grown outside flashplan",
                    response: "none: flashplan never shrinks a volume; declare size: \(existing.size) to adopt it"))
            } else {
                diagnostics.append(.volumeShrink(volume, observed: existing.size))
            }
        }
        if existing.pool != volume.pool {
            add(PlanAction(
                kind: .migrateVolume, address: address,
                reason: "pool \(existing.pool) → \(volume.pool) (non-disruptive migration)",
                dependsOn: poolDependencies(volume.pool),
                before: ["pool": existing.pool], after: ["pool": volume.pool],
                operation: .migrateVolume(name: volume.name, toPool: volume.pool), arrays: arrays))
        }
        if existing.mirrorPool != volume.mirrorPool {
            var removed: [ActionID] = []
            if existing.mirrorPool != nil {
                removed.append(add(PlanAction(
                    kind: .removeMirrorCopy, address: address,
                    reason: volume.mirrorPool == nil ? "mirror copy no longer declared" : "mirror copy moves to \(volume.mirrorPool!)",
                    before: ["mirror_pool": existing.mirrorPool!], after: ["mirror_pool": volume.mirrorPool ?? "(none)"],
                    operation: .removeMirrorCopy(volume: volume.name), arrays: arrays)))
            }
            if let mirror = volume.mirrorPool {
                add(PlanAction(
                    kind: .addMirrorCopy, address: address, reason: "second copy in pool \(mirror)",
                    dependsOn: removed + poolDependencies(mirror),
                    before: ["mirror_pool": existing.mirrorPool ?? "(none)"], after: ["mirror_pool": mirror],
                    operation: .addMirrorCopy(volume: volume.name, pool: mirror), arrays: arrays))
            }
        }
        if existing.thin != (volume.thin || volume.compressed) || existing.compressed != volume.compressed
            || existing.accessProtocol != volume.accessProtocol
        {
            diagnostics.append(.volumeImmutableProperty(volume, observed: existing))
        }
        for host in volume.hosts where !existing.hosts.contains(host) {
            planMapping(volume: volume.name, host: host, after: [])
        }
        for host in existing.hosts where !volume.hosts.contains(host) {
            add(PlanAction(
                kind: .unmapHost, address: .mapping(volume: volume.name, host: host), reason: "host '\(host)' no longer listed",
                operation: .unmapHost(volume: volume.name, host: host), arrays: arrays))
        }
    }

    private mutating func planMapping(volume: String, host: String, after: [ActionID]) {
        add(PlanAction(
            kind: .mapHost, address: Address.mapping(volume: volume, host: host), reason: "map to host '\(host)'",
            dependsOn: after + (planned(.createHost, Address.host(host)).map { [$0] } ?? []),
            operation: .mapHost(volume: volume, host: host), arrays: arrays(ofVolume: volume)))
    }

    /// `state: absent` volumes: destroyed last, refused while something depends on them.
    mutating func planDestroys() {
        for volume in configuration.volumes.values.sorted(by: { $0.name < $1.name }) where volume.state == .absent {
            guard let existing = volumes[volume.name] else { continue }
            if volume.preventDestroy {
                diagnostics.append(.destroyPrevented(volume))
                continue
            }
            let dependentClones = observed.clones.filter { $0.volume == volume.name }.map(\.name)
            let relationships = observed.relationships.filter { $0.source == volume.name || $0.destination == volume.name }
            if !dependentClones.isEmpty || !relationships.isEmpty {
                diagnostics.append(.destroyBlocked(volume, clones: dependentClones, relationships: relationships.map(\.destination)))
                continue
            }
            let snapshots = snapshotsByVolume[volume.name]?.count ?? 0
            add(PlanAction(
                kind: .destroyVolume, address: Address.volume(volume.name),
                reason: "state: absent at \(volume.locations["state"])" + (snapshots > 0 ? "; its \(snapshots) snapshots go with it" : ""),
                before: ["size": "\(existing.size)", "pool": existing.pool],
                operation: .destroyVolume(name: volume.name), destructive: true, arrays: arrays(ofVolume: volume.name)))
        }
    }
}
