import FlashPlanModel
import Foundation

extension PlanBuilder {
    /// Projects each pool's use after the plan: a warning above `warning_threshold`,
    /// an error (the plan refuses) past physical capacity or `max_overcommit`.
    mutating func projectCapacity() {
        var virtualDelta: [String: UInt64] = [:]
        var physicalDelta: [String: UInt64] = [:]
        for operation in actions.flatMap(\.operations) {
            switch operation {
            case .createVolume(let spec):
                for pool in [spec.pool] + (spec.mirrorPool.map { [$0] } ?? []) {
                    virtualDelta[pool, default: 0] += spec.size.bytes
                    if !spec.thin { physicalDelta[pool, default: 0] += spec.size.bytes }
                }
            case .resizeVolume(let name, let size):
                let before = volumes[name]?.size ?? .zero
                for pool in copyPools(ofVolume: name) { virtualDelta[pool, default: 0] += (size - before).bytes }
            case .addMirrorCopy(let volume, let pool):
                virtualDelta[pool, default: 0] += (volumes[volume]?.size ?? .zero).bytes
            default:
                break
            }
        }
        for pool in configuration.pools.values.sorted(by: { $0.name < $1.name }) {
            let observedPool = pools[pool.name]
            let physical = pool.physicalCapacity
            let usedNow = observedPool?.usedCapacity ?? .zero
            let projection = PoolProjection(
                pool: pool.name, physicalCapacity: physical, usedNow: usedNow,
                usedAfter: usedNow + ByteCount(bytes: physicalDelta[pool.name] ?? 0),
                virtualAfter: (observedPool?.virtualCapacity ?? .zero) + ByteCount(bytes: virtualDelta[pool.name] ?? 0),
                warningThreshold: pool.warningThreshold, maxOvercommit: pool.maxOvercommit)
            capacity.append(projection)
            let changed = (physicalDelta[pool.name] ?? 0) > 0 || (virtualDelta[pool.name] ?? 0) > 0
            // Only what the plan itself adds can make it refuse: a pool that filled up on
            // its own (snapshot growth, outside writes) must still get its pruning.
            if (physicalDelta[pool.name] ?? 0) > 0, projection.usedAfter > physical {
                diagnostics.append(.poolFull(pool, projection: projection))
            } else if projection.usedNow >= physical {
                diagnostics.append(.poolAlreadyFull(pool, projection: projection))
            } else if changed, projection.overcommitPercentAfter > pool.maxOvercommit.value {
                diagnostics.append(.poolOvercommitted(pool, projection: projection))
            } else if projection.usedPercentAfter > pool.warningThreshold.value {
                diagnostics.append(.poolWarning(pool, projection: projection))
            }
        }
    }

    /// `--target` keeps only those groups' work and what it depends on;
    /// `--exclude` drops those groups' work and whatever depends on it.
    /// Finally, dependencies on actions the plan does not hold are dropped.
    mutating func applyTargeting(_ options: PlanOptions) {
        if !options.targets.isEmpty || !options.excludes.isEmpty {
            for name in options.targets + options.excludes where configuration.resourceGroups[name] == nil {
                diagnostics.append(.unknownTarget(name, known: Array(configuration.resourceGroups.keys)))
            }
            // An on-demand backup is scoped to its group by definition, not by a user's --target.
            if options.onDemand == nil {
                diagnostics.append(.targetingInEffect(targets: options.targets, excludes: options.excludes))
            }
            var keep = Set<ActionID>()
            if options.targets.isEmpty {
                keep = Set(actions.map(\.id))
            } else {
                var stack = actions.filter { $0.group.map(options.targets.contains) ?? false }.map(\.id)
                while let id = stack.popLast() {
                    guard keep.insert(id).inserted, let index = actionIndex[id] else { continue }
                    stack += actions[index].dependsOn
                }
            }
            var dropped = Set(actions.filter { $0.group.map(options.excludes.contains) ?? false }.map(\.id))
            var changed = true
            while changed {
                changed = false
                for action in actions where !dropped.contains(action.id) && action.dependsOn.contains(where: dropped.contains) {
                    dropped.insert(action.id)
                    changed = true
                }
            }
            actions = actions.filter { keep.contains($0.id) && !dropped.contains($0.id) }
            // Retention decisions of groups out of scope would list backups this plan does not take.
            retention.removeAll { options.excludes.contains($0.group) || (!options.targets.isEmpty && !options.targets.contains($0.group)) }
        }
        let ids = Set(actions.map(\.id))
        actionIndex = Dictionary(uniqueKeysWithValues: actions.enumerated().map { ($1.id, $0) })
        for index in actions.indices {
            let own = actions[index].id
            let dependencies = actions[index].dependsOn
            guard !dependencies.isEmpty else { continue }
            var seen = Set<ActionID>(minimumCapacity: dependencies.count)
            actions[index].dependsOn = dependencies.filter { $0 != own && ids.contains($0) && seen.insert($0).inserted }
        }
    }
}
