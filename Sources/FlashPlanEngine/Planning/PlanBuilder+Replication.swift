import FlashPlanModel
import Foundation

extension PlanBuilder {
    /// Destination volumes and relationships (created and initialised when missing,
    /// resynced when broken), then the updates right after the group's snapshots and
    /// pruning, then vault pruning.
    mutating func planReplication(_ plan: inout GroupPlan) {
        let group = plan.group
        for replication in group.replicate {
            // A vault decides per destination volume; a backup held alike on several volumes is shown once.
            var decided = Set<RetentionDecision>()
            for volume in plan.volumes {
                let destination = replication.destinationVolume(of: volume)
                let ready = prepareRelationship(replication, source: volume, destination: destination, group: group)
                switch replication.type {
                case .mirror: planMirrorUpdate(plan, source: volume, destination: destination, ready: ready)
                case .vault:
                    planVaultUpdate(plan, replication: replication, source: volume, destination: destination, ready: ready, decided: &decided)
                }
            }
        }
    }

    /// Creates what is missing and returns the ids the update must wait for.
    private mutating func prepareRelationship(_ replication: Replication, source: String, destination: String, group: ResourceGroup) -> [ActionID] {
        var ready: [ActionID] = []
        if volumes[destination] == nil, let sourceVolume = configuration.volumes[source] {
            let spec = VolumeSpec(
                name: destination, pool: replication.to, size: sourceVolume.size, accessProtocol: sourceVolume.accessProtocol,
                thin: true, compressed: sourceVolume.compressed, changeRate: sourceVolume.changeRate, role: .destination)
            plannedVolumes[destination] = spec
            ready.append(add(PlanAction(
                kind: .createVolume, address: Address.volume(destination), group: group.name,
                reason: "\(replication.type.rawValue) destination of '\(source)' in pool \(replication.to)",
                dependsOn: poolDependencies(replication.to),
                after: ["pool": replication.to, "size": "\(sourceVolume.size)", "role": "destination"],
                operation: .createVolume(spec), arrays: arrays(ofPool: replication.to))))
        } else if let existing = volumes[destination], let sourceVolume = configuration.volumes[source], existing.size < sourceVolume.size {
            ready.append(add(PlanAction(
                kind: .resizeVolume, address: Address.volume(destination), group: group.name,
                reason: "destination follows its source's size \(sourceVolume.size)",
                before: ["size": "\(existing.size)"], after: ["size": "\(sourceVolume.size)"],
                operation: .resizeVolume(name: destination, size: sourceVolume.size), arrays: arrays(ofVolume: destination))))
        }
        let address = Address.relationship(destination: destination)
        let arrays = Array(Set(arrays(ofVolume: source) + arrays(ofVolume: destination))).sorted()
        guard let relationship = relationshipsByDestination[destination] else {
            let create = add(PlanAction(
                kind: .createRelationship, address: address, group: group.name,
                reason: "\(replication.type.rawValue) '\(source)' → '\(destination)' (\(replication.mode.rawValue))",
                dependsOn: ready + volumeDependencies(source),
                after: ["type": replication.type.rawValue, "mode": replication.mode.rawValue, "source": source],
                operation: .createRelationship(source: source, destination: destination, type: replication.type, mode: replication.mode, group: group.name),
                arrays: arrays))
            return [add(PlanAction(
                kind: .initializeRelationship, address: address, group: group.name, reason: "new relationship: baseline",
                dependsOn: [create], before: ["state": "uninitialized"], after: ["state": "idle"],
                operation: .initializeRelationship(destination: destination), arrays: arrays))]
        }
        if relationship.source != source || relationship.type != replication.type {
            diagnostics.append(.relationshipMismatch(destination: destination, observed: relationship, source: source, type: replication.type))
            return ready
        }
        switch relationship.state {
        case .uninitialized:
            ready.append(add(PlanAction(
                kind: .initializeRelationship, address: address, group: group.name, reason: "relationship not initialised",
                before: ["state": "uninitialized"], after: ["state": "idle"],
                operation: .initializeRelationship(destination: destination), arrays: arrays)))
        case .broken:
            ready.append(add(PlanAction(
                kind: .resyncRelationship, address: address, group: group.name,
                reason: brokenReason(relationship),
                before: ["state": "broken"], after: ["state": "idle"],
                operation: .resyncRelationship(destination: destination), destructive: true, arrays: arrays)))
        case .idle, .transferring:
            break
        }
        return ready
    }

    /// Why a broken relationship is broken, and what a resync would throw away: after
    /// flashplan's own restore onto the destination that is the restored data, which an
    /// operator must not approve by mistake as if it were a stray break.
    func brokenReason(_ relationship: ObservedRelationship) -> String {
        let destination = relationship.destination
        if let stop = relationship.stoppedByRestore {
            return "relationship stopped by flashplan's restore of backup '\(stop.backup)' onto '\(destination)' at \(local(stop.at)); "
                + "resync overwrites the restored data on '\(destination)' with '\(relationship.source)' (approve only once the restore is no longer needed)"
        }
        return "relationship broken outside flashplan; resync discards changes made on '\(destination)' since the break"
    }

    /// The group's backups on `source` once the plan has run, oldest first.
    private func sourceAfterPlan(_ plan: GroupPlan, source: String) -> [Backup] {
        plan.remaining().filter { $0.volumes.contains(source) }.reversed()
    }

    /// A mirror holds exactly its source's backups: send what it lacks, drop what the source pruned.
    private mutating func planMirrorUpdate(_ plan: GroupPlan, source: String, destination: String, ready: [ActionID]) {
        // The group's own copies: a snapshot of that name someone else made there is not one.
        let held = Set((snapshotsByVolume[destination] ?? []).filter { $0.group == plan.group.name }.map(\.name))
        let wanted = sourceAfterPlan(plan, source: source)
        let transfer = wanted.filter { !held.contains($0.name) }.map(\.name)
        let wantedNames = Set(wanted.map(\.name))
        // Only what retention pruned is dropped: never another group's or a hand-made
        // snapshot, nor a backup whose primary copy was lost outside flashplan (the copy
        // here may be the only one). A clone parent stays unless the plan deletes its
        // clones first.
        let candidates = (snapshotsByVolume[destination] ?? [])
            .filter {
                $0.group == plan.group.name && plan.pruned.contains($0.name) && !wantedNames.contains($0.name)
                    && plan.remainingClones(of: "\(destination)/\($0.name)", among: cloneParents).isEmpty
            }
            .map(\.name).sorted()
        // Dropped by a prune of its own, after the update, when it waits for a clone's
        // delete (a refresh's waits for this very update to bring the new parent) or for
        // a primary prune that waits for consent: the update itself waits for neither.
        let afterUpdate = candidates.filter {
            !(plan.releasedClones["\(destination)/\($0)"] ?? []).isEmpty || plan.prunesAwaitingConsent.contains($0)
        }
        let drop = candidates.filter { !afterUpdate.contains($0) }
        if !transfer.isEmpty || !drop.isEmpty {
            addUpdate(plan, source: source, destination: destination, ready: ready, transfer: transfer, drop: drop)
        }
        for name in afterUpdate {
            add(PlanAction(
                kind: .prune, address: Address.snapshot(volume: destination, name: name), group: plan.group.name,
                reason: "mirror drops what its source pruned, once no clone needs it",
                dependsOn: [ActionID(.transfer, .relationship(destination: destination)), ActionID(.prune, .backup(group: plan.group.name, name: name))]
                    + (plan.releasedClones["\(destination)/\(name)"] ?? []),
                before: ["label": (snapshotsByVolume[destination] ?? []).first { $0.name == name }?.label ?? "?"],
                operation: .deleteSnapshot(volume: destination, name: name), destructive: true, arrays: arrays(ofVolume: destination)))
        }
    }

    /// A vault receives only the labels its retention lists and keeps them by its own rules.
    private mutating func planVaultUpdate(
        _ plan: GroupPlan, replication: Replication, source: String, destination: String, ready: [ActionID],
        decided: inout Set<RetentionDecision>
    ) {
        let group = plan.group
        let heldSnapshots = (snapshotsByVolume[destination] ?? [])
        let held = Set(heldSnapshots.filter { $0.group == group.name }.map(\.name))
        let candidates = sourceAfterPlan(plan, source: source).filter { replication.retention[$0.label] != nil && !held.contains($0.name) }
        var transfer: [String] = []
        // Vault pruning runs after the update: added after it, so the plan lists them in order.
        // `rule` is nil for an orphaned label.
        var prunes: [(label: String, rule: Retention?, name: String, reason: String)] = []
        let base = replicationBase(plan, replication: replication, source: source)
        // What may not be pruned on the vault whatever its rules.
        func protections(of snapshot: ObservedSnapshot) -> [Protection] {
            var protections: [Protection] = []
            if let until = snapshot.immutableUntil, until > now { protections.append(.immutable(until: until)) }
            let clonesOfIt = plan.remainingClones(of: "\(destination)/\(snapshot.name)", among: cloneParents)
            if !clonesOfIt.isEmpty { protections.append(.cloneParent(clones: clonesOfIt.map(\.name).sorted())) }
            if snapshot.name == base { protections.append(.replicationBase(destination: destination)) }
            return protections
        }
        for (label, rule) in replication.retention.sorted(by: { $0.key < $1.key }) {
            var pool: [RetentionEvaluator.Candidate] = []
            var planned: Set<String> = []
            for snapshot in heldSnapshots where snapshot.label == label && snapshot.group == group.name {
                pool.append(RetentionEvaluator.Candidate(name: snapshot.name, created: snapshot.created, protections: protections(of: snapshot)))
            }
            for backup in candidates where backup.label == label {
                pool.append(RetentionEvaluator.Candidate(name: backup.name, created: backup.created))
                planned.insert(backup.name)
            }
            let outcomes = RetentionEvaluator.evaluate(pool, rule: rule, now: now, byAge: pruneByAge, time: local)
            for outcome in outcomes {
                let isPlanned = planned.contains(outcome.candidate.name)
                // A candidate the vault would not keep is simply not sent.
                if isPlanned && !outcome.keep { continue }
                let decision = RetentionDecision(
                    group: group.name, label: label, location: .destination(pool: replication.to), backup: outcome.candidate.name,
                    created: outcome.candidate.created, verdict: outcome.keep ? .keep : .prune, reason: outcome.reason,
                    planned: isPlanned, protections: outcome.keptBy)
                if decided.insert(decision).inserted { retention.append(decision) }
                if isPlanned {
                    transfer.append(outcome.candidate.name)
                } else if !outcome.keep {
                    prunes.append((label, rule, outcome.candidate.name, outcome.reason))
                }
            }
        }
        // Labels the vault's retention no longer lists: reported, and pruned only with
        // prune_orphaned_labels (never one that is protected).
        let orphans = Dictionary(grouping: heldSnapshots.filter { replication.retention[$0.label] == nil && $0.group == group.name }, by: \.label)
        for (label, snapshots) in orphans.sorted(by: { $0.key < $1.key }) {
            let diagnostic = Diagnostic.orphanedVaultLabel(
                label, vault: replication.to, group: group, count: snapshots.count, pruning: configuration.settings.pruneOrphanedLabels)
            if !diagnostics.contains(diagnostic) { diagnostics.append(diagnostic) }
            for snapshot in snapshots.sorted(by: { $0.name < $1.name }) {
                let protectedBy = configuration.settings.pruneOrphanedLabels ? protections(of: snapshot) : []
                let pruning = configuration.settings.pruneOrphanedLabels && protectedBy.isEmpty
                let reason = pruning
                    ? "orphaned label; prune_orphaned_labels is true"
                    : !protectedBy.isEmpty
                        ? "orphaned label, but protected: " + protectedBy.map { $0.describe(time: local) }.joined(separator: ", ")
                        : "orphaned label (the vault's retention no longer lists it); kept, prune_orphaned_labels is false"
                let decision = RetentionDecision(
                    group: group.name, label: label, location: .destination(pool: replication.to), backup: snapshot.name,
                    created: snapshot.created, verdict: pruning ? .prune : .keep, reason: reason, protections: protectedBy)
                if decided.insert(decision).inserted { retention.append(decision) }
                if pruning { prunes.append((label, nil, snapshot.name, reason)) }
            }
        }
        let ordered = candidates.map(\.name).filter(transfer.contains)
        if !ordered.isEmpty {
            addUpdate(plan, source: source, destination: destination, ready: ready, transfer: ordered, drop: [])
        }
        for prune in prunes {
            let released = plan.releasedClones["\(destination)/\(prune.name)"] ?? []
            add(PlanAction(
                kind: .prune, address: Address.snapshot(volume: destination, name: prune.name), group: group.name,
                reason: prune.rule.map { "vault '\(prune.label)' retention \($0): \(prune.reason)" } ?? "vault '\(prune.label)': \(prune.reason)",
                dependsOn: [ActionID(.transfer, .relationship(destination: destination))] + released,
                before: ["label": prune.label], operation: .deleteSnapshot(volume: destination, name: prune.name), destructive: true,
                arrays: arrays(ofVolume: destination)))
        }
    }

    private mutating func addUpdate(_ plan: GroupPlan, source: String, destination: String, ready: [ActionID], transfer: [String], drop: [String]) {
        var parts: [String] = []
        if !transfer.isEmpty { parts.append("send \(transfer.count) backup\(transfer.count == 1 ? "" : "s")") }
        if !drop.isEmpty { parts.append("drop \(drop.count) the source pruned") }
        add(PlanAction(
            kind: .transfer, address: Address.relationship(destination: destination), group: plan.group.name,
            reason: "update '\(source)' → '\(destination)': " + parts.joined(separator: ", "),
            // Pruning on the primary runs first, except a replication base: it waits for the update.
            dependsOn: ready + (plan.snapshotActions[source] ?? []) + (plan.pruneActions[source] ?? []).filter { !plan.basePruneIDs.contains($0) },
            after: ["transfer": transfer.joined(separator: ", "), "drop": drop.joined(separator: ", ")].filter { !$0.value.isEmpty },
            operation: .updateRelationship(destination: destination, transfer: transfer, drop: drop),
            arrays: Array(Set(arrays(ofVolume: source) + arrays(ofVolume: destination))).sorted()))
    }
}
