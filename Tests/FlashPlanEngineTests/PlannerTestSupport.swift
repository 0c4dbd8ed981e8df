import FlashPlanConfig
import FlashPlanModel
import Foundation
import Testing

@testable import FlashPlanEngine
@testable import FlashPlanApp

/// Shared vocabulary of the planner tests: the estate without volumes, configurations
/// made of that estate plus a few sections, backups of several volumes, and lookups
/// into a `Plan`.
enum Estate {
    /// Arrays, clusters, pools and hosts of `PlannerFixture.baseYAML`, without volumes.
    /// gold is on a1; dr and vault are on a2.
    static let infrastructure = """
        arrays:
          a1: {model: FlashSystem 820, capacity: 24TB}
          a2: {model: FlashSystem 810, capacity: 10TB}
        clusters: {c1: {}}
        pools:
          gold: {cluster: c1, capacity_from: [{array: a1, capacity: 10TB}]}
          dr: {cluster: c1, capacity_from: [{array: a2, capacity: 5TB}]}
          vault: {cluster: c1, capacity_from: [{array: a2, capacity: 5TB}]}
        hosts: {h1: {}, h2: {}}
        """

    /// The volumes of `PlannerFixture.baseYAML`: v1 on h1, v2 shared by h1 and h2.
    static let volumes = """
        volumes:
          v1: {pool: gold, size: 100GiB, hosts: [h1]}
          v2: {pool: gold, size: 100GiB, hosts: [h1, h2]}
        """

    static let now = "2026-11-21T10:00:00Z"

    /// `settings` + infrastructure + `volumes` + whatever else (policies, groups) is given.
    static func yaml(settings: String = "settings: {timezone: UTC}", volumes: String = Estate.volumes, _ rest: String = "") -> String {
        [settings, infrastructure, volumes, rest].filter { !$0.isEmpty }.joined(separator: "\n")
    }

    static func configuration(settings: String = "settings: {timezone: UTC}", volumes: String = Estate.volumes, _ rest: String = "")
        -> Configuration
    {
        PlannerFixture.configuration(yaml(settings: settings, volumes: volumes, rest))
    }

    /// One group `g` (host h1, the given volumes) with one policy `p`.
    static func group(
        frequency: String = "daily", retention: String = "{count: 3}", immutable: Bool = false, schedule: String? = nil,
        volumes: [String] = ["v1"], extra: String = ""
    ) -> String {
        """
        policies:
          p: {frequency: \(frequency), retention: \(retention)\(immutable ? ", immutable: true" : "")}
        resource_groups:
          g:
            hosts: [h1]
            volumes: [\(volumes.joined(separator: ", "))]
            policies: [{policy: p\(schedule.map { ", schedule: \"\($0)\"" } ?? "")}]
        \(extra)
        """
    }

    /// The snapshots of one backup: one per volume, same name, label and time.
    static func backup(
        _ name: String, label: String = "daily", group: String? = "g", at created: String, volumes: [String] = ["v1"],
        immutableUntil: String? = nil
    ) -> [ObservedSnapshot] {
        volumes.map {
            ObservedSnapshot(
                volume: $0, name: name, label: label, created: PlannerFixture.date(created), group: group,
                immutableUntil: immutableUntil.map(PlannerFixture.date))
        }
    }

    /// The backup name the planner gives a backup of group g (first host h1) at `time`, in UTC.
    static func name(_ time: String, group: String = "g", host: String = "h1", zone: String = "UTC") -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: PlannerFixture.date(time))
        return String(format: "%@_%@_%02d-%02d-%04d_%02d.%02d.%02d", group, host, c.month!, c.day!, c.year!, c.hour!, c.minute!, c.second!)
    }

    static func relationship(
        _ source: String, to pool: String, _ type: Replication.Kind, state: ObservedRelationship.State = .idle
    ) -> ObservedRelationship {
        ObservedRelationship(source: source, destination: "\(source)_\(pool)", type: type, state: state, group: "g")
    }

    /// An existing destination volume `<source>_<pool>`.
    static func destination(_ source: String, in pool: String, size: ByteCount = .gib(100)) -> ObservedVolume {
        ObservedVolume(
            name: "\(source)_\(pool)", pool: pool, size: size, role: .destination, created: PlannerFixture.date("2026-01-01T00:00:00Z"))
    }

    /// A copy of `snapshots` as held by the destination volume in `pool`.
    static func held(_ snapshots: [ObservedSnapshot], in pool: String) -> [ObservedSnapshot] {
        snapshots.map { var s = $0; s.volume = "\(s.volume)_\(pool)"; return s }
    }
}

extension Plan {
    /// Tests name actions by the text plans print (`kind:address`).
    func action(_ id: String) -> PlanAction? { actions.first { $0.id.description == id } }
    func action(_ id: ActionID) -> PlanAction? { actions.first { $0.id == id } }
    func actions(_ kind: ActionKind) -> [PlanAction] { actions.filter { $0.kind == kind } }
    var ids: [String] { actions.map(\.id.description) }
    func diagnostics(_ rule: Rule) -> [Diagnostic] { diagnostics.filter { $0.rule == rule } }
    var rules: Set<Rule> { Set(diagnostics.map(\.rule)) }

    func decision(_ backup: String, at location: String = "primary") -> RetentionDecision? {
        retention.first { $0.backup == backup && $0.location == CopyLocation(location) }
    }

    /// Backup names pruned on primary.
    var prunedBackups: Set<String> {
        Set(actions(.prune).filter { $0.address.description.hasPrefix("backup.") }.map { String($0.address.description.split(separator: "/").last!) })
    }

    /// Ids `id` depends on, directly or not.
    func ancestors(of id: String) -> Set<String> {
        var seen = Set<String>()
        var stack = (action(id)?.dependsOn ?? []).map(\.description)
        while let next = stack.popLast() {
            guard seen.insert(next).inserted else { continue }
            stack += (action(next)?.dependsOn ?? []).map(\.description)
        }
        return seen
    }

    /// True when `later` runs after `earlier` in every execution of the DAG.
    func orders(_ earlier: some CustomStringConvertible, before later: some CustomStringConvertible) -> Bool {
        ancestors(of: later.description).contains(earlier.description)
    }

    /// The update operation of the transfer to `destination`.
    func update(of destination: String) -> (transfer: [String], drop: [String])? {
        for operation in action("transfer:relationship.\(destination)")?.operations ?? [] {
            if case .updateRelationship(_, let transfer, let drop) = operation { return (transfer, drop) }
        }
        return nil
    }

    /// The specs of a backup's snapshot action.
    func snapshotSpecs(_ id: some CustomStringConvertible) -> [SnapshotSpec] {
        (action(id.description)?.operations ?? []).compactMap { if case .createSnapshot(let spec) = $0 { spec } else { nil } }
    }

    var json: String { (try? PlanJSONRenderer.render(self)) ?? "<unencodable>" }
}
