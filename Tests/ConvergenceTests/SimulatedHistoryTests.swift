import FlashPlanEngine
import FlashPlanApp
import FlashPlanModel
import FlashPlanSchedule
import Foundation
import Testing

/// Property tests over random estates replayed hour by hour through the simulator:
/// DST folds and gaps in several zones, volumes shared by groups, replication
/// destinations of shared volumes, volumes at the 255 ceiling. After every apply:
/// everything applied, the plan converges, no volume ever held more than 255, and each
/// label has at most one backup per elapse of its schedule's chain.
@Suite("Random histories through the simulator")
struct SimulatedHistoryTests {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
        mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
    }

    /// Zones and the 2026 transition the history crosses (a day before it to two days after).
    static let zones: [(zone: String, transition: String)] = [
        ("Europe/Rome", "2026-10-25T01:00:00Z"), ("Europe/Rome", "2026-03-29T01:00:00Z"),
        ("America/New_York", "2026-11-01T06:00:00Z"), ("America/New_York", "2026-03-08T07:00:00Z"),
        ("Australia/Lord_Howe", "2026-04-04T15:00:00Z"), ("Europe/London", "2026-10-25T01:00:00Z"),
    ]

    struct Scenario {
        var yaml: String
        var zone: TimeZone
        var start: Date
        var hours: Int
        /// label → (schedule expression, retention count) per group
        var schedules: [String: [String: String]]
        var handMade: [String: Int]
    }

    static func make(seed: UInt64) -> Scenario {
        var rng = Generator(seed: seed)
        let (zone, transition) = rng.pick(zones)
        let daily = rng.pick(["daily", "*-*-* 02:30:00", "*-*-* 01:45:00", "*-*-* 02:00:00"])
        let hourly = rng.pick(["hourly", "*-*-* *:30:00", "*-*-* 00/2:15:00"])
        let weekly = rng.pick(["weekly", "Sun 02:30", "Sun 01:30"])
        let hourlyCount = rng.int(2...30)
        let dailyCount = rng.int(1...4)
        let weeklyCount = rng.int(1...3)
        let shared = rng.chance(0.6)
        let mirrorA = rng.chance(0.5)
        let vaultB = rng.chance(0.5)
        // A volume near the ceiling: hand-made snapshots fill it to what its retention leaves free.
        let ceiling = rng.chance(0.4)
        var yaml = """
            settings: {timezone: \(zone)}
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
              v1: {pool: gold, size: 10GiB, hosts: [h1, h2], change_rate: 1%}
              v2: {pool: gold, size: 10GiB, hosts: [h2], change_rate: 1%}
              v3: {pool: gold, size: 10GiB, hosts: [h1], change_rate: 1%}
            policies:
              hourly: {frequency: hourly, retention: {count: \(hourlyCount)}}
              daily: {frequency: daily, retention: {count: \(dailyCount)}}
              weekly: {frequency: weekly, retention: {count: \(weeklyCount)}}
            resource_groups:
              ga:
                hosts: [h1]
                volumes: [v1, v3]
                policies: [{policy: hourly, schedule: "\(hourly)"}, {policy: daily, schedule: "\(daily)"}]

            """
        if mirrorA { yaml += "    replicate: [{to: dr, type: mirror}]\n" }
        yaml += """
              gb:
                hosts: [h2]
                volumes: [\(shared ? "v1, v2" : "v2")]
                policies: [{policy: daily, schedule: "\(daily)"}, {policy: weekly, schedule: "\(weekly)"}]

            """
        if vaultB { yaml += "    replicate: [{to: vault, type: vault, retention: {weekly: {count: 2}, daily: {count: \(rng.int(1...3))}}}]\n" }
        let used = hourlyCount + dailyCount + (shared ? weeklyCount + dailyCount : 0)
        return Scenario(
            yaml: yaml, zone: TimeZone(identifier: zone)!,
            start: ISO8601DateFormatter().date(from: transition)!.addingTimeInterval(-Double(rng.int(20...30)) * 3600),
            hours: rng.int(48...60),
            schedules: [
                "ga": ["hourly": hourly, "daily": daily],
                "gb": ["daily": daily, "weekly": weekly],
            ],
            handMade: ceiling ? ["v1": 255 - used] : [:])
    }

    @Test(arguments: Array(0..<6)) func randomHistories(_ chunk: Int) async throws {
        for i in 0..<4 {
            let seed = UInt64(chunk * 4 + i)
            let scenario = Self.make(seed: seed)
            try await replay(scenario, seed: seed)
        }
    }

    func replay(_ scenario: Scenario, seed: UInt64) async throws {
        let context = "seed \(seed):\n\(scenario.yaml)"
        let h = try Harness(scenario.yaml)
        try await h.applyCleanly(scenario.start.addingTimeInterval(-3600))
        for (volume, count) in scenario.handMade where count > 0 {
            let operations = (0..<count).map { StorageOperation.createSnapshot(SnapshotSpec(volume: volume, name: "hand-\($0)", label: "manual")) }
            try h.backend.performAll(operations, at: scenario.start.addingTimeInterval(-1800))
        }
        var peak = 0
        for hour in 0..<scenario.hours {
            let now = scenario.start.addingTimeInterval(Double(hour) * 3600 + Double(hour % 7) * 60)
            let (plan, report) = try await h.apply(now)
            let failed = report.results.filter { $0.status != .applied }.map { "\($0.id): \($0.message ?? "")" }
            let allApplied = failed.isEmpty
            #expect(allApplied, "\(now.iso8601) \(failed)\n\(context)")
            let left = try h.plan(now).actions.map(\.id)
            let converged = left.isEmpty
            #expect(converged, "\(now.iso8601) not converged: \(left)\n\(context)")
            let observed = try h.observe(now)
            peak = max(peak, Dictionary(grouping: observed.snapshots, by: \.volume).values.map(\.count).max() ?? 0)
            guard allApplied, converged, !plan.hasErrors else { return }
        }
        #expect(peak <= 255)
        // At most one backup per elapse: between two consecutive elapses of the chain a label gets one backup.
        let observed = try h.observe(scenario.start.addingTimeInterval(Double(scenario.hours) * 3600))
        let first = scenario.start.addingTimeInterval(-2 * 86400)
        for (group, labels) in scenario.schedules {
            for (label, expression) in labels {
                let event = try CalendarEvent(parsing: expression == "hourly" || expression == "daily" || expression == "weekly"
                    ? ["hourly": "*-*-* *:00:00", "daily": "*-*-* 00:00:00", "weekly": "Mon *-*-* 00:00:00"][expression]! : expression)
                var chain: [Date] = []
                var t = first
                while let next = event.nextElapse(after: t, defaultTimeZone: scenario.zone), next <= observed.snapshots.map(\.created).max() ?? first {
                    chain.append(next)
                    t = next
                }
                let times = Set(observed.snapshots.filter { $0.group == group && $0.label == label && $0.created >= scenario.start }.map(\.created)).sorted()
                var perInterval: [Int: Int] = [:]
                for time in times {
                    let interval = chain.lastIndex { $0 <= time } ?? -1
                    perInterval[interval, default: 0] += 1
                }
                let twice = perInterval.filter { $0.value > 1 }
                #expect(twice.isEmpty, "\(group) '\(label)' (\(expression)): two backups after one elapse: \(twice.keys.sorted().map { $0 >= 0 ? chain[$0].iso8601 : "start" }) backups at \(times.map(\.iso8601))\n\(context)")
            }
        }
    }
}
