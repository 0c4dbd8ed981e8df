import FlashPlanConfig
import FlashPlanEngine
import FlashPlanModel
import FlashPlanSimulator
import Foundation
import FoundationXML
import Testing

@testable import FlashPlanApp

/// `flashplan simulate`'s loop: the real planner and executor over simulated time on a
/// scratch copy of the state.
struct SimulationTests {
    static let yaml = """
        settings: {timezone: UTC}
        arrays: {a1: {model: FlashSystem 820, capacity: 24TB}, a2: {model: FlashSystem 810, capacity: 10TB}}
        clusters: {c1: {}}
        pools:
          gold: {cluster: c1, capacity_from: [{array: a1, capacity: 10TB}]}
          dr: {cluster: c1, capacity_from: [{array: a2, capacity: 5TB}]}
        hosts: {h1: {}}
        volumes:
          v1: {pool: gold, size: 1TiB, hosts: [h1]}
        policies:
          hourly-5: {frequency: hourly, retention: {count: 5}}
          daily-2: {frequency: daily, retention: {days: 2}}
        resource_groups:
          g:
            hosts: [h1]
            volumes: [v1]
            policies: [{policy: hourly-5}, {policy: daily-2}]
            replicate: [{to: dr, type: mirror}]
        """

    static let start = Harness.date("2026-11-21T10:00:00Z")

    func session(_ store: StateStore) -> StateSession { StateSession(backend: store.backend, ledger: store) }

    @Test func itTakesTheBackupsTheTimerWouldAndKeepsWhatRetentionSays() async throws {
        let store = try StateStore.inMemory()
        let report = try await Simulation(configuration: try Harness.load(Self.yaml), start: Self.start, days: 3, step: 3600)
            .run(on: session(store))
        #expect(report.steps == 73)
        #expect(report.actions.failed == 0 && report.actions.refusedSteps == 0)
        let hourly = try #require(report.protection.first { $0.label == "hourly" })
        #expect(hourly.compliancePercent == 100 && hourly.samples == 73 && hourly.firstMissed == nil)
        #expect(hourly.backupsAtEnd == 5 && hourly.backupsMax == 5, "count 5: the prune a new backup makes due runs in the same apply: \(hourly)")
        let v1 = try #require(report.volumes.first { $0.volume == "v1" })
        #expect(v1.labels.first { $0.label == "hourly" }?.atEnd == 5)
        // days 2 keeps those younger than 2 days: after 3 days, the backups of 00:00 of the last two days, plus the first one's successor.
        let daily = try #require(v1.labels.first { $0.label == "daily" })
        #expect((2...3).contains(daily.atEnd), "\(daily)")
        #expect(report.volumes.contains { $0.volume == "v1_dr" && $0.atEnd == v1.atEnd }, "the mirror holds what the primary keeps")
        #expect(report.samples.count == 73 && report.samples.allSatisfy { $0.snapshots.count == report.volumes.count && $0.poolsUsedPercent.count == report.pools.count })
        // Per label over time: the samples add up to the totals, and the last one is the end.
        let column = try #require(report.volumes.firstIndex { $0.volume == "v1" })
        #expect(report.samples.allSatisfy { $0.snapshotsByLabel[column].reduce(0, +) == $0.snapshots[column] })
        let hourlyColumn = try #require(v1.labels.firstIndex { $0.label == "hourly" })
        #expect(report.samples.last?.snapshotsByLabel[column][hourlyColumn] == 5)
        #expect(report.samples.map { $0.snapshotsByLabel[column][hourlyColumn] }.max() == v1.labels[hourlyColumn].peak)
    }

    @Test func itAgreesWithTheHarnessApplyingAtTheSameTimes() async throws {
        let configuration = try Harness.load(Self.yaml)
        let report = try await Simulation(configuration: configuration, start: Self.start, days: 2, step: 7200).run(on: session(try StateStore.inMemory()))
        let harness = try Harness(Self.yaml)
        var now = Self.start
        while now <= Self.start.addingTimeInterval(2 * 86400) {
            try await harness.applyCleanly(now)
            now = now.addingTimeInterval(7200)
        }
        let end = Self.start.addingTimeInterval(2 * 86400)
        for volume in report.volumes {
            #expect(volume.atEnd == (try harness.count(volume.volume, at: end)), "\(volume.volume)")
        }
        let pools = try harness.observe(end).pools
        for pool in report.pools {
            let observed = try #require(pools.first { $0.name == pool.pool })
            let percent = (Double(observed.usedCapacity.bytes) / Double(observed.physicalCapacity.bytes) * 1000).rounded() / 10
            #expect(pool.usedPercentEnd == percent, "\(pool.pool)")
        }
    }

    @Test func aScratchCopyCarriesTheStateAndNothingReachesTheOriginal() async throws {
        let original = try StateStore.inMemory()
        let configuration = try Harness.load(Self.yaml)
        // Bring the original to a state with backups, as `flashplan apply` would.
        let first = try await Simulation(configuration: configuration, start: Self.start, days: 1, step: 3600).run(on: session(original))
        let end = first.end
        let before = try original.backend.observe(at: end)
        let copy = try original.scratchCopy()
        #expect(copy.lineage == original.lineage)
        #expect(try copy.backend.observe(at: end).snapshots == before.snapshots)
        let report = try await Simulation(configuration: configuration, start: end.addingTimeInterval(3600), days: 2, step: 3600).run(on: session(copy))
        #expect(report.actions.snapshots > 0)
        #expect(try original.backend.observe(at: end) == before, "the original is untouched")
        #expect(try original.serial == before.serial)
    }

    @Test func aPoolThatFillsIsReportedWithTheDayItCrossesItsThreshold() async throws {
        // A thick-provisioned 4 TB volume in a 5 TB pool at 60% use: every day rewrites 30%
        // of it, and daily backups kept for a week hold the old blocks.
        let yaml = """
            settings: {timezone: UTC}
            arrays: {a1: {model: FlashSystem 810, capacity: 10TB}}
            clusters: {c1: {}}
            pools: {small: {cluster: c1, capacity_from: [{array: a1, capacity: 5TB}], warning_threshold: 80%}}
            hosts: {h1: {}}
            volumes: {v1: {pool: small, size: 3TB, hosts: [h1], thin: false, change_rate: 30%}}
            policies: {daily-7: {frequency: daily, retention: {days: 7}}}
            resource_groups: {g: {hosts: [h1], volumes: [v1], policies: [{policy: daily-7}]}}
            """
        let report = try await Simulation(configuration: try Harness.load(yaml), start: Self.start, days: 10, step: 3600)
            .run(on: session(try StateStore.inMemory()))
        let pool = try #require(report.pools.first)
        let crossed = try #require(pool.warningCrossed, "\(pool)")
        #expect(pool.warningDay == report.day(of: crossed))
        #expect(pool.warningDay! >= 1, "the pool starts at 60%: \(pool)")
        #expect(pool.usedPercentPeak >= 80)
    }

    /// Each step starts from the previous step's observation brought forward in time
    /// rather than from a full observation: the report must be the same as with a full
    /// observation at every step — on backups, transfers and retention, and on a pool that
    /// fills with the time until snapshots are refused.
    @Test(arguments: [
        Self.yaml,
        """
        settings: {timezone: UTC}
        arrays: {a1: {model: FlashSystem 810, capacity: 10TB}}
        clusters: {c1: {}}
        pools: {small: {cluster: c1, capacity_from: [{array: a1, capacity: 5TB}], warning_threshold: 80%}}
        hosts: {h1: {}}
        volumes: {v1: {pool: small, size: 3TB, hosts: [h1], thin: false, change_rate: 30%}, v2: {pool: small, size: 1TB, hosts: [h1]}}
        policies: {hourly-30: {frequency: hourly, retention: {count: 30}}, daily-7: {frequency: daily, retention: {days: 7}}}
        resource_groups: {g: {hosts: [h1], volumes: [v1, v2], policies: [{policy: hourly-30}, {policy: daily-7}]}}
        """,
    ])
    func bringingTheObservationForwardReportsWhatObservingAfreshDoes(yaml: String) async throws {
        let configuration = try Harness.load(yaml)
        var afresh = Simulation(configuration: configuration, start: Self.start, days: 12, step: 1800)
        afresh.observeEveryStepAfresh = true
        let expected = try await afresh.run(on: session(try StateStore.inMemory()))
        let report = try await Simulation(configuration: configuration, start: Self.start, days: 12, step: 1800)
            .run(on: session(try StateStore.inMemory()))
        #expect(report == expected)
        #expect(report.actions.snapshots > 0 && report.actions.prunes > 0)
    }

    @Test func theChartIsWellFormedXMLAndEscapesEveryName() async throws {
        var report = try await Simulation(configuration: try Harness.load(Self.yaml), start: Self.start, days: 1, step: 3600)
            .run(on: session(try StateStore.inMemory()))
        // Names as a user could write them, with characters XML must escape and a control character.
        report.volumes[0].volume = "v1<script>&\"'\u{1B}[31m"
        report.pools[0].pool = "gold]]>&lt;"
        let svg = SimulationChart.svg(report)
        #expect(svg.contains("v1&lt;script&gt;&amp;&quot;&apos;\\u{1B}[31m"))
        #expect(!svg.contains("<script>") && !svg.contains("\u{1B}"))
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(svg.contains("<polyline"))
    }

    @Test func tooManyStepsOrTooShortAStepIsRefused() {
        #expect(SimulateRunner.refusal(days: 0, step: 3600) != nil)
        #expect(SimulateRunner.refusal(days: 3651, step: 3600) != nil)
        #expect(SimulateRunner.refusal(days: 30, step: 30) != nil)
        #expect(SimulateRunner.refusal(days: 3650, step: 60)?.contains("runs of the timer") == true)
        #expect(SimulateRunner.refusal(days: 30, step: 3600) == nil)
    }
}
