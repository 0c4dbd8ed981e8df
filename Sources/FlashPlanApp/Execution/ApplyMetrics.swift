import FlashPlanEngine
import FlashPlanModel
import Foundation
import Prometheus

/// The Prometheus text exposition an apply leaves for node_exporter's textfile collector.
public enum ApplyMetrics {
    public static func render(
        report: ApplyReport?, outcome: String, configuration: Configuration, observed: ObservedState, now: Date,
        leftToOtherRunners: Int? = nil
    ) -> String {
        let registry = PrometheusCollectorRegistry()
        if let leftToOtherRunners {
            registry.gauge(
                name: "flashplan_actions_left_to_other_runners",
                help: "With --scope: actions of the plan left to other sites' runners (another site's work, or a transfer whose other site's lease was held)."
            ).set(to: Double(leftToOtherRunners))
        }
        registry.gauge(name: "flashplan_last_apply_timestamp_seconds", help: "When the last apply ran (its --now), Unix time.")
            .set(to: now.timeIntervalSince1970)
        for candidate in ApplyOutcome.metricsOutcomes {
            registry.gauge(
                name: "flashplan_last_apply_outcome", labels: [("outcome", candidate)],
                help: "1 for the outcome of the last apply, 0 for the others."
            ).set(to: candidate == outcome ? 1 : 0)
        }
        if let report {
            registry.gauge(name: "flashplan_last_apply_duration_seconds", help: "How long the last apply's actions took.")
                .set(to: report.seconds)
            var counts: [String: [String: Int]] = [:]
            for result in report.results { counts[result.kind.rawValue, default: [:]][result.status.rawValue, default: 0] += 1 }
            for (kind, byStatus) in counts.sorted(by: { $0.key < $1.key }) {
                for (status, n) in byStatus.sorted(by: { $0.key < $1.key }) {
                    registry.gauge(
                        name: "flashplan_apply_actions", labels: [("kind", kind), ("result", status)],
                        help: "Actions of the last apply, by kind and result."
                    ).set(to: Double(n))
                }
            }
        }
        // Written on every run, 0 included, so that an alert on them can always fire.
        let held = report?.results.filter { $0.message?.hasPrefix("blocked: held:") == true }.count ?? 0
        registry.gauge(
            name: "flashplan_held_destructive_actions",
            help: "Destructive actions the last apply held for want of consent (--allow-destructive)."
        ).set(to: Double(held))
        var unmanaged: [String: Int] = [:]
        for snapshot in observed.snapshots {
            guard let group = snapshot.group, configuration.resourceGroups[group] == nil else { continue }
            unmanaged[group, default: 0] += 1
        }
        registry.gauge(
            name: "flashplan_unmanaged_snapshots_total", help: "Snapshots of resource groups no longer declared (kept, never pruned)."
        ).set(to: Double(unmanaged.values.reduce(0, +)))
        for (group, count) in unmanaged.sorted(by: { $0.key < $1.key }) {
            registry.gauge(
                name: "flashplan_unmanaged_snapshots", labels: [("group", group)],
                help: "Snapshots of a resource group no longer declared (kept, never pruned)."
            ).set(to: Double(count))
        }
        for status in ProtectionStatus.evaluate(configuration: configuration, observed: observed, now: now) {
            let labels = [("group", status.group), ("label", status.label)]
            if let age = status.ageSeconds {
                registry.gauge(name: "flashplan_backup_age_seconds", labels: labels, help: "Age of the newest backup.").set(to: age)
            }
            registry.gauge(name: "flashplan_rpo_met", labels: labels, help: "1 when no scheduled backup was missed.")
                .set(to: status.rpoMet ? 1 : 0)
        }
        var perVolume: [String: Int] = [:]
        for snapshot in observed.snapshots { perVolume[snapshot.volume, default: 0] += 1 }
        for volume in observed.volumes {
            registry.gauge(
                name: "flashplan_volume_snapshots", labels: [("volume", volume.name)],
                help: "Snapshots held by a volume (at most 255)."
            ).set(to: Double(perVolume[volume.name] ?? 0))
        }
        // An offline array stops its volumes' backups at once, though no label is late
        // before its next elapse: a series of its own lets an alert fire immediately.
        registry.gauge(name: "flashplan_arrays_offline", help: "Arrays that are offline (always written, 0 included).")
            .set(to: Double(observed.arrays.filter { $0.status == .offline }.count))
        for array in observed.arrays {
            registry.gauge(
                name: "flashplan_array_online", labels: [("array", array.name)],
                help: "1 when the array serves I/O (online or degraded), 0 when it is offline."
            ).set(to: array.isAvailable ? 1 : 0)
        }
        for pool in observed.pools {
            registry.gauge(name: "flashplan_pool_used_bytes", labels: [("pool", pool.name)], help: "Physical space used.")
                .set(to: Double(pool.usedCapacity.bytes))
            registry.gauge(name: "flashplan_pool_capacity_bytes", labels: [("pool", pool.name)], help: "Physical capacity.")
                .set(to: Double(pool.physicalCapacity.bytes))
            registry.gauge(name: "flashplan_pool_used_ratio", labels: [("pool", pool.name)], help: "Physical use, 0 to 1.")
                .set(to: pool.physicalCapacity.bytes == 0 ? 0 : Double(pool.usedCapacity.bytes) / Double(pool.physicalCapacity.bytes))
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Written atomically (temporary file + rename) so the collector never reads half a file.
    public static func write(_ text: String, to path: String) throws {
        try AtomicFile.write(Data(text.utf8), to: path, permissions: 0o644, option: "--metrics-file")
    }
}

extension PrometheusCollectorRegistry {
    /// A gauge named exactly `name`: swift-prometheus deprecated `makeGauge(name:…)` for a
    /// descriptor, whose empty unit adds nothing to the name, so the text stays the same.
    fileprivate func gauge(name: String, labels: [(String, String)] = [], help: String) -> Gauge {
        makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }
}
