import FlashPlanModel
import FlashPlanSchedule
import Foundation

/// Everything the plan does for one resource group, in the order of DESIGN §4:
/// snapshots, pruning on primary, mirror and vault updates, vault pruning, clones.
struct GroupPlan {
    let group: ResourceGroup
    /// Distinct volumes of the group (federated: a shared volume is snapped once).
    var volumes: [String]
    /// Existing and planned backups of the group on primary, by name.
    var backups: [String: Backup] = [:]
    /// Ids of the snapshot actions per volume.
    var snapshotActions: [String: [ActionID]] = [:]
    /// Ids of the primary prune actions per volume.
    var pruneActions: [String: [ActionID]] = [:]
    /// Backup names pruned on primary.
    var pruned: Set<String> = []
    /// The replication base of each destination now — the newest backup it shares with its
    /// source — by backup name: the destinations that would share nothing with the
    /// primary if it were pruned before their update succeeds.
    var bases: [String: [String]] = [:]
    /// The primary prunes of those bases: they wait for the updates, never the reverse.
    var basePruneIDs: Set<ActionID> = []
    /// Clones that this plan deletes (a refresh, or one no longer declared), whose parents it may then prune.
    var releasedClones: [String: [ActionID]] = [:]  // "volume/snapshot" -> delete-clone action ids
    /// Deletes of clones the group no longer declares: they need consent, so what they
    /// release is pruned after them and nothing routine waits for those prunes.
    var undeclaredDeletes: Set<ActionID> = []
    /// Backups whose prune on primary waits for such a delete.
    var prunesAwaitingConsent: Set<String> = []

    /// The clones of `volume/snapshot` that remain after the plan (a refreshed one is deleted).
    func remainingClones(of key: String, among parents: [String: [ObservedClone]]) -> [ObservedClone] {
        let deleted = releasedClones[key] ?? []
        return (parents[key] ?? []).filter { !deleted.contains(CloneDecision.deleteActionID(of: $0.name)) }
    }
    /// Names taken on the group's volumes by snapshots that are not the group's backups.
    var foreignNames: Set<String> = []
    /// Labels the group's policies use, in entry order, with their policy.
    var labels: [(label: String, policy: Policy, entries: [PolicyEntry])] = []

    /// Backups that remain on primary after the plan, newest first.
    func remaining(label: String? = nil) -> [Backup] {
        backups.values.filter { !pruned.contains($0.name) && (label == nil || $0.label == label) }
            .sorted { RetentionEvaluator.newestFirst($0.candidate, $1.candidate) }
    }
}

extension PlanBuilder {
    mutating func planProtection(of group: ResourceGroup) {
        let volumeNames = protectedVolumes(of: group)
        guard !volumeNames.isEmpty else { return }
        var plan = GroupPlan(group: group, volumes: volumeNames)
        collectBackups(&plan)
        collectBases(&plan)
        collectLabels(&plan)
        reportIncompleteBackups(plan)
        planSnapshots(&plan)
        let cloneDecisions = decideClones(plan)
        for decision in cloneDecisions where decision.replaces != nil {
            plan.releasedClones["\(decision.sourceVolume)/\(decision.replaces!.parentSnapshot)", default: []].append(decision.deleteActionID)
        }
        planCloneDeletions(cloneDecisions, plan: plan)
        planUndeclaredCloneDeletions(&plan)
        planPrimaryRetention(&plan)
        planReplication(&plan)
        releaseBases(plan)
        planClones(cloneDecisions, plan: plan)
        planCloneMappings(cloneDecisions, plan: plan)
        // A refresh's delete, planned before the prunes that wait for it, also waits for the
        // snapshot or transfer its new clone comes from, planned after them.
        if cloneDecisions.contains(where: { $0.replaces != nil }) { sortTopologically() }
    }

    /// Groups the group's snapshots into backups, and notes the names other snapshots on
    /// these volumes take, for the naming rule's collision check.
    ///
    /// This runs over every snapshot of the fleet, so it reads them in place (no copy of a
    /// snapshot) and hashes a name only when the backup is not where the previous volume
    /// had it: the volumes of a group usually hold the same backups in the same order
    /// (each volume's snapshots are sorted by creation time, then name), so the next
    /// snapshot is almost always the backup after the one just matched.
    private func collectBackups(_ plan: inout GroupPlan) {
        let group = plan.group.name
        var collected: [Backup] = []
        var position: [String: Int] = [:]
        var foreignNames = plan.foreignNames
        for volume in plan.volumes {
            guard let snapshots = snapshotsByVolume[volume] else { continue }
            snapshots.withUnsafeBufferPointer { held in
                var next = 0
                for i in held.indices {
                    guard held[i].group == group else {
                        foreignNames.insert(held[i].name)
                        continue
                    }
                    let index: Int
                    if next < collected.count, collected[next].name == held[i].name {
                        index = next
                    } else if let found = position[held[i].name] {
                        index = found
                    } else {
                        index = collected.count
                        position[held[i].name] = index
                        var backup = Backup(
                            name: held[i].name, label: held[i].label, created: held[i].created, volumes: [],
                            immutableUntil: nil, planned: false)
                        backup.volumes.reserveCapacity(plan.volumes.count)
                        collected.append(backup)
                    }
                    collected[index].add(volume: volume, immutableUntil: held[i].immutableUntil)
                    next = index + 1
                }
            }
        }
        plan.foreignNames = foreignNames
        plan.backups.reserveCapacity(collected.count)
        for backup in collected { plan.backups[backup.name] = backup }
        // Copies on mirrors: a backup whose primary copy was deleted outside flashplan is
        // still the group's, kept and pruned by its retention like the others.
        // Names others took on the destinations count as taken too: a new backup of that
        // name could never be sent there.
        for replication in plan.group.replicate {
            for volume in plan.volumes {
                let destination = replication.destinationVolume(of: volume)
                guard let held = snapshotsByVolume[destination] else { continue }
                for index in held.indices where held[index].group != group { plan.foreignNames.insert(held[index].name) }
                guard replication.type == .mirror else { continue }
                for index in held.indices where held[index].group == group {
                    let snapshot = held[index]
                    plan.backups[snapshot.name, default: Backup(
                        name: snapshot.name, label: snapshot.label, created: snapshot.created, volumes: [],
                        immutableUntil: nil, planned: false)].add(copy: destination, immutableUntil: snapshot.immutableUntil)
                }
            }
        }
    }

    /// The newest backup each destination holds that its source holds too. An update that
    /// fails leaves the destination where it is, so this — not what the plan will send —
    /// is what an incremental update needs the primary to keep until it has succeeded.
    private func collectBases(_ plan: inout GroupPlan) {
        for replication in plan.group.replicate {
            for volume in plan.volumes {
                let destination = replication.destinationVolume(of: volume)
                var base: RetentionEvaluator.Candidate?
                for snapshot in snapshotsByVolume[destination] ?? [] where snapshot.group == plan.group.name {
                    guard plan.backups[snapshot.name]?.volumes.contains(volume) == true else { continue }
                    let candidate = RetentionEvaluator.Candidate(name: snapshot.name, created: snapshot.created)
                    if base.map({ RetentionEvaluator.newestFirst(candidate, $0) }) ?? true { base = candidate }
                }
                if let base { plan.bases[base.name, default: []].append(destination) }
            }
        }
    }

    private mutating func collectLabels(_ plan: inout GroupPlan) {
        for entry in plan.group.policies {
            guard let policy = configuration.policies[entry.policy] else { continue }
            if policy.frequency != .none, entry.parsedSchedule == nil {
                diagnostics.append(.scheduleNotParsed(policy: policy.name, group: plan.group, at: entry.scheduleLocation))
            }
            if let index = plan.labels.firstIndex(where: { $0.label == policy.label }) {
                plan.labels[index].entries.append(entry)
            } else {
                plan.labels.append((policy.label, policy, [entry]))
            }
        }
    }

    // MARK: Due backups

    /// Why a backup of `label` is due now, or nil when it is not.
    func dueReason(label: String, policy: Policy, entries: [PolicyEntry], newest: Backup?) -> String? {
        // `frequency: none` is on demand: never due, and a schedule given to it is ignored
        // (validate warns `schedule-on-demand`).
        guard policy.frequency != .none else { return nil }
        guard let newest else { return "no '\(label)' backup yet" }
        var latest: (Date, String)?
        for entry in entries {
            guard let schedule = entry.parsedSchedule, let elapse = schedule.latestElapse(atOrBefore: now) else { continue }
            if elapse > (latest?.0 ?? .distantPast) { latest = (elapse, schedule.expression) }
        }
        guard let (elapse, expression) = latest, newest.created < elapse else { return nil }
        return "newest '\(label)' backup \(newest.name) is older than the last elapse of '\(expression)' at \(local(elapse))"
    }

    /// `<group>_<host>_<MM-dd-yyyy>_<HH.mm.ss>` in the configured time zone.
    func backupName(group: ResourceGroup, volumes: [String]) -> String {
        let host = group.hosts.first ?? volumes.lazy.compactMap { configuration.volumes[$0]?.hosts.first }.first ?? "nohost"
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: now)
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(group.name)_\(host)_\(two(c.month))-\(two(c.day))-\(c.year ?? 0)_\(two(c.hour)).\(two(c.minute)).\(two(c.second))"
    }

    private mutating func planSnapshots(_ plan: inout GroupPlan) {
        let group = plan.group
        let baseName = backupName(group: group, volumes: plan.volumes)
        var takenNames = plan.foreignNames
        for volume in plan.volumes { takenNames.formUnion(reservedNames["\(group.name)/\(volume)"] ?? []) }
        for (label, policy, entries) in plan.labels {
            let newest = plan.backups.values.filter { $0.label == label }.min { RetentionEvaluator.newestFirst($0.candidate, $1.candidate) }
            let due: String?
            if let onDemand {
                // The same naming, labels, immutability, transfers and retention as a
                // scheduled backup: only what makes it due differs.
                due = onDemand.group == group.name && configuration.policies[onDemand.policy]?.label == label
                    ? "on demand (flashplan backup --policy \(onDemand.policy))" : nil
            } else {
                due = dueReason(label: label, policy: policy, entries: entries, newest: newest)
            }
            guard let reason = due else { continue }
            let name = Self.freeName(baseName, label: label) { takenNames.contains($0) || plan.backups[$0] != nil }
            takenNames.insert(name)
            let immutableUntil = policy.immutable ? immutabilityEnd(policy, entries: entries) : nil
            let specs = plan.volumes.map { volume in
                let declared = configuration.volumes[volume]
                let mapped = group.hosts.filter { declared?.hosts.contains($0) ?? false }
                return SnapshotSpec(
                    volume: volume, name: name, label: label, hosts: mapped.isEmpty ? group.hosts : mapped, tag: group.tag,
                    group: group.name, immutableUntil: immutableUntil)
            }
            var after = ["label": label, "volumes": plan.volumes.joined(separator: ", ")]
            if let immutableUntil { after["immutable_until"] = immutableUntil.iso8601 }
            let id = add(PlanAction(
                kind: .snapshot, address: Address.backup(group: group.name, name: name), group: group.name, reason: reason,
                dependsOn: plan.volumes.flatMap(volumeDependencies), after: after,
                operations: specs.map { .createSnapshot($0) },
                arrays: Array(Set(plan.volumes.flatMap { arrays(ofVolume: $0) })).sorted()))
            for volume in plan.volumes {
                plan.snapshotActions[volume, default: []].append(id)
            }
            let backup = Backup(name: name, label: label, created: now, volumes: plan.volumes, immutableUntil: immutableUntil, planned: true)
            plan.backups[name] = backup
        }
    }

    /// DESIGN §4: `<name>`, else `<name>_<label>`, else `<name>_2`, `_3`, …: a due backup is
    /// never dropped because its name is taken (two labels due in one DST fold, a hand-made
    /// snapshot of that name).
    static func freeName(_ base: String, label: String, taken: (String) -> Bool) -> String {
        if !taken(base) { return base }
        if !taken(base + "_" + label) { return base + "_" + label }
        var n = 2
        while taken("\(base)_\(n)") { n += 1 }
        return "\(base)_\(n)"
    }

    /// An immutable backup may not be deleted before its retention could expire:
    /// D days, or N × the shortest interval of its schedules for `count: N`, counted from
    /// the elapse the backup stands for — a backup taken late by a delayed timer would
    /// otherwise outlive its N successors and push the volume past what `validate` allowed.
    func immutabilityEnd(_ policy: Policy, entries: [PolicyEntry]) -> Date {
        switch policy.retention {
        case .days(let d):
            return now.addingTimeInterval(Double(d) * 86400)
        case .count(let n):
            let intervals = entries.compactMap { $0.parsedSchedule?.minimumInterval }
            let interval = intervals.min() ?? policy.frequency.minimumInterval ?? 86400
            let elapse = entries.compactMap { $0.parsedSchedule?.latestElapse(atOrBefore: now) }.max() ?? now
            return elapse.addingTimeInterval(Double(n) * interval)
        }
    }

    // MARK: Retention on primary

    /// Why each backup may never be pruned, by name.
    func protections(_ plan: GroupPlan) -> [String: [Protection]] {
        var result: [String: [Protection]] = [:]
        for backup in plan.backups.values {
            if let until = backup.immutableUntil, until > now {
                result[backup.name, default: []].append(.immutable(until: until))
            }
        }
        // Clone parents, on primary and on every destination of the group.
        var copies = plan.volumes.map { ($0, $0) }
        for replication in plan.group.replicate {
            copies += plan.volumes.map { (replication.destinationVolume(of: $0), $0) }
        }
        for (copy, _) in copies {
            // From the clones, not the snapshots: there are far fewer of them.
            for parent in Set((clonesByVolume[copy] ?? []).map(\.parentSnapshot)).sorted() {
                let clonesOfIt = plan.remainingClones(of: "\(copy)/\(parent)", among: cloneParents)
                guard !clonesOfIt.isEmpty else { continue }
                result[parent, default: []].append(.cloneParent(clones: clonesOfIt.map(\.name).sorted()))
            }
        }
        // Replication base: the newest backup each destination holds once the plan has
        // run, whatever the rule (orphan pruning included): an incremental update needs it.
        for replication in plan.group.replicate {
            for volume in plan.volumes {
                let destination = replication.destinationVolume(of: volume)
                if let base = replicationBase(plan, replication: replication, source: volume) {
                    result[base, default: []].append(.replicationBase(destination: destination))
                }
            }
        }
        return result.mapValues { Array(Set($0)).sorted() }
    }

    /// The newest of the group's backups that `replication`'s destination of `source` will
    /// hold after the plan: what it holds now, and — where the update can run — the
    /// newest backup of each label the destination receives that a policy still makes
    /// (retention always keeps the newest of a label, so that one is certainly sent).
    func replicationBase(_ plan: GroupPlan, replication: Replication, source: String) -> String? {
        let destination = replication.destinationVolume(of: source)
        var best: RetentionEvaluator.Candidate?
        func consider(_ candidate: RetentionEvaluator.Candidate) {
            if best.map({ RetentionEvaluator.newestFirst(candidate, $0) }) ?? true { best = candidate }
        }
        for snapshot in snapshotsByVolume[destination] ?? [] where snapshot.group == plan.group.name {
            consider(RetentionEvaluator.Candidate(name: snapshot.name, created: snapshot.created))
        }
        if updateCanRun(source: source, destination: destination) {
            for (label, _, _) in plan.labels where replication.type == .mirror || replication.retention[label] != nil {
                let newest = plan.backups.values.filter { $0.label == label && $0.volumes.contains(source) }
                    .min { RetentionEvaluator.newestFirst($0.candidate, $1.candidate) }
                if let newest { consider(newest.candidate) }
            }
        }
        return best?.name
    }

    func updateCanRun(source: String, destination: String) -> Bool {
        isReachable(volume: source) && isReachable(volume: destination)
    }

    private mutating func planPrimaryRetention(_ plan: inout GroupPlan) {
        let group = plan.group
        let protectedBackups = protections(plan)
        let policyLabels = Set(plan.labels.map(\.label))
        var byLabel: [String: [Backup]] = Dictionary(grouping: plan.backups.values, by: \.label)
        for (label, policy, _) in plan.labels {
            let backups = byLabel.removeValue(forKey: label) ?? []
            let outcomes = RetentionEvaluator.evaluate(
                backups.map { RetentionEvaluator.Candidate(name: $0.name, created: $0.created, protections: protectedBackups[$0.name] ?? []) },
                rule: policy.retention, now: now, byAge: pruneByAge, time: local)
            record(outcomes, plan: &plan, label: label, rule: "\(policy.retention)")
        }
        // What is left has a label no policy of the group uses any more.
        for (label, backups) in byLabel.sorted(by: { $0.key < $1.key }) where !policyLabels.contains(label) {
            diagnostics.append(.orphanedLabel(label, group: group, count: backups.count, pruning: configuration.settings.pruneOrphanedLabels))
            let outcomes = backups.sorted { RetentionEvaluator.newestFirst($0.candidate, $1.candidate) }.map { backup in
                let protection = protectedBackups[backup.name] ?? []
                if !configuration.settings.pruneOrphanedLabels {
                    return RetentionEvaluator.Outcome(candidate: backup.candidate, keep: true, reason: "orphaned label (no policy of the group uses it); kept, prune_orphaned_labels is false")
                }
                if !protection.isEmpty {
                    let words = protection.map { $0.describe(time: local) }.joined(separator: ", ")
                    return RetentionEvaluator.Outcome(
                        candidate: backup.candidate, keep: true, reason: "orphaned label, but protected: " + words, keptBy: protection)
                }
                return RetentionEvaluator.Outcome(candidate: backup.candidate, keep: false, reason: "orphaned label; prune_orphaned_labels is true")
            }
            record(outcomes, plan: &plan, label: label, rule: "orphaned")
        }
    }

    private mutating func record(_ outcomes: [RetentionEvaluator.Outcome], plan: inout GroupPlan, label: String, rule: String) {
        let group = plan.group
        for outcome in outcomes {
            guard let backup = plan.backups[outcome.candidate.name] else { continue }
            let holders = outcome.keep ? [] : backup.volumes.sorted()
            // The prune waits for the updates that give these destinations a newer backup
            // (`releaseBases`); if one fails, the backup stays, one over the count.
            let waitsFor = holders.isEmpty ? [] : Array(Set(plan.bases[backup.name] ?? [])).sorted()
            let waiting = waitsFor.isEmpty ? "" : Self.baseWaits(waitsFor)
            retention.append(RetentionDecision(
                group: group.name, label: label, location: .primary, backup: backup.name, created: backup.created,
                verdict: outcome.keep ? .keep : .prune, reason: outcome.reason + waiting, planned: backup.planned, protections: outcome.keptBy))
            guard !outcome.keep else { continue }
            plan.pruned.insert(backup.name)
            // Held on mirrors only: their updates drop it.
            guard !holders.isEmpty else { continue }
            let released = holders.flatMap { plan.releasedClones["\($0)/\(backup.name)"] ?? [] }
            let id = add(PlanAction(
                kind: .prune, address: Address.backup(group: group.name, name: backup.name), group: group.name,
                reason: "'\(label)' retention \(rule): \(outcome.reason)\(waiting)",
                dependsOn: holders.flatMap { plan.snapshotActions[$0] ?? [] } + released,
                before: ["label": label, "created": backup.created.iso8601, "volumes": holders.joined(separator: ", ")],
                operations: holders.map { .deleteSnapshot(volume: $0, name: backup.name) }, destructive: true,
                arrays: Array(Set(holders.flatMap { arrays(ofVolume: $0) })).sorted()))
            // Updates wait for the source's prunes, but not for one that waits for consent:
            // a held clone deletion must not stop replication. A mirror drops that backup
            // in a prune of its own, after this one.
            if released.contains(where: plan.undeclaredDeletes.contains) {
                plan.prunesAwaitingConsent.insert(backup.name)
                continue
            }
            for volume in holders {
                plan.pruneActions[volume, default: []].append(id)
            }
            if !waitsFor.isEmpty { plan.basePruneIDs.insert(id) }
        }
    }

    /// What the reasons of a base's prune add: it may stay over the count.
    static func baseWaits(_ destinations: [String]) -> String {
        "; the replication base of \(destinations.joined(separator: ", ")): pruned only once the update gives it a newer backup, kept (over the count) while that update fails"
    }

    /// Makes each pruned replication base wait for the updates that give its destinations a
    /// newer backup: a failed, blocked or held update then skips the prune, and source and
    /// destination still share a backup. Where no update in the plan sends one, the prune
    /// is held outright.
    private mutating func releaseBases(_ plan: GroupPlan) {
        for (name, destinations) in plan.bases.sorted(by: { $0.key < $1.key }) where plan.pruned.contains(name) {
            let prune = ActionID(.prune, Address.backup(group: plan.group.name, name: name))
            guard let pruneIndex = actionIndex[prune], let base = plan.backups[name] else { continue }
            var releases: [BaseRelease] = []
            var unreleased: [String] = []
            for destination in Array(Set(destinations)).sorted() {
                let transfer = ActionID(.transfer, .relationship(destination: destination))
                let sent = actionIndex[transfer].map { actions[$0].operations.flatMap(\.transferredBackups) } ?? []
                let newer = Set(sent.filter { plan.backups[$0].map { RetentionEvaluator.newestFirst($0.candidate, base.candidate) } ?? false })
                if newer.isEmpty {
                    unreleased.append(destination)
                } else {
                    releases.append(BaseRelease(transfer: transfer, destination: destination, newer: newer))
                    if !actions[pruneIndex].dependsOn.contains(transfer) { actions[pruneIndex].dependsOn.append(transfer) }
                }
            }
            basePrunes[prune] = releases
            if !unreleased.isEmpty {
                keepBase(pruneIndex, destinations: unreleased, why: "no update in this plan gives it a newer backup")
            }
        }
        listAfterTheirUpdates()
    }

    /// Lists each base's prune right after the last update it waits for, so the text plan
    /// reads in the order the executor follows.
    private mutating func listAfterTheirUpdates() {
        let waiting = actions.filter { basePrunes[$0.id].map { !$0.isEmpty } ?? false }
        guard !waiting.isEmpty else { return }
        let moved = Set(waiting.map(\.id))
        actions.removeAll { moved.contains($0.id) }
        for prune in waiting {
            let after = actions.lastIndex { prune.dependsOn.contains($0.id) } ?? actions.count - 1
            actions.insert(prune, at: after + 1)
        }
        actionIndex = Dictionary(uniqueKeysWithValues: actions.enumerated().map { ($1.id, $0) })
    }

    /// Holds the prune of a replication base, and its drop from the group's mirrors: a
    /// mirror holds what its source holds, and the copy there may be all the two share.
    mutating func keepBase(_ pruneIndex: Int, destinations: [String], why: String) {
        guard actions[pruneIndex].blockedBy == nil, case .backup(_, let name) = actions[pruneIndex].address else { return }
        actions[pruneIndex].blockedBy = "\(name) is the replication base of \(destinations.joined(separator: ", ")) and is kept: \(why)"
        for t in actions.indices where actions[t].kind == .transfer && actions[t].group == actions[pruneIndex].group {
            actions[t].operations = actions[t].operations.map { operation in
                guard case .updateRelationship(let destination, let transfer, let drop) = operation, drop.contains(name) else { return operation }
                return .updateRelationship(destination: destination, transfer: transfer, drop: drop.filter { $0 != name })
            }
            actions[t].refreshUpdateSummary()
        }
    }
}
