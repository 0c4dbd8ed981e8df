import FlashPlanEngine
import FlashPlanModel
import Foundation

/// What a simulation found: per resource group and label the RPO compliance and the
/// backups kept, per volume the snapshot counts against the 255 ceiling, per pool the use
/// over time and when it crosses its warning threshold or fills, and samples for a chart.
/// `schemas/simulate.schema.json` describes its JSON (snake_case keys).
public struct SimulationReport: Sendable, Hashable, Codable {
    public var start: Date
    public var end: Date
    public var days: Int
    public var stepSeconds: Double
    /// How many times the timer ran.
    public var steps: Int
    public var actions: ActionCounts
    public var protection: [Protection]
    public var volumes: [VolumeSnapshots]
    public var pools: [PoolUse]
    /// What the storage held at regular times (at most about 400 samples, the last one at the end).
    public var samples: [Sample]
    /// Failed actions and refused steps, the first time each distinct message occurs.
    public var problems: [Problem]

    /// The simulator's ceiling of snapshots per volume (DOMAIN.md §1).
    public static let snapshotLimit = 255

    /// Actions of all the simulated applies, by how they ended.
    public struct ActionCounts: Sendable, Hashable, Codable {
        public var applied = 0
        public var failed = 0
        public var skipped = 0
        /// Destructive actions held for consent (simulate without `--allow-destructive`).
        public var held = 0
        /// Steps at which the plan had errors, so nothing was applied.
        public var refusedSteps = 0
        public var snapshots = 0
        public var prunes = 0
        public var transfers = 0
    }

    /// One resource group and label: how often its RPO was met after the timer ran.
    public struct Protection: Sendable, Hashable, Codable {
        public var group: String
        public var label: String
        public var samples: Int
        public var met: Int
        public var compliancePercent: Double
        /// The first time the RPO was missed after the timer ran; nil when never.
        public var firstMissed: Date?
        /// Backups of this group and label (distinct names, wherever their copies live).
        public var backupsAtStart: Int
        public var backupsAtEnd: Int
        public var backupsMax: Int
    }

    /// One volume's snapshots, against the ceiling of 255.
    public struct VolumeSnapshots: Sendable, Hashable, Codable {
        public var volume: String
        public var pool: String
        public var limit: Int
        public var atStart: Int
        public var atEnd: Int
        public var peak: Int
        public var peakAt: Date
        public var labels: [LabelCount]
    }

    public struct LabelCount: Sendable, Hashable, Codable {
        public var label: String
        public var atEnd: Int
        public var peak: Int
    }

    /// One pool's use over the simulation.
    public struct PoolUse: Sendable, Hashable, Codable {
        public var pool: String
        public var capacity: String
        public var capacityBytes: UInt64
        public var warningThresholdPercent: Double
        public var usedPercentStart: Double
        public var usedPercentEnd: Double
        public var usedPercentPeak: Double
        /// When use first reached the warning threshold (nil: never; the start time: already at it).
        public var warningCrossed: Date?
        /// Whole days from the start of the simulation to `warningCrossed`.
        public var warningDay: Int?
        /// When the pool first was full (use at or above its capacity).
        public var full: Date?
        public var fullDay: Int?
    }

    /// What the storage held at one time. Values are in the order of `pools` and
    /// `volumes` (names are never JSON keys: a key is not where a user's text belongs).
    public struct Sample: Sendable, Hashable, Codable {
        public var at: Date
        /// Per pool of `pools`, the percentage of its capacity in use.
        public var poolsUsedPercent: [Double]
        /// Per volume of `volumes`, how many snapshots it holds.
        public var snapshots: [Int]
        /// Per volume of `volumes`, how many snapshots of each of its `labels` it holds (in that order).
        public var snapshotsByLabel: [[Int]]
    }

    public struct Problem: Sendable, Hashable, Codable {
        public var at: Date
        public var address: String?
        public var message: String
        /// How many times it occurred in the whole simulation.
        public var occurrences: Int
    }

    /// The highest snapshot count of any volume, and that volume.
    public var peakVolume: VolumeSnapshots? { volumes.max { ($0.peak, $1.volume) < ($1.peak, $0.volume) } }

    /// The whole day number of `date` since the start.
    func day(of date: Date) -> Int { Int((date.timeIntervalSince(start) / 86400).rounded(.down)) }
}

/// Collects the samples of a simulation, one step at a time.
struct SimulationRecorder {
    struct StepOutcome {
        var results: [ActionResult] = []
        var held: [String] = []
        var refusal: String?
    }

    let configuration: Configuration
    let start: Date
    let days: Int
    let step: TimeInterval
    let sampleEvery: Int
    let totalSteps: Int

    var index = 0
    var counts = SimulationReport.ActionCounts()
    var protection: [String: SimulationReport.Protection] = [:]
    var protectionOrder: [String] = []
    var volumes: [String: SimulationReport.VolumeSnapshots] = [:]
    /// Per volume and label, kept apart from `volumes` and sorted once in `report()`
    /// rather than rebuilt and sorted for every volume at every step.
    var volumeLabels: [String: [String: SimulationReport.LabelCount]] = [:]
    var pools: [String: SimulationReport.PoolUse] = [:]
    var samples: [(at: Date, pools: [String: Double], snapshots: [String: Int], labels: [String: [String: Int]])] = []
    var problems: [String: SimulationReport.Problem] = [:]
    var problemOrder: [String] = []
    var last: Date

    init(configuration: Configuration, start: Date, days: Int, step: TimeInterval) {
        self.configuration = configuration
        self.start = start
        self.days = days
        self.step = step
        self.last = start
        totalSteps = Int((TimeInterval(days) * 86400 / step).rounded(.down)) + 1
        sampleEvery = max(1, Int((Double(totalSteps) / 400).rounded(.up)))
    }

    struct GroupLabel: Hashable {
        var group: String
        var label: String
    }

    mutating func record(plan: Plan, outcome: StepOutcome, observed: ObservedState, at now: Date) {
        defer { index += 1; last = now }
        count(plan: plan, outcome: outcome, at: now)
        let first = index == 0
        // One pass over the snapshots (a million in the benchmark fleet, at every step):
        // the distinct backups per group and label, and the snapshots per volume and label.
        var backups: [GroupLabel: Set<String>] = [:]
        var perVolume: [String: [String: Int]] = [:]
        // The backend lists a volume's snapshots together: count them per label before
        // looking the volume up, once per run of them (any order still counts right).
        var runVolume: String?
        var runLabels: [String: Int] = [:]
        func flush() {
            if let runVolume { perVolume[runVolume, default: [:]].merge(runLabels, uniquingKeysWith: +) }
            runLabels.removeAll(keepingCapacity: true)
        }
        for snapshot in observed.snapshots {
            if let group = snapshot.group { backups[GroupLabel(group: group, label: snapshot.label), default: []].insert(snapshot.name) }
            if snapshot.volume != runVolume {
                flush()
                runVolume = snapshot.volume
            }
            runLabels[snapshot.label, default: 0] += 1
        }
        flush()
        // Protection: the RPO judged after the timer ran, as `status` would judge it then.
        for status in ProtectionStatus.evaluate(configuration: configuration, observed: observed, now: now) {
            let key = status.group + "\u{0}" + status.label
            let held = backups[GroupLabel(group: status.group, label: status.label)]?.count ?? 0
            var entry = protection[key] ?? {
                protectionOrder.append(key)
                return SimulationReport.Protection(
                    group: status.group, label: status.label, samples: 0, met: 0, compliancePercent: 100, firstMissed: nil,
                    backupsAtStart: held, backupsAtEnd: held, backupsMax: held)
            }()
            entry.samples += 1
            if status.rpoMet { entry.met += 1 } else if entry.firstMissed == nil { entry.firstMissed = now }
            entry.compliancePercent = (Double(entry.met) * 1000 / Double(entry.samples)).rounded() / 10
            entry.backupsAtEnd = held
            entry.backupsMax = max(entry.backupsMax, held)
            protection[key] = entry
        }
        // Snapshots per volume and label.
        var totals: [String: Int] = [:]
        for volume in observed.volumes {
            let labels = perVolume[volume.name] ?? [:]
            let total = labels.values.reduce(0, +)
            totals[volume.name] = total
            var entry = volumes[volume.name] ?? SimulationReport.VolumeSnapshots(
                volume: volume.name, pool: volume.pool, limit: SimulationReport.snapshotLimit, atStart: first ? total : 0,
                atEnd: total, peak: total, peakAt: now, labels: [])
            entry.pool = volume.pool
            entry.atEnd = total
            if total > entry.peak { entry.peak = total; entry.peakAt = now }
            volumes[volume.name] = entry
            Self.count(labels, into: &volumeLabels[volume.name, default: [:]])
        }
        // Pool use, and when it crosses the warning threshold or fills.
        var poolPercents: [String: Double] = [:]
        for pool in observed.pools {
            let capacity = Double(pool.physicalCapacity.bytes)
            let percent = capacity > 0 ? (Double(pool.usedCapacity.bytes) / capacity * 1000).rounded() / 10 : 0
            poolPercents[pool.name] = percent
            var entry = pools[pool.name] ?? SimulationReport.PoolUse(
                pool: pool.name, capacity: pool.physicalCapacity.description, capacityBytes: pool.physicalCapacity.bytes,
                warningThresholdPercent: pool.warningThreshold.value, usedPercentStart: percent, usedPercentEnd: percent,
                usedPercentPeak: percent)
            entry.usedPercentEnd = percent
            entry.usedPercentPeak = max(entry.usedPercentPeak, percent)
            if entry.warningCrossed == nil, Double(pool.usedCapacity.bytes) >= capacity * pool.warningThreshold.value / 100 {
                entry.warningCrossed = now
                entry.warningDay = day(now)
            }
            if entry.full == nil, capacity > 0, pool.usedCapacity.bytes >= pool.physicalCapacity.bytes {
                entry.full = now
                entry.fullDay = day(now)
            }
            pools[pool.name] = entry
        }
        if index % sampleEvery == 0 || index == totalSteps - 1 {
            samples.append((now, poolPercents, totals, perVolume))
        }
    }

    /// Updates one volume's labels in place: the peak of those held now, and every label
    /// seen so far at what it holds now (0 when no longer held).
    private static func count(_ held: [String: Int], into labels: inout [String: SimulationReport.LabelCount]) {
        for (label, n) in held {
            labels[label, default: .init(label: label, atEnd: 0, peak: 0)].peak = max(labels[label]?.peak ?? 0, n)
        }
        var position = labels.startIndex
        while position != labels.endIndex {
            labels.values[position].atEnd = held[labels.keys[position]] ?? 0
            labels.formIndex(after: &position)
        }
    }

    func day(_ date: Date) -> Int { Int((date.timeIntervalSince(start) / 86400).rounded(.down)) }

    private mutating func count(plan: Plan, outcome: StepOutcome, at now: Date) {
        if let refusal = outcome.refusal {
            counts.refusedSteps += 1
            note("the plan has errors; nothing was applied: \(refusal)", address: nil, at: now)
        }
        counts.held += outcome.held.count
        let held = Set(outcome.held)
        for result in outcome.results {
            switch result.status {
            case .applied:
                counts.applied += 1
                switch result.kind {
                case .snapshot: counts.snapshots += 1
                case .prune: counts.prunes += 1
                case .transfer: counts.transfers += 1
                default: break
                }
            case .failed:
                counts.failed += 1
                note(result.message ?? "failed", address: result.address.description, at: now)
            case .skipped, .notStarted:
                // A held action and what depends on it are skipped by consent, not by a failure.
                if held.contains(result.id.description) { continue }
                counts.skipped += 1
            }
        }
    }

    private mutating func note(_ message: String, address: String?, at now: Date) {
        let key = (address ?? "") + "\u{0}" + message
        if problems[key] == nil {
            problemOrder.append(key)
            problems[key] = .init(at: now, address: address, message: message, occurrences: 0)
        }
        problems[key]!.occurrences += 1
    }

    func report() -> SimulationReport {
        let volumes = volumes.values.filter { $0.peak > 0 }.sorted { $0.volume < $1.volume }.map { volume in
            var volume = volume
            volume.labels = (volumeLabels[volume.volume] ?? [:]).values.sorted { $0.label < $1.label }
            return volume
        }
        let pools = pools.values.sorted { $0.pool < $1.pool }
        return SimulationReport(
            start: start, end: last, days: days, stepSeconds: step, steps: index, actions: counts,
            protection: protectionOrder.compactMap { protection[$0] }, volumes: volumes, pools: pools,
            samples: samples.map { sample in
                .init(
                    at: sample.at, poolsUsedPercent: pools.map { sample.pools[$0.pool] ?? 0 },
                    snapshots: volumes.map { sample.snapshots[$0.volume] ?? 0 },
                    snapshotsByLabel: volumes.map { volume in volume.labels.map { sample.labels[volume.volume]?[$0.label] ?? 0 } })
            },
            problems: problemOrder.compactMap { problems[$0] })
    }
}
