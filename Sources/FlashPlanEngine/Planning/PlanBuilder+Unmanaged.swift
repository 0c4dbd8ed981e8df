import FlashPlanModel
import Foundation

extension PlanBuilder {
    /// The volumes each declared group protects, and the destinations it replicates them to.
    func managedVolumes() -> [String: Set<String>] {
        var managed: [String: Set<String>] = [:]
        for group in configuration.resourceGroups.values {
            for name in protectedVolumes(of: group) {
                managed[name, default: []].insert(group.name)
                for replication in group.replicate { managed[replication.destinationVolume(of: name), default: []].insert(group.name) }
            }
        }
        return managed
    }

    /// Distinct volumes of the group that can be backed up (federated: a shared volume is snapped once).
    func protectedVolumes(of group: ResourceGroup) -> [String] {
        var seen: Set<String> = []
        return group.volumes.filter { name in
            guard let v = configuration.volumes[name], v.state == .present, v.accessProtocol != .smb else { return false }
            return seen.insert(name).inserted
        }
    }

    /// Backups no declared group manages any more (DESIGN §4): reported by the plan,
    /// never pruned. One pass over the snapshots; only volumes holding such backups
    /// are looked at twice.
    mutating func reportUnmanaged() {
        let managed = managedVolumes()
        struct Key: Hashable { var group: String; var cause: UnmanagedBackups.Cause }
        var found: [Key: (volumes: Set<String>, names: Set<String>, snapshots: Int, newest: Date)] = [:]
        for (volume, snapshots) in snapshotsByVolume.volumes {
            let groups = managed[volume] ?? []
            // By index, not by element: copying a million snapshots costs more than the scan.
            var last: String?
            var foreign = false
            for index in snapshots.indices {
                guard let group = snapshots[index].group, group != last else { continue }
                last = group
                if !groups.contains(group) {
                    foreign = true
                    break
                }
            }
            guard foreign else { continue }
            for snapshot in snapshots {
                guard let group = snapshot.group, !groups.contains(group) else { continue }
                let cause: UnmanagedBackups.Cause
                if configuration.resourceGroups[group] != nil {
                    let isDestination = relationshipsByDestination[volume] != nil || volumes[volume]?.role == .destination
                    cause = isDestination ? .destinationRemoved : .volumeRemoved
                } else {
                    cause = .groupRemoved
                }
                let key = Key(group: group, cause: cause)
                var entry = found[key] ?? ([], [], 0, .distantPast)
                entry.volumes.insert(volume)
                entry.names.insert(snapshot.name)
                entry.snapshots += 1
                entry.newest = max(entry.newest, snapshot.created)
                found[key] = entry
            }
        }
        // Nothing protected at all while backups exist: an empty or wrong --config, not a
        // decision to stop protecting everything (DESIGN §4).
        let protectsSomething = configuration.resourceGroups.values.contains { !protectedVolumes(of: $0).isEmpty }
        if !protectsSomething, !found.isEmpty {
            let backups = found.values.reduce(0) { $0 + $1.names.count }
            diagnostics.append(.protectsNothing(backups: backups, groups: Set(found.keys.map(\.group)).sorted()))
        }
        for (key, entry) in found.sorted(by: { ($0.key.group, $0.key.cause.rawValue) < ($1.key.group, $1.key.cause.rawValue) }) {
            let item = UnmanagedBackups(
                group: key.group, cause: key.cause, volumes: entry.volumes.sorted(), backups: entry.names.count,
                snapshots: entry.snapshots, newest: entry.newest)
            unmanaged.append(item)
            diagnostics.append(.unmanagedBackups(item, declared: configuration.resourceGroups[key.group]))
        }
        reportUnmanagedClones(managed: managed)
    }

    /// Clones made from backups no declared group manages: kept, like those backups (a
    /// group's own clones it no longer declares are deleted, with consent, by its plan).
    private mutating func reportUnmanagedClones(managed: [String: Set<String>]) {
        var byGroup: [String: [ObservedClone]] = [:]
        for clone in observed.clones {
            guard let parent = snapshotsByVolume[clone.volume]?.first(where: { $0.name == clone.parentSnapshot }),
                let group = parent.group, !(managed[clone.volume] ?? []).contains(group)
            else { continue }
            byGroup[group, default: []].append(clone)
        }
        for (group, clones) in byGroup.sorted(by: { $0.key < $1.key }) {
            diagnostics.append(.unmanagedClones(clones.sorted { $0.name < $1.name }, group: group, declared: configuration.resourceGroups[group]))
        }
    }
}
