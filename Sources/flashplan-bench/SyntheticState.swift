import FlashPlanModel
import Foundation

/// An observed state for the fleet built in memory: the infrastructure of the
/// configuration, and on every volume the backups its retention keeps in steady
/// state (72 hourly, the newest an hour old so every group is due, and 28 daily):
/// 100 snapshots a volume, a million for the fleet.
enum SyntheticState {
    static func make(_ configuration: Configuration, now: Date) -> ObservedState {
        var state = ObservedState(lineage: "bench", serial: 1)
        state.arrays = configuration.arrays.values.sorted { $0.name < $1.name }.map {
            ObservedArray(name: $0.name, model: $0.model, capacity: $0.capacity, site: $0.site)
        }
        state.clusters = configuration.clusters.values.map { ObservedCluster(name: $0.name, site: $0.site, ioGroups: $0.ioGroups) }
        state.pools = configuration.pools.values.sorted { $0.name < $1.name }.map {
            ObservedPool(
                name: $0.name, cluster: $0.cluster, capacityFrom: $0.capacityFrom, warningThreshold: $0.warningThreshold,
                maxOvercommit: $0.maxOvercommit, easyTier: $0.easyTier, physicalCapacity: $0.physicalCapacity,
                usedCapacity: .zero, virtualCapacity: .zero)
        }
        state.hosts = configuration.hosts.values.sorted { $0.name < $1.name }.map { ObservedHost(name: $0.name, site: $0.site) }
        let created = now.addingTimeInterval(-40 * 86400)
        state.volumes = configuration.volumes.values.sorted { $0.name < $1.name }.map {
            ObservedVolume(name: $0.name, pool: $0.pool, size: $0.size, hosts: $0.hosts, created: created)
        }
        var snapshots: [ObservedSnapshot] = []
        snapshots.reserveCapacity(configuration.volumes.count * 100)
        for group in configuration.resourceGroups.values.sorted(by: { $0.name < $1.name }) {
            for volume in group.volumes {
                for age in (1...72).reversed() {
                    let time = now.addingTimeInterval(-Double(age) * 3600)
                    snapshots.append(ObservedSnapshot(
                        volume: volume, name: "\(group.name)_h\(age)", label: "hourly", created: time, hosts: group.hosts,
                        group: group.name))
                }
                for age in (1...28).reversed() {
                    let time = now.addingTimeInterval(-Double(age) * 86400 + 1800)
                    snapshots.append(ObservedSnapshot(
                        volume: volume, name: "\(group.name)_d\(age)", label: "daily", created: time, hosts: group.hosts,
                        group: group.name))
                }
            }
        }
        state.snapshots = snapshots
        return state
    }
}
