import FlashPlanModel
import Foundation
import Testing

@testable import FlashPlanEngine
@testable import FlashPlanApp

/// Groups are planned on forks of the builder, in parallel for large estates: the
/// result must be the one of planning them one after the other.
@Suite struct PlannerParallelTests {
    @Test func parallelGroupPlanningEqualsSequential() throws {
        let groups = 300
        var volumes = "volumes:\n"
        var rest = """
            policies:
              h: {frequency: hourly, retention: {count: 3}}
              d: {frequency: daily, retention: {days: 2}}
            resource_groups:

            """
        for i in 0..<groups {
            volumes += "  v\(i): {pool: gold, size: 10GiB, hosts: [h1]}\n"
            rest += "  g\(i): {hosts: [h1], volumes: [v\(i)\(i % 3 == 0 ? ", v\((i + 1) % groups)" : "")], policies: [{policy: h}, {policy: d}]\(i % 5 == 0 ? ", replicate: [{to: dr, type: mirror}]" : "")}\n"
        }
        let configuration = Estate.configuration(volumes: volumes, rest)
        var observed = PlannerFixture.provisioned(configuration)
        for i in 0..<groups where i % 2 == 0 {
            observed.snapshots += Estate.backup("g\(i)_h1_old", label: "hourly", group: "g\(i)", at: "2026-11-20T00:00:00Z", volumes: ["v\(i)"])
        }
        observed.snapshots.sort { ($0.volume, $0.created, $0.name) < ($1.volume, $1.created, $1.name) }
        var builder = PlanBuilder(configuration: configuration, observed: observed, now: PlannerFixture.date(Estate.now))
        builder.planInfrastructure()
        let sorted = configuration.resourceGroups.keys.sorted().map { configuration.resourceGroups[$0]! }
        let parallel = builder.planGroups(sorted)
        let sequential = builder.planGroups(sorted, parallel: false)
        #expect(parallel.map(\.actions) == sequential.map(\.actions))
        #expect(parallel.map(\.retention) == sequential.map(\.retention))
        #expect(parallel.map(\.diagnostics) == sequential.map(\.diagnostics))
        #expect(parallel.flatMap(\.actions).count > groups)
    }
}
