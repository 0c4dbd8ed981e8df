import FlashPlanModel
import Foundation

/// What the plan does about one clone of one volume.
struct CloneDecision: Sendable {
    var spec: CloneSpec
    /// The clone volume: `<clone>_<volume>`.
    var name: String
    /// The volume holding the parent backup (primary or a destination).
    var sourceVolume: String
    var parent: String
    /// The existing clone this one replaces (`refresh: newest`).
    var replaces: ObservedClone?
    var deleteActionID: ActionID { Self.deleteActionID(of: name) }
    static func deleteActionID(of clone: String) -> ActionID { ActionID(.deleteClone, .clone(clone)) }
}

extension PlanBuilder {
    /// Clones are made from the newest backup of their label on primary or on a
    /// destination, and re-created under `refresh: newest` when a newer one exists.
    func decideClones(_ plan: GroupPlan) -> [CloneDecision] {
        var decisions: [CloneDecision] = []
        for spec in plan.group.clones {
            let replication = plan.group.replicate.first { $0.to == spec.from.pool }
            if !spec.fromPrimary && replication == nil { continue }
            for volume in plan.volumes {
                let sourceVolume = replication?.destinationVolume(of: volume) ?? volume
                let name = spec.cloneVolume(of: volume)
                let existing = clones[name]
                if existing != nil && spec.refresh == .never { continue }
                guard let parent = newestAfterPlan(plan, label: spec.label, replication: replication, source: volume) else { continue }
                if let existing, existing.parentSnapshot == parent { continue }
                decisions.append(CloneDecision(spec: spec, name: name, sourceVolume: sourceVolume, parent: parent, replaces: existing))
            }
        }
        return decisions
    }

    /// The newest backup of `label` that the clone's source volume holds once the plan has run.
    private func newestAfterPlan(_ plan: GroupPlan, label: String, replication: Replication?, source: String) -> String? {
        let onPrimary = plan.backups.values.filter { $0.label == label && $0.volumes.contains(source) }
            .min { RetentionEvaluator.newestFirst($0.candidate, $1.candidate) }
        guard let replication else { return onPrimary?.name }
        let destination = replication.destinationVolume(of: source)
        let held = (snapshotsByVolume[destination] ?? []).filter { $0.label == label }
            .map { RetentionEvaluator.Candidate(name: $0.name, created: $0.created) }
        var candidates = held
        let receives = replication.type == .mirror || replication.retention[label] != nil
        if receives, updateCanRun(source: source, destination: destination), let newest = onPrimary {
            candidates.append(newest.candidate)
        }
        return candidates.min(by: RetentionEvaluator.newestFirst)?.name
    }

    /// `refresh: newest` deletes the old clone first; pruning its old parent (on primary,
    /// or dropping/pruning it on a destination) waits for that, so it is planned before them.
    mutating func planCloneDeletions(_ decisions: [CloneDecision], plan: GroupPlan) {
        for decision in decisions {
            guard let old = decision.replaces else { continue }
            add(PlanAction(
                kind: .deleteClone, address: Address.clone(decision.name), group: plan.group.name,
                reason: "refresh: newest — \(old.parentSnapshot) is replaced by \(decision.parent)",
                before: ["parent_snapshot": old.parentSnapshot], operation: .deleteClone(name: decision.name), destructive: true,
                arrays: arrays(ofVolume: decision.name)))
        }
    }

    mutating func planClones(_ decisions: [CloneDecision], plan: GroupPlan) {
        for decision in decisions {
            var dependsOn: [ActionID] = []
            if decision.replaces != nil { dependsOn.append(decision.deleteActionID) }
            // Whichever of these the plan holds: the parent's snapshot or its transfer.
            dependsOn.append(ActionID(.snapshot, .backup(group: plan.group.name, name: decision.parent)))
            dependsOn.append(ActionID(.transfer, .relationship(destination: decision.sourceVolume)))
            // The clone is mapped to its host: a host this plan creates must exist first.
            if let host = decision.spec.host, let created = planned(.createHost, Address.host(host)) { dependsOn.append(created) }
            var after = ["parent_snapshot": decision.parent, "pool": copyPools(ofVolume: decision.sourceVolume).first ?? "?"]
            if let host = decision.spec.host { after["host"] = host }
            add(PlanAction(
                kind: .createClone, address: Address.clone(decision.name), group: plan.group.name,
                reason: decision.replaces == nil
                    ? "clone '\(decision.spec.name)' from the newest '\(decision.spec.label)' backup"
                    : "refresh: newest — newer '\(decision.spec.label)' backup \(decision.parent)",
                dependsOn: dependsOn, after: after,
                operation: .createClone(name: decision.name, volume: decision.sourceVolume, snapshot: decision.parent, host: decision.spec.host),
                arrays: arrays(ofVolume: decision.sourceVolume)))
        }
    }
}
