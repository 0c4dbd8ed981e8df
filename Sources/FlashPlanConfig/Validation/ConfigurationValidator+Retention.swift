import FlashPlanModel
import Foundation

extension ConfigurationValidator {
    /// The retention counts on one volume may not add up past 255 (DESIGN §4): a
    /// `count: N` rule counts N, a `days: D` rule counts D days over the shortest
    /// interval of its schedule plus one. Vault destinations are checked the same way
    /// with the vault's rules. What the planner must keep beyond a rule counts too, so
    /// that no configuration this accepts can ever stop backups at the ceiling: the
    /// replication base each destination pins while it is out of reach (one per
    /// `replicate` entry) and the parent each `refresh: never` clone pins.
    mutating func checkSnapshotCeiling() {
        // volume -> [(contribution, description, location)]
        var perVolume: [String: [(Int, String, SourceLocation)]] = [:]
        for group in c.resourceGroups.values.sorted(by: { $0.name < $1.name }) {
            // Undefined volumes are reported as unknown references; counting them too would be noise.
            let volumes = group.volumes.filter { c.volumes[$0] != nil }
            var labelInterval: [String: TimeInterval] = [:]
            var counted: Set<String> = []
            for entry in group.policies {
                guard let policy = c.policies[entry.policy], let interval = minimumInterval(of: entry, policy: policy) else { continue }
                labelInterval[policy.label] = min(labelInterval[policy.label] ?? .infinity, interval)
                guard counted.insert(policy.label).inserted else { continue }
                let n = snapshots(policy.retention, interval: interval)
                for volume in volumes {
                    perVolume[volume, default: []].append((n, "\(n) (group '\(group.name)', label '\(policy.label)', \(policy.retention))", entry.location))
                }
            }
            for replication in group.replicate {
                for volume in volumes {
                    perVolume[volume, default: []].append((1, "1 (replication base kept for '\(replication.to)' while it is out of reach)", replication.location))
                }
            }
            for clone in group.clones where clone.refresh == .never {
                for volume in volumes {
                    let holder = clone.from.pool.map { pool in group.replicate.first { $0.to == pool }?.destinationVolume(of: volume) ?? volume } ?? volume
                    perVolume[holder, default: []].append((1, "1 (parent of clone '\(clone.name)', refresh: never)", clone.location))
                }
            }
            for replication in group.replicate where replication.type == .vault {
                for (label, retention) in replication.retention.sorted(by: { $0.key < $1.key }) {
                    guard let interval = labelInterval[label] else { continue }
                    let n = snapshots(retention, interval: interval)
                    for volume in volumes {
                        let destination = replication.destinationVolume(of: volume)
                        perVolume[destination, default: []].append((n, "\(n) (vault '\(replication.to)', label '\(label)', \(retention))", replication.fieldLocations["retention.\(label)"] ?? replication.location))
                    }
                }
            }
        }
        for (volume, parts) in perVolume.sorted(by: { $0.key < $1.key }) {
            let total = parts.reduce(0) { $0 + $1.0 }
            guard total > 255 else { continue }
            let location = c.volumes[volume]?.locations.name ?? parts.max(by: { $0.0 < $1.0 })!.2
            diagnostics.append(.tooManySnapshots(volume: volume, total: total, parts: parts.map(\.1), at: location))
        }
    }

    /// How many snapshots a rule keeps at most, for backups `interval` seconds apart.
    func snapshots(_ retention: Retention, interval: TimeInterval) -> Int {
        switch retention {
        case .count(let n): return n
        // One more than fit in D days at the schedule's pace: a backup is made when the
        // apply runs, a little after the elapse it stands for, so one taken late is still
        // younger than D days when the next one D days later is taken.
        case .days(let d): return Int((Double(d) * 86400 / max(interval, 1)).rounded(.up)) + 1
        }
    }
}
