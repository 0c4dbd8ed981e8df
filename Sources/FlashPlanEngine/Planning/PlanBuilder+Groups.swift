import FlashPlanModel
import Foundation
import Synchronization

/// What planning one resource group adds: its actions, retention decisions, diagnostics,
/// drift and the destination volumes it creates.
struct GroupOutput: Sendable {
    var actions: [PlanAction]
    var retention: [RetentionDecision]
    var diagnostics: [Diagnostic]
    var drift: [DriftItem]
    var plannedVolumes: [String: VolumeSpec]
    var basePrunes: [ActionID: [BaseRelease]]
}

extension PlanBuilder {
    /// Plans every group independently of the others, in parallel: each on a fork of the
    /// builder that sees the observed state and the infrastructure actions but no other
    /// group's work. Whatever needs the whole plan (the 255 ceiling, capacity, blocking)
    /// runs afterwards, on the merged graph.
    func planGroups(_ groups: [ResourceGroup], parallel: Bool = true) -> [GroupOutput] {
        var fork = self
        fork.earlierActionIDs = Set(actionIndex.keys).union(earlierActionIDs)
        fork.actions = []
        fork.actionIndex = [:]
        fork.retention = []
        fork.diagnostics = []
        fork.drift = []
        fork.basePrunes = [:]
        fork.reservedNames = reservations(groups)
        let base = fork
        @Sendable func plan(_ group: ResourceGroup) -> GroupOutput {
            var builder = base
            builder.planProtection(of: group)
            return GroupOutput(
                actions: builder.actions, retention: builder.retention, diagnostics: builder.diagnostics, drift: builder.drift,
                plannedVolumes: builder.plannedVolumes.filter { base.plannedVolumes[$0.key] == nil }, basePrunes: builder.basePrunes)
        }
        // A few groups are not worth a thread; thousands are.
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, groups.count / 64)
        guard parallel, workers > 1 else { return groups.map(plan) }
        let results = Mutex([GroupOutput?](repeating: nil, count: groups.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var mine: [(Int, GroupOutput)] = []
            for index in stride(from: worker, to: groups.count, by: workers) { mine.append((index, plan(groups[index]))) }
            results.withLock { all in for (index, output) in mine { all[index] = output } }
        }
        return results.withLock { $0.map { $0! } }
    }

    /// For each group, the names earlier groups on the same volumes may give their backups
    /// now: their base name and its `_<label>` variants. Keyed `group/volume`.
    func reservations(_ groups: [ResourceGroup]) -> [String: Set<String>] {
        var byVolume: [String: [(group: String, names: [String])]] = [:]
        for group in groups {
            let volumes = protectedVolumes(of: group)
            guard !volumes.isEmpty else { continue }
            let base = backupName(group: group, volumes: volumes)
            let labels = group.policies.compactMap { configuration.policies[$0.policy]?.label }
            let names = [base] + labels.map { base + "_" + $0 }
            for volume in volumes { byVolume[volume, default: []].append((group.name, names)) }
        }
        var reserved: [String: Set<String>] = [:]
        for (volume, entries) in byVolume where entries.count > 1 {
            var earlier: Set<String> = []
            for entry in entries {  // in group order
                if !earlier.isEmpty { reserved["\(entry.group)/\(volume)", default: []].formUnion(earlier) }
                earlier.formUnion(entry.names)
            }
        }
        return reserved
    }

    /// Adds the groups' work to the graph, in group order.
    mutating func merge(_ outputs: [GroupOutput]) {
        for output in outputs {
            for action in output.actions { add(action) }
            retention += output.retention
            for diagnostic in output.diagnostics where !diagnostics.contains(diagnostic) { diagnostics.append(diagnostic) }
            drift += output.drift
            plannedVolumes.merge(output.plannedVolumes) { first, _ in first }
            basePrunes.merge(output.basePrunes) { first, _ in first }
        }
    }
}
