import Foundation
import Testing

/// Two weeks of the hourly timer, run as the timer runs it: `apply --auto-approve --now T`
/// every hour, each followed by a plan that must have nothing to do; then retention,
/// replication and clones exactly as the policy says.
@Suite("flashplan apply: two weeks of hourly applies")
struct ApplyWeeksEndToEndTests {
    /// `alpha`: hourly (count 6) and daily at 02:30 (3 days), mirrored to `dr`, dailies
    /// vaulted (count 4), a reporting clone from the mirror refreshed to the newest daily.
    /// `beta`: every four hours (count 6) and weekly (count 2), weeklies vaulted (20 days),
    /// a dev clone of the first four-hourly backup that is never refreshed.
    static let config = """
        settings: { timezone: UTC }
        arrays:
          fa: { model: FlashSystem 720, capacity: 12TB }
          fb: { model: FlashSystem 720, capacity: 12TB }
        clusters:
          svc: {}
        pools:
          prod: { cluster: svc, capacity_from: [{ array: fa, capacity: 10TB }] }
          dr: { cluster: svc, capacity_from: [{ array: fb, capacity: 5TB }] }
          vault: { cluster: svc, capacity_from: [{ array: fb, capacity: 5TB }] }
        hosts:
          h1: {}
          h2: {}
        volumes:
          v1: { pool: prod, size: 100GiB, hosts: [h1] }
          v2: { pool: prod, size: 100GiB, hosts: [h1, h2] }
          w1: { pool: prod, size: 50GiB, hosts: [h2] }
        policies:
          hourly-6: { frequency: hourly, retention: { count: 6 } }
          daily-3d: { frequency: daily, retention: { days: 3 } }
          weekly-2: { frequency: weekly, retention: { count: 2 } }
        resource_groups:
          alpha:
            hosts: [h1, h2]
            volumes: [v1, v2]
            policies:
              - { policy: hourly-6 }
              - { policy: daily-3d, schedule: "*-*-* 02:30:00" }
            replicate:
              - { to: dr, type: mirror, mode: async }
              - to: vault
                type: vault
                retention:
                  daily: { count: 4 }
            clones:
              - { name: rep, label: daily, from: dr, host: h2, refresh: newest }
          beta:
            hosts: [h2]
            volumes: [w1]
            policies:
              - { policy: hourly-6, schedule: "*-*-* 00/4:00:00" }
              - { policy: weekly-2 }
            replicate:
              - to: vault
                type: vault
                retention:
                  weekly: { days: 20 }
            clones:
              - { name: dev, label: hourly, host: h2 }

        """

    /// A Monday at midnight; the last run is two weeks and five hours later (341 runs), at
    /// an hour where no `days` rule sits exactly on its boundary.
    static let start = ISOTime.date("2026-11-02T00:00:00Z")
    static let hours = 14 * 24 + 5

    @Test func hourlyAppliesConvergeAndKeepExactlyWhatThePolicySays() throws {
        let workspace = try ApplyWorkspace(config: Self.config)
        defer { workspace.remove() }

        for hour in 0...Self.hours {
            let now = ISOTime.iso(Self.start.adding(hours: hour))
            let apply = try workspace.apply(now)
            guard apply.exitCode == 0 else {
                Issue.record("hour \(hour): \(apply)")
                return
            }
            let plan = try workspace.plan(now)
            guard plan.exitCode == 0 else {
                Issue.record("hour \(hour): after an apply, a plan at the same time has changes:\n\(plan)")
                return
            }
        }

        let end = Self.start.adding(hours: Self.hours)
        let state = try workspace.listing(ISOTime.iso(end))
        let day: TimeInterval = 86_400

        // What each schedule made, from the first run (which takes every policy's first
        // backup) to the last; the timer runs on the hour, so a 02:30 elapse is caught at 03:00.
        let everyHour = (0...Self.hours).map { Self.start.adding(hours: $0) }
        let alphaHourly = everyHour
        let alphaDaily = [Self.start] + everyHour.filter { Calendar.utc.component(.hour, from: $0) == 3 }
        let betaHourly = everyHour.filter { Calendar.utc.component(.hour, from: $0) % 4 == 0 }
        let betaWeekly = everyHour.filter {
            Calendar.utc.component(.weekday, from: $0) == 2 && Calendar.utc.component(.hour, from: $0) == 0
        }
        func newest(_ n: Int, _ times: [Date]) -> [Date] { Array(times.sorted().suffix(n)) }
        func youngerThan(_ days: Double, _ times: [Date]) -> [Date] {
            let kept = times.filter { end.timeIntervalSince($0) < days * day }
            return Array(Set(kept + newest(1, times))).sorted()
        }
        func created(_ volume: String, _ label: String) -> [Date] {
            state.snapshots(on: volume, label: label).map(\.created)
        }

        // Count N holds exactly N per volume; days D keeps the younger ones plus the newest.
        for volume in ["v1", "v2"] {
            #expect(created(volume, "hourly") == newest(6, alphaHourly), "\(volume) hourly")
            #expect(created(volume, "daily") == youngerThan(3, alphaDaily), "\(volume) daily")
            #expect(created(volume, "daily").count == 3)
            #expect(Set(state.snapshots(on: volume).map(\.label)) == ["hourly", "daily"])
        }
        // beta's first four-hourly backup stays: the never-refreshed dev clone depends on it.
        #expect(created("w1", "hourly") == [Self.start] + newest(6, betaHourly), "w1 hourly")
        #expect(created("w1", "weekly") == newest(2, betaWeekly), "w1 weekly")
        #expect(betaWeekly.count == 3)

        // A mirror holds exactly its source's backups.
        for volume in ["v1", "v2"] {
            let source = Set(state.snapshots(on: volume).map { [$0.name, $0.label, ISOTime.iso($0.created)] })
            let mirror = Set(state.snapshots(on: "\(volume)_dr").map { [$0.name, $0.label, ISOTime.iso($0.created)] })
            #expect(mirror == source, "\(volume)_dr")
        }
        // A vault holds only its listed labels, kept by its own rules (longer than primary).
        for volume in ["v1", "v2"] {
            #expect(created("\(volume)_vault", "daily") == newest(4, alphaDaily), "\(volume)_vault")
            #expect(Set(state.snapshots(on: "\(volume)_vault").map(\.label)) == ["daily"])
        }
        #expect(created("w1_vault", "weekly") == youngerThan(20, betaWeekly), "w1_vault")
        #expect(created("w1_vault", "weekly").count == 3)
        #expect(Set(state.snapshots(on: "w1_vault").map(\.label)) == ["weekly"])
        #expect(!state.volumes.contains("w1_dr"))

        #expect(
            Set(state.relationships.map { [$0.source, $0.destination, $0.type] }) == [
                ["v1", "v1_dr", "mirror"], ["v2", "v2_dr", "mirror"], ["v1", "v1_vault", "vault"],
                ["v2", "v2_vault", "vault"], ["w1", "w1_vault", "vault"],
            ])

        // refresh: newest — the clone comes from the newest daily on the mirror, in its pool.
        let newestDaily = newest(1, alphaDaily)
        for volume in ["v1", "v2"] {
            let clone = state.clones.first { $0.name == "rep_\(volume)" }
            #expect(clone?.volume == "\(volume)_dr")
            #expect(clone?.pool == "dr")
            let parent = state.snapshots(on: "\(volume)_dr").first { $0.name == clone?.parentSnapshot }
            #expect(parent?.label == "daily")
            #expect(parent.map { [$0.created] } == newestDaily, "rep_\(volume) parent \(String(describing: parent))")
        }
        // refresh: never (the default) — still the first backup it was made from.
        let dev = state.clones.first { $0.name == "dev_w1" }
        #expect(dev?.volume == "w1")
        #expect(dev?.pool == "prod")
        let devParent = state.snapshots(on: "w1").first { $0.name == dev?.parentSnapshot }
        #expect(devParent?.label == "hourly" && devParent?.created == Self.start, "\(String(describing: devParent))")
        #expect(state.clones.count == 3)

        // No duplicates; every backup is one snapshot per volume of its group, for its hosts.
        let keys = state.snapshots.map { "\($0.volume)/\($0.name)" }
        #expect(Set(keys).count == keys.count)
        let stamps = state.snapshots.map { "\($0.volume)/\($0.label)/\(ISOTime.iso($0.created))" }
        #expect(Set(stamps).count == stamps.count)
        #expect(Set(state.snapshots(on: "v1").map(\.name)) == Set(state.snapshots(on: "v2").map(\.name)))
        // Valid for the group's hosts the volume is mapped to (v2 is shared, snapped once).
        let mapped = ["v1": ["h1"], "v2": ["h1", "h2"]]
        for snapshot in state.snapshots where ["v1", "v2"].contains(snapshot.volume) {
            #expect(snapshot.hosts.sorted() == mapped[snapshot.volume] && snapshot.group == "alpha", "\(snapshot)")
        }
        for snapshot in state.snapshots(on: "w1") {
            #expect(snapshot.hosts == ["h2"] && snapshot.group == "beta", "\(snapshot)")
        }
    }
}

extension Calendar {
    /// The Gregorian calendar in UTC (the tests' configuration runs in UTC).
    fileprivate static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
