import FlashPlanConfig
import FlashPlanModel
import Foundation
import Testing

@testable import FlashPlanEngine
@testable import FlashPlanApp

/// Builds configurations from inline YAML and observed states by hand, for planner tests.
enum PlannerFixture {
    static let lineage = "00000000-0000-0000-0000-000000000001"

    /// A small estate: one array, one pool, two volumes (one shared by two hosts), a DR pool.
    static let baseYAML = """
        settings: {timezone: UTC}
        arrays:
          a1: {model: FlashSystem 820, capacity: 24TB}
          a2: {model: FlashSystem 810, capacity: 10TB}
        clusters: {c1: {}}
        pools:
          gold: {cluster: c1, capacity_from: [{array: a1, capacity: 10TB}]}
          dr: {cluster: c1, capacity_from: [{array: a2, capacity: 5TB}]}
          vault: {cluster: c1, capacity_from: [{array: a2, capacity: 5TB}]}
        hosts: {h1: {}, h2: {}}
        volumes:
          v1: {pool: gold, size: 100GiB, hosts: [h1]}
          v2: {pool: gold, size: 100GiB, hosts: [h1, h2]}
        """

    static func configuration(_ yaml: String, file: String = "t.yaml") -> Configuration {
        let result = ConfigurationLoader.load(sources: [SourceFile(path: file, text: yaml)])
        #expect(!result.hasErrors, "fixture YAML is invalid: \(result.diagnostics.map(\.description))")
        return result.configuration
    }

    static func date(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    /// The observed state once the infrastructure of `configuration` exists, with no snapshots.
    static func provisioned(_ configuration: Configuration, created: Date = date("2026-01-01T00:00:00Z")) -> ObservedState {
        var state = ObservedState(lineage: lineage, serial: 1)
        state.arrays = configuration.arrays.values.sorted { $0.name < $1.name }.map {
            ObservedArray(name: $0.name, model: $0.model, capacity: $0.capacity, site: $0.site)
        }
        state.clusters = configuration.clusters.values.sorted { $0.name < $1.name }.map {
            ObservedCluster(name: $0.name, site: $0.site, ioGroups: $0.ioGroups)
        }
        state.pools = configuration.pools.values.sorted { $0.name < $1.name }.map {
            ObservedPool(
                name: $0.name, cluster: $0.cluster, capacityFrom: $0.capacityFrom, warningThreshold: $0.warningThreshold,
                maxOvercommit: $0.maxOvercommit, easyTier: $0.easyTier, physicalCapacity: $0.physicalCapacity,
                usedCapacity: .zero, virtualCapacity: .zero)
        }
        state.hosts = configuration.hosts.values.sorted { $0.name < $1.name }.map { ObservedHost(name: $0.name, site: $0.site) }
        state.volumes = configuration.volumes.values.filter { $0.state == .present }.sorted { $0.name < $1.name }.map {
            ObservedVolume(
                name: $0.name, pool: $0.pool, size: $0.size, accessProtocol: $0.accessProtocol, thin: $0.thin || $0.compressed,
                compressed: $0.compressed, mirrorPool: $0.mirrorPool, hosts: $0.hosts, changeRate: $0.changeRate, created: created)
        }
        return state
    }

    static func snapshot(_ volume: String, _ name: String, label: String, group: String?, at created: String) -> ObservedSnapshot {
        ObservedSnapshot(volume: volume, name: name, label: label, created: date(created), group: group)
    }

    static func plan(_ configuration: Configuration, _ observed: ObservedState, now: String, options: PlanOptions = PlanOptions()) -> Plan {
        Planner(configuration: configuration, observed: observed, now: date(now), options: options).plan()
    }
}
