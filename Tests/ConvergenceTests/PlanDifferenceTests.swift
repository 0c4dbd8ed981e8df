import FlashPlanConfig
import FlashPlanEngine
import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

@testable import FlashPlanApp

/// `flashplan diff`'s difference of two plans against the same observed state.
struct PlanDifferenceTests {
    static let estate = """
        settings: {timezone: UTC}
        arrays: {a1: {model: FlashSystem 820, capacity: 24TB}, a2: {model: FlashSystem 810, capacity: 10TB}}
        clusters: {c1: {}}
        pools:
          gold: {cluster: c1, capacity_from: [{array: a1, capacity: 10TB}]}
          dr: {cluster: c1, capacity_from: [{array: a2, capacity: 5TB}]}
        hosts: {h1: {}, h2: {}}
        volumes:
          v1: {pool: gold, size: 100GiB, hosts: [h1]}
          v2: {pool: gold, size: 100GiB, hosts: [h2]}
        policies:
          hourly-6: {frequency: hourly, retention: {count: 6}}
        """

    static let groups = """
        resource_groups:
          g1: {hosts: [h1], volumes: [v1], policies: [{policy: hourly-6}], replicate: [{to: dr, type: mirror}]}
          g2: {hosts: [h2], volumes: [v2], policies: [{policy: hourly-6}]}
        """

    @Test func destructiveWorkComesFirstAndUnmanagedBackupsAreListed() async throws {
        let harness = try Harness(Self.estate + "\n" + Self.groups)
        let start = Harness.date("2026-11-21T00:30:00Z")
        for hour in 0..<8 { try await harness.applyCleanly(start.adding(hours: Double(hour))) }
        let now = start.adding(hours: 8)
        let observed = try harness.observe(now)
        // The proposal keeps 2 hourly backups instead of 6 and drops group g2.
        let proposed = try Harness.load(
            Self.estate.replacingOccurrences(of: "count: 6", with: "count: 2") + "\n"
                + Self.groups.replacingOccurrences(of: "  g2: {hosts: [h2], volumes: [v2], policies: [{policy: hourly-6}]}", with: ""))
        let base = Planner(configuration: harness.configuration, observed: observed, now: now).plan()
        let plan = Planner(configuration: proposed, observed: observed, now: now).plan()
        let difference = PlanDifference(base: base, proposed: plan)

        let prunes = difference.onlyProposed.filter { $0.kind == "prune" }
        #expect(prunes.count == 4, "6 kept by the base, 2 by the proposal: \(difference.onlyProposed.map(\.id))")
        #expect(prunes.allSatisfy { $0.severity == .deletes && $0.group == "g1" })
        let severities = difference.onlyProposed.map(\.severity)
        #expect(severities == severities.sorted { ($0 == .routine ? 1 : 0) < ($1 == .routine ? 1 : 0) }, "deletions before routine work: \(difference.onlyProposed.map(\.id))")
        #expect(difference.onlyBase.contains { $0.kind == "snapshot" && $0.group == "g2" }, "the base would still back g2 up")
        #expect(difference.unmanagedOnlyProposed.map(\.group) == ["g2"])
        #expect(difference.unmanagedOnlyProposed.first?.backups == 6)
        #expect(difference.unmanagedOnlyBase.isEmpty)
        #expect(difference.differing.contains { $0.kind == "transfer" && $0.severity == .deletes }, "the mirror drops what the source prunes")
        #expect(difference.destroysOnlyProposed.count == 5)
    }

    @Test func identicalConfigurationsMakeNoDifference() async throws {
        let harness = try Harness(Self.estate + "\n" + Self.groups)
        let now = Harness.date("2026-11-21T00:30:00Z")
        try await harness.applyCleanly(now)
        let plan = try harness.plan(now.adding(hours: 1))
        let difference = PlanDifference(base: plan, proposed: plan)
        #expect(difference.onlyProposed.isEmpty && difference.onlyBase.isEmpty && difference.differing.isEmpty)
        #expect(difference.unmanagedOnlyProposed.isEmpty && difference.unmanagedOnlyBase.isEmpty)
    }
}
