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
    /// The replication the parent comes through, nil from primary.
    var replication: Replication?
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
                decisions.append(CloneDecision(
                    spec: spec, name: name, sourceVolume: sourceVolume, parent: parent, replaces: existing, replication: replication))
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

    /// What the new clone waits for — the parent's snapshot or its transfer (whichever the
    /// plan holds; the others are dropped with the plan's unknown ids), a host the plan
    /// creates. A refresh's delete waits for the same: the old clone goes only when its
    /// replacement can be made, so a held resync or a failed transfer leaves the host the
    /// clone it has rather than none.
    func clonePrerequisites(_ decision: CloneDecision, group: String) -> [ActionID] {
        var ids = [
            ActionID(.snapshot, .backup(group: group, name: decision.parent)),
            ActionID(.transfer, .relationship(destination: decision.sourceVolume)),
        ]
        if let host = decision.spec.host, let created = planned(.createHost, Address.host(host)) { ids.append(created) }
        return ids
    }

    /// `refresh: newest` deletes the old clone first; pruning its old parent (on primary,
    /// or dropping/pruning it on a destination) waits for that, so it is planned before them.
    mutating func planCloneDeletions(_ decisions: [CloneDecision], plan: GroupPlan) {
        for decision in decisions {
            guard let old = decision.replaces else { continue }
            var before = ["parent_snapshot": old.parentSnapshot]
            var reason = "refresh: newest — \(old.parentSnapshot) is replaced by \(decision.parent)"
            let oldHosts = mappedHosts(of: old)
            if !oldHosts.isEmpty { before["host"] = oldHosts.joined(separator: ", ") }
            if oldHosts != (decision.spec.host.map { [$0] } ?? []) {
                reason += "; the new clone is mapped to " + (decision.spec.host.map { "host '\($0)'" } ?? "no host")
            }
            add(PlanAction(
                kind: .deleteClone, address: Address.clone(decision.name), group: plan.group.name, reason: reason,
                dependsOn: clonePrerequisites(decision, group: plan.group.name),
                before: before, operation: .deleteClone(name: decision.name), destructive: true,
                arrays: arrays(ofVolume: decision.name)))
        }
    }

    mutating func planClones(_ decisions: [CloneDecision], plan: GroupPlan) {
        for decision in decisions {
            var dependsOn: [ActionID] = []
            if decision.replaces != nil { dependsOn.append(decision.deleteActionID) }
            dependsOn += clonePrerequisites(decision, group: plan.group.name)
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

    // MARK: Clones as they are

    /// The hosts a clone is mapped to: its volume's mappings, which are what a host sees.
    func mappedHosts(of clone: ObservedClone) -> [String] {
        (volumes[clone.name]?.hosts ?? clone.host.map { [$0] } ?? []).sorted()
    }

    /// A declared clone that stays (no refresh replaces it in this plan) is mapped to the
    /// host its entry names and to no other: a new `host:` maps it there, and the old
    /// mapping is removed (an unmap, so it needs consent).
    mutating func planCloneMappings(_ decisions: [CloneDecision], plan: GroupPlan) {
        let replaced = Set(decisions.filter { $0.replaces != nil }.map(\.name))
        for spec in plan.group.clones {
            for volume in plan.volumes {
                let name = spec.cloneVolume(of: volume)
                // Only a clone made for this group: another group's clone may take the same
                // name (`x` of `a_b` and `x_a` of `b`), and two groups must not fight over its host.
                guard let existing = clones[name], !replaced.contains(name), owningVolume(of: existing, in: plan) == volume else { continue }
                let current = mappedHosts(of: existing)
                let wanted = spec.host.map { [$0] } ?? []
                let arrays = arrays(ofVolume: name)
                for host in wanted where !current.contains(host) {
                    add(PlanAction(
                        kind: .mapHost, address: Address.mapping(volume: name, host: host), group: plan.group.name,
                        reason: "clone '\(spec.name)' is declared for host '\(host)'"
                            + (current.isEmpty ? "" : " (mapped to \(current.map { "'\($0)'" }.joined(separator: ", ")) now)"),
                        dependsOn: planned(.createHost, Address.host(host)).map { [$0] } ?? [],
                        after: ["host": host], operation: .mapHost(volume: name, host: host), arrays: arrays))
                }
                for host in current where !wanted.contains(host) {
                    add(PlanAction(
                        kind: .unmapHost, address: Address.mapping(volume: name, host: host), group: plan.group.name,
                        reason: "clone '\(spec.name)' is no longer declared for host '\(host)'"
                            + (spec.host.map { " (its host is '\($0)')" } ?? " (it declares no host)"),
                        before: ["host": host], operation: .unmapHost(volume: name, host: host), arrays: arrays))
                }
            }
        }
    }

    /// Every clone volume name a group of the configuration declares, for any volume.
    func declaredCloneNames() -> Set<String> {
        var names: Set<String> = []
        for group in configuration.resourceGroups.values {
            for spec in group.clones { for volume in group.volumes { names.insert(spec.cloneVolume(of: volume)) } }
        }
        return names
    }

    /// The group's volume a clone was made for, when flashplan made it for this group: its
    /// parent is one of the group's backups on a copy of that volume (primary or a
    /// destination), and it is named `<clone>_<volume>`.
    func owningVolume(of clone: ObservedClone, in plan: GroupPlan) -> String? {
        var volumeOfCopy: [String: String] = [:]
        for volume in plan.volumes {
            volumeOfCopy[volume] = volume
            for replication in plan.group.replicate { volumeOfCopy[replication.destinationVolume(of: volume)] = volume }
        }
        guard let volume = volumeOfCopy[clone.volume], clone.name.count > volume.count + 1, clone.name.hasSuffix("_" + volume),
            let parent = snapshotsByVolume[clone.volume]?.first(where: { $0.name == clone.parentSnapshot }),
            parent.group == plan.group.name
        else { return nil }
        return volume
    }

    /// A clone flashplan made for this group that no entry of it declares any more is
    /// deleted — with consent, as it holds a copy of the data someone may still use. Its
    /// parent is released: retention may prune it once the clone is gone, in the same
    /// apply (the prune waits for the delete; no routine work waits for that prune).
    mutating func planUndeclaredCloneDeletions(_ plan: inout GroupPlan) {
        let declared = declaredCloneNames()
        var copies = plan.volumes
        for replication in plan.group.replicate { copies += plan.volumes.map(replication.destinationVolume(of:)) }
        for copy in copies {
            for clone in (clonesByVolume[copy] ?? []).sorted(by: { $0.name < $1.name }) where !declared.contains(clone.name) {
                guard owningVolume(of: clone, in: plan) != nil else { continue }
                var before = ["parent_snapshot": clone.parentSnapshot, "pool": clone.pool]
                let hosts = mappedHosts(of: clone)
                if !hosts.isEmpty { before["host"] = hosts.joined(separator: ", ") }
                let id = add(PlanAction(
                    kind: .deleteClone, address: Address.clone(clone.name), group: plan.group.name,
                    reason: "resource group '\(plan.group.name)' no longer declares this clone (of '\(clone.volume)', from backup \(clone.parentSnapshot))"
                        + (hosts.isEmpty ? "" : "; host\(hosts.count == 1 ? "" : "s") \(hosts.map { "'\($0)'" }.joined(separator: ", ")) lose\(hosts.count == 1 ? "s" : "") it"),
                    before: before, operation: .deleteClone(name: clone.name), destructive: true,
                    arrays: arrays(ofVolume: clone.name)))
                plan.undeclaredDeletes.insert(id)
                plan.releasedClones["\(copy)/\(clone.parentSnapshot)", default: []].append(id)
            }
        }
    }

    /// A refresh deletes the old clone only if the new one can be made: when the plan
    /// already knows the create cannot run (an offline array, a full pool, a held group),
    /// the delete is held with it.
    mutating func holdRefreshesThatCannotComplete() {
        for index in actions.indices where actions[index].kind == .createClone {
            guard let reason = actions[index].blockedBy,
                let delete = actionIndex[ActionID(.deleteClone, actions[index].address)],
                actions[delete].blockedBy == nil
            else { continue }
            actions[delete].blockedBy = "its replacement cannot be made: \(reason)"
        }
    }
}
