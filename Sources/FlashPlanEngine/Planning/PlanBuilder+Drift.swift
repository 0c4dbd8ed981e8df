import FlashPlanModel
import Foundation

extension PlanBuilder {
    /// Everything changed outside flashplan, with what the plan does about it.
    mutating func reportDrift() {
        // Volumes out of reach are reported with the offline array that holds them.
        var offlineVolumes: [String: [String]] = [:]
        for volume in observed.volumes where !volume.online {
            let array = arrays(ofVolume: volume.name).first(where: isOffline) ?? "?"
            offlineVolumes[array, default: []].append(volume.name)
        }
        for array in observed.arrays.sorted(by: { $0.name < $1.name }) {
            switch array.status {
            case .offline:
                let held = offlineVolumes.removeValue(forKey: array.name) ?? []
                let list = held.count > 8 ? held.prefix(8).joined(separator: ", ") + ", …" : held.joined(separator: ", ")
                drift.append(DriftItem(
                    address: Address.array(array.name),
                    change: "array is offline" + (held.isEmpty ? "" : "; \(held.count) volume\(held.count == 1 ? "" : "s") out of reach: \(list)"),
                    response: "actions that need it are blocked; others run"))
            case .degraded:
                drift.append(DriftItem(address: Address.array(array.name), change: "array is degraded (a module failed; running on the hot spare)", response: "none; replace the module"))
            case .online:
                break
            }
        }
        for volume in observed.volumes.sorted(by: { $0.name < $1.name }) {
            if let declared = configuration.volumes[volume.name], declared.state == .present {
                if volume.size > declared.size {
                    // Grown outside flashplan, or the declaration was lowered: either way
                    // flashplan will not shrink it (the plan has a volume-shrink warning).
                    drift.append(DriftItem(
                        address: Address.volume(volume.name), change: "volume is \(volume.size), larger than the declared \(declared.size)",
                        response: "none: flashplan never shrinks a volume; declare size: \(volume.size)"))
                }
            }
            if volume.mirrorPool != nil && !volume.copiesInSync {
                drift.append(DriftItem(address: Address.volume(volume.name), change: "mirror copies out of sync", response: "none: the copies resync after repair"))
            }
            if !volume.online, offlineVolumes.values.contains(where: { $0.contains(volume.name) }) {
                drift.append(DriftItem(address: Address.volume(volume.name), change: "volume is offline (no copy on an available array)", response: "its actions are blocked"))
            }
        }
        for relationship in observed.relationships.sorted(by: { $0.destination < $1.destination }) where relationship.state == .broken {
            let resync = has(ActionID(.resyncRelationship, .relationship(destination: relationship.destination)))
            drift.append(DriftItem(
                address: Address.relationship(destination: relationship.destination),
                change: relationship.stoppedByRestore.map { "relationship stopped by the restore of backup '\($0.backup)' at \(local($0.at))" } ?? "relationship broken",
                response: resync
                    ? (relationship.stoppedByRestore == nil
                        ? "resync (changes on the destination are discarded)" : "resync, which needs consent (it overwrites the restored data on the destination)")
                    : "none: no longer declared"))
        }
        reportSnapshotDrift()
    }

    /// Snapshots taken by hand: flashplan keeps them and never counts them as backups.
    private mutating func reportSnapshotDrift() {
        let handMade = snapshotsByVolume.handMadeCount
        if handMade > 0 {
            drift.append(DriftItem(
                address: nil, change: "\(handMade) snapshot\(handMade == 1 ? "" : "s") taken outside flashplan",
                response: "none: kept, never pruned (not part of any backup)"))
        }
        drift.sort { a, b in
            let x = a.address?.description ?? "~", y = b.address?.description ?? "~"
            return x != y ? x < y : a.change < b.change
        }
    }

    /// A backup missing on a volume that existed when it was taken lost that
    /// snapshot outside flashplan (backups are taken atomically across volumes) — unless
    /// the primary's retention no longer keeps it: then flashplan pruned it there itself,
    /// and the copy left on a mirror whose update has not run yet is an expected gap.
    mutating func reportIncompleteBackups(_ plan: GroupPlan) {
        guard plan.backups.values.contains(where: { $0.volumes.count < plan.volumes.count }) else { return }
        var keptByLabel: [String: Set<String>] = [:]
        func keptOnPrimary(_ backup: Backup) -> Bool {
            if let kept = keptByLabel[backup.label] { return kept.contains(backup.name) }
            let backups = plan.backups.values.filter { $0.label == backup.label }
            var kept = Set<String>()
            if let policy = plan.labels.first(where: { $0.label == backup.label })?.policy {
                // The rule alone, without protections: flashplan prunes only what it allows.
                let outcomes = RetentionEvaluator.evaluate(
                    backups.map(\.candidate), rule: policy.retention, now: now, byAge: pruneByAge, time: local)
                kept = Set(outcomes.filter(\.keep).map(\.candidate.name))
            } else if !configuration.settings.pruneOrphanedLabels {
                kept = Set(backups.map(\.name))
            }
            keptByLabel[backup.label] = kept
            return kept.contains(backup.name)
        }
        for backup in plan.backups.values.sorted(by: { $0.name < $1.name }) where backup.volumes.count < plan.volumes.count {
            let missing = plan.volumes.filter { !backup.volumes.contains($0) && (volumes[$0]?.created ?? .distantFuture) <= backup.created }
            guard !missing.isEmpty, keptOnPrimary(backup) else { continue }
            let onlyCopies = backup.volumes.isEmpty && !backup.copies.isEmpty
                ? "; the copy on \(backup.copies.sorted().joined(separator: ", ")) is now the only one" : ""
            drift.append(DriftItem(
                address: .backup(group: plan.group.name, name: backup.name),
                change: "snapshot on \(missing.joined(separator: ", ")) deleted outside flashplan (the backup is incomplete\(onlyCopies))",
                response: "none: it cannot be re-created; the rest of the backup is kept and pruned as usual"))
        }
    }

    /// Marks the actions an offline array keeps from running.
    mutating func markBlocked() {
        guard anyArrayOffline else { return }
        // Sources of the relationships this plan creates: their initialisation and first
        // update need the source too.
        var plannedSources: [String: String] = [:]
        for operation in actions.lazy.flatMap(\.operations) {
            if case .createRelationship(let source, let destination, _, _, _) = operation { plannedSources[destination] = source }
        }
        for index in actions.indices {
            let action = actions[index]
            let offline = action.operations.compactMap { operation -> String? in
                switch operation {
                case .createSnapshot(let spec): return blockingArray(forVolume: spec.volume)
                case .deleteSnapshot(let volume, _): return blockingArray(forVolume: volume)
                case .updateRelationship(let destination, _, _), .initializeRelationship(let destination),
                    .resyncRelationship(let destination):
                    let source = relationshipsByDestination[destination]?.source ?? plannedSources[destination]
                    return blockingArray(forVolume: destination) ?? source.flatMap { blockingArray(forVolume: $0) }
                case .createClone(_, let volume, _, _): return blockingArray(forVolume: volume)
                case .installArray, .installCluster: return nil
                default: return action.arrays.first(where: isOffline)
                }
            }.first
            if let offline { actions[index].blockedBy = "array '\(offline)' is offline" }
        }
    }
}
