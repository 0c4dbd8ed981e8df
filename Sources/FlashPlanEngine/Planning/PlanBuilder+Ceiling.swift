import FlashPlanModel
import HeapModule
import Foundation

extension PlanBuilder {
    /// What one action does to the snapshot count of each volume it touches.
    private func snapshotEffects(_ action: PlanAction) -> [(volume: String, delta: Int)] {
        action.operations.compactMap { operation in
            switch operation {
            case .createSnapshot(let spec): (spec.volume, 1)
            case .deleteSnapshot(let volume, _): (volume, -1)
            // The simulator drops before it sends: only the net change counts.
            case .updateRelationship(let destination, let transfer, let drop): (destination, Set(transfer).count - Set(drop).count)
            default: nil
            }
        }
    }

    /// The 255 ceiling and full pools, checked on the whole graph (DESIGN §4).
    ///
    /// The executor may run independent actions in any order, so the worst case of a
    /// volume is its count now plus everything the plan adds to it before anything is
    /// removed: that peak is what must stay within 255, for all groups on the volume at
    /// once, whatever their names. Where it would not — or where the volume's pool is
    /// already full, so a new snapshot fails until pruning frees space — the removals on
    /// that volume (the prunes the new backups make due) are made to run before the
    /// additions. Backups then never stop at the ceiling: the alternative, a snapshot
    /// that fails before the prune it waits for, fails every apply forever.
    mutating func enforceCeiling() {
        unpinBasesThatAloneMakeRoom()
        var adds: [String: [Int]] = [:]
        var removes: [String: [Int]] = [:]
        var added: [String: Int] = [:]
        var removed: [String: Int] = [:]
        // A replication base's prune runs only after the update that releases it, so after
        // the new backup it sends: it never makes room for an addition. When the volume
        // cannot take the addition without it, the addition is held, not the base pruned.
        var waitingBases: [String: [String]] = [:]
        for (index, action) in actions.enumerated() {
            for (volume, delta) in snapshotEffects(action) where delta != 0 {
                if delta < 0, let releases = basePrunes[action.id] {
                    waitingBases[volume, default: []].append("\(action.address) (the replication base of \(releases.map(\.destination).joined(separator: ", ")))")
                    continue
                }
                if delta > 0 {
                    adds[volume, default: []].append(index)
                    added[volume, default: 0] += delta
                } else {
                    removes[volume, default: []].append(index)
                    removed[volume, default: 0] -= delta
                }
            }
        }
        // Volumes whose worst case passes 255, or whose pool is full, with removals to move.
        let crowded = adds.keys.sorted().filter { volume in
            let now = snapshotsByVolume[volume]?.count ?? 0
            return now + (added[volume] ?? 0) > Self.snapshotCeiling || poolIsFull(ofVolume: volume)
        }
        /// Makes `volume`'s removals run before its additions.
        func removalsFirst(_ volume: String) {
            let addIDs = Set(adds[volume]!.map { actions[$0].id })
            for r in removes[volume] ?? [] {
                actions[r].dependsOn.removeAll(where: addIDs.contains)
                for a in adds[volume]! where !actions[a].dependsOn.contains(actions[r].id) {
                    actions[a].dependsOn.append(actions[r].id)
                }
            }
        }
        // All at once, checked once: a whole fleet in a full pool is thousands of volumes.
        // Only when that makes a cycle (a removal that waits for an addition, as a clone
        // refreshed from the new backup) is each volume tried alone.
        var reordered: Set<String> = []
        let movable = crowded.filter { removes[$0] != nil }
        if !movable.isEmpty {
            let saved = actions
            movable.forEach(removalsFirst)
            if hasCycle() {
                actions = saved
                for volume in movable {
                    let before = actions
                    removalsFirst(volume)
                    if hasCycle() { actions = before } else { reordered.insert(volume) }
                }
            } else {
                reordered = Set(movable)
            }
        }
        for volume in crowded {
            let now = snapshotsByVolume[volume]?.count ?? 0
            let additions = added[volume] ?? 0
            let peak = reordered.contains(volume) ? max(now, now - (removed[volume] ?? 0) + additions) : now + additions
            if peak > Self.snapshotCeiling {
                // One problem blocks only what it concerns (DESIGN §5): the additions to this
                // volume are held, its prunes and every other volume's work go on.
                let groups = Set(adds[volume]!.compactMap { actions[$0].group }).sorted().compactMap { configuration.resourceGroups[$0] }
                diagnostics.append(.snapshotCeiling(
                    volume: volume, count: peak, groups: groups, clones: cloneHolds(onVolume: volume),
                    handMade: snapshotsByVolume[volume]?.contains { $0.group == nil } ?? false, waitingBases: waitingBases[volume] ?? []))
                for a in adds[volume]! where actions[a].blockedBy == nil {
                    actions[a].blockedBy = "volume '\(volume)' would hold \(peak) snapshots, over the 255 a FlashSystem volume holds"
                }
            } else if poolIsFull(ofVolume: volume), removes[volume] == nil, let bases = waitingBases[volume] {
                // Nothing but the base would free space first, and the new snapshot would
                // fail before it: held, so that the update sends the rest and releases it.
                for a in adds[volume]! where actions[a].blockedBy == nil {
                    actions[a].blockedBy = "the pool of volume '\(volume)' is full, and what would free space, "
                        + bases.joined(separator: ", ") + ", waits for its update"
                }
            }
        }
        for volume in reordered.sorted() {
            let waits = cloneDeletesAwaited(byRemovalsOf: removes[volume] ?? [])
            guard !waits.isEmpty else { continue }
            let groups = Set(adds[volume]!.compactMap { actions[$0].group }).sorted().compactMap { configuration.resourceGroups[$0] }
            diagnostics.append(.ceilingAwaitsCloneDeletion(volume: volume, clones: waits, groups: groups))
        }
        if !reordered.isEmpty { sortTopologically() }
    }

    /// The updates that would have sent a backup whose snapshot is held or blocked send the
    /// others without it: an update that waited for it would be skipped every apply, and
    /// with it the prune of the replication base it releases — a volume at the ceiling or
    /// in a full pool would never move again. A base whose update no longer sends it a
    /// newer backup is then kept.
    mutating func sendWithoutHeldBackups() {
        var heldBackups: [ActionID: Set<String>] = [:]
        for action in actions where action.kind == .snapshot && action.blockedBy != nil {
            for case .createSnapshot(let spec) in action.operations { heldBackups[action.id, default: []].insert(spec.name) }
        }
        guard !heldBackups.isEmpty else { return }
        for t in actions.indices where actions[t].kind == .transfer {
            let waited = actions[t].dependsOn.filter { heldBackups[$0] != nil }
            guard !waited.isEmpty else { continue }
            let unsent = waited.reduce(into: Set<String>()) { $0.formUnion(heldBackups[$1]!) }
            actions[t].dependsOn.removeAll(where: waited.contains)
            actions[t].operations = actions[t].operations.map { operation in
                guard case .updateRelationship(let destination, let transfer, let drop) = operation else { return operation }
                return .updateRelationship(destination: destination, transfer: transfer.filter { !unsent.contains($0) }, drop: drop)
            }
            actions[t].refreshUpdateSummary(emptied: "nothing left to send without " + unsent.sorted().joined(separator: ", ") + ", which is held")
        }
        for (prune, releases) in basePrunes.sorted(by: { $0.key < $1.key }) {
            guard let p = actionIndex[prune], actions[p].blockedBy == nil else { continue }
            let unreleased = releases.filter { release in
                let sent = actionIndex[release.transfer].map { actions[$0].operations.flatMap(\.transferredBackups) } ?? []
                return !sent.contains(where: release.newer.contains)
            }
            guard !unreleased.isEmpty else { continue }
            keepBase(p, destinations: unreleased.map(\.destination), why: "the newer backup its update would send is held")
        }
    }

    /// A base that waits for its update is kept over the ceiling only while that update
    /// still has a newer backup to send without the one held: it then releases the base
    /// and the next apply has room. Where the new backup is all it would send (the
    /// destination is up to date, `count: 1`), keeping the base would hold the volume's
    /// backups for good; the base is then pruned first, as any other prune, and its
    /// reason says what a failed update would cost.
    private mutating func unpinBasesThatAloneMakeRoom() {
        guard !basePrunes.isEmpty else { return }
        var additions: [String: Int] = [:]
        var addedNames: [String: Set<String>] = [:]
        for action in actions {
            for operation in action.operations {
                switch operation {
                case .createSnapshot(let spec):
                    additions[spec.volume, default: 0] += 1
                    addedNames[spec.volume, default: []].insert(spec.name)
                case .updateRelationship(let destination, let transfer, let drop):
                    additions[destination, default: 0] += Set(transfer).count - Set(drop).count
                default: break
                }
            }
        }
        for (prune, releases) in basePrunes.sorted(by: { $0.key < $1.key }) where !releases.isEmpty {
            guard let p = actionIndex[prune], actions[p].blockedBy == nil else { continue }
            let volumes = actions[p].operations.compactMap { operation -> String? in
                if case .deleteSnapshot(let volume, _) = operation { return volume }
                return nil
            }
            let crowded = volumes.filter { volume in
                let adding = additions[volume] ?? 0
                return adding > 0 && ((snapshotsByVolume[volume]?.count ?? 0) + adding > Self.snapshotCeiling || poolIsFull(ofVolume: volume))
            }
            guard !crowded.isEmpty else { continue }
            let held = crowded.reduce(into: Set<String>()) { $0.formUnion(addedNames[$1] ?? []) }
            guard releases.contains(where: { $0.newer.isSubset(of: held) }) else { continue }
            let transfers = Set(releases.map(\.transfer))
            actions[p].dependsOn.removeAll(where: transfers.contains)
            let waits = Self.baseWaits(releases.map(\.destination))
            let why = "; the replication base of \(releases.map(\.destination).joined(separator: ", ")), pruned first all the same to make room at the 255 ceiling on \(crowded.joined(separator: ", ")): should the update fail, the next one needs a new baseline"
            actions[p].reason = actions[p].reason.replacingOccurrences(of: waits, with: why)
            if case .backup(let group, let name) = prune.address {
                for d in retention.indices where retention[d].group == group && retention[d].backup == name && retention[d].location == .primary {
                    retention[d].reason = retention[d].reason.replacingOccurrences(of: waits, with: why)
                }
            }
            basePrunes[prune] = nil
        }
    }

    /// Clones the configuration no longer declares whose deletion (it needs consent) the
    /// given removals wait for, with the parent each releases.
    private func cloneDeletesAwaited(byRemovalsOf indices: [Int]) -> [Diagnostic.CloneHold] {
        var holds: [Diagnostic.CloneHold] = []
        for index in indices {
            for dependency in actions[index].dependsOn where dependency.kind == .deleteClone {
                guard !has(ActionID(.createClone, dependency.address)), case .clone(let name) = dependency.address,
                    let clone = clones[name]
                else { continue }
                let hold = Diagnostic.CloneHold(clone: name, parent: clone.parentSnapshot, undeclared: true)
                if !holds.contains(hold) { holds.append(hold) }
            }
        }
        return holds
    }

    static var snapshotCeiling: Int { 255 }

    /// The clones whose parents on `volume` no retention may prune, and whether the plan
    /// deletes one the configuration no longer declares (a deletion that waits for consent):
    /// at the ceiling they, not snapshots taken by hand, may be what fills the volume.
    private func cloneHolds(onVolume volume: String) -> [Diagnostic.CloneHold] {
        (clonesByVolume[volume] ?? []).sorted { $0.name < $1.name }.compactMap { clone in
            let delete = ActionID(.deleteClone, .clone(clone.name))
            let refreshed = has(ActionID(.createClone, .clone(clone.name)))
            // A refreshed clone releases its parent in this plan: it holds nothing.
            if has(delete) && refreshed { return nil }
            return Diagnostic.CloneHold(clone: clone.name, parent: clone.parentSnapshot, undeclared: has(delete))
        }
    }

    /// A pool that already holds all it can: a new snapshot there fails until something is freed.
    private func poolIsFull(ofVolume volume: String) -> Bool {
        guard let pool = copyPools(ofVolume: volume).first, let observed = pools[pool] else { return false }
        return observed.usedCapacity >= observed.physicalCapacity && observed.physicalCapacity > .zero
    }

    private func hasCycle() -> Bool {
        topologicalOrder() == nil
    }

    /// Kahn's algorithm, stable: among ready actions the earlier one in the plan comes first.
    func topologicalOrder() -> [Int]? {
        let index = Dictionary(uniqueKeysWithValues: actions.enumerated().map { ($1.id, $0) })
        var waiting = actions.map { $0.dependsOn.filter { index[$0] != nil }.count }
        var dependents = [[Int]](repeating: [], count: actions.count)
        for (i, action) in actions.enumerated() {
            for d in action.dependsOn { if let j = index[d] { dependents[j].append(i) } }
        }
        var ready = Heap(actions.indices.filter { waiting[$0] == 0 })
        var order: [Int] = []
        order.reserveCapacity(actions.count)
        while let i = ready.popMin() {
            order.append(i)
            for d in dependents[i] {
                waiting[d] -= 1
                if waiting[d] == 0 { ready.insert(d) }
            }
        }
        return order.count == actions.count ? order : nil
    }

    /// Lists the actions in an order the executor could follow, so the text plan reads in order.
    mutating func sortTopologically() {
        guard let order = topologicalOrder() else { return }
        actions = order.map { actions[$0] }
        actionIndex = Dictionary(uniqueKeysWithValues: actions.enumerated().map { ($1.id, $0) })
    }
}
