import FlashPlanModel
import Foundation

@testable import FlashPlanEngine
@testable import FlashPlanApp

/// A minimal in-memory "backend" for tests: what the storage would look like once a plan's
/// operations ran at `now`. Not the simulator — just enough bookkeeping to check that the
/// planner converges (a plan right after an apply, at the same `now`, has nothing to do).
/// `SimulatorAgreementTests` checks it against the simulator (same state, same plan, same
/// snapshots, relationships, clones and volumes afterwards), and `randomHistoriesOverTime`
/// replays through the simulator itself, comparing with this model at every step.
extension ObservedState {
    /// Runs the plan's actions in dependency order (lowest index first among the ready ones).
    /// Blocked actions, and whatever depends on them, are skipped, as the executor does.
    func applying(_ plan: Plan, at now: Date) -> ObservedState {
        var state = self
        var skipped = Set<ActionID>()
        for action in Self.dependencyOrder(plan.actions) {
            if action.blockedBy != nil || action.dependsOn.contains(where: skipped.contains) {
                skipped.insert(action.id)
                continue
            }
            for operation in action.operations { state.apply(operation, at: now) }
        }
        state.serial += 1
        state.snapshots.sort { ($0.volume, $0.created, $0.name) < ($1.volume, $1.created, $1.name) }
        state.volumes.sort { $0.name < $1.name }
        state.relationships.sort { $0.destination < $1.destination }
        state.clones.sort { $0.name < $1.name }
        return state
    }

    /// Kahn's algorithm; dependencies on actions not in the list are ignored.
    static func dependencyOrder(_ actions: [PlanAction]) -> [PlanAction] {
        let index = Dictionary(uniqueKeysWithValues: actions.enumerated().map { ($1.id, $0) })
        var waiting = actions.map { Set($0.dependsOn.compactMap { index[$0] }) }
        var done: [PlanAction] = []
        var remaining = Set(actions.indices)
        while !remaining.isEmpty {
            guard let next = remaining.filter({ waiting[$0].isEmpty }).min() else {
                // A cycle: give up on ordering the rest (the caller's checks will fail).
                return done + remaining.sorted().map { actions[$0] }
            }
            remaining.remove(next)
            done.append(actions[next])
            for i in remaining { waiting[i].remove(next) }
        }
        return done
    }

    mutating func apply(_ operation: StorageOperation, at now: Date) {
        switch operation {
        case .installArray(let name, let model, let capacity, let site):
            arrays.append(ObservedArray(name: name, model: model, capacity: capacity, site: site))
        case .installCluster(let name, let site, let ioGroups):
            clusters.append(ObservedCluster(name: name, site: site, ioGroups: ioGroups))
        case .createPool(let name, let cluster, let capacityFrom, let warningThreshold, let maxOvercommit, let easyTier):
            let physical = capacityFrom.reduce(ByteCount.zero) { $0 + $1.capacity }
            pools.append(ObservedPool(
                name: name, cluster: cluster, capacityFrom: capacityFrom, warningThreshold: warningThreshold,
                maxOvercommit: maxOvercommit, easyTier: easyTier, physicalCapacity: physical, usedCapacity: .zero,
                virtualCapacity: .zero))
        case .addPoolCapacity(let pool, let array, let capacity):
            guard let i = pools.firstIndex(where: { $0.name == pool }) else { return }
            pools[i].capacityFrom.append(Pool.Extent(array: array, capacity: capacity))
            pools[i].physicalCapacity += capacity
        case .modifyPool(let name, let warningThreshold, let maxOvercommit, let easyTier):
            guard let i = pools.firstIndex(where: { $0.name == name }) else { return }
            pools[i].warningThreshold = warningThreshold
            pools[i].maxOvercommit = maxOvercommit
            pools[i].easyTier = easyTier
        case .createHost(let name, let site):
            hosts.append(ObservedHost(name: name, site: site))
        case .createVolume(let spec):
            volumes.append(ObservedVolume(
                name: spec.name, pool: spec.pool, size: spec.size, accessProtocol: spec.accessProtocol, thin: spec.thin,
                compressed: spec.compressed, mirrorPool: spec.mirrorPool, changeRate: spec.changeRate, role: spec.role, created: now))
        case .destroyVolume(let name):
            volumes.removeAll { $0.name == name }
            snapshots.removeAll { $0.volume == name }
        case .resizeVolume(let name, let size):
            modifyVolume(name) { $0.size = size }
        case .migrateVolume(let name, let pool):
            modifyVolume(name) { $0.pool = pool }
        case .addMirrorCopy(let volume, let pool):
            modifyVolume(volume) { $0.mirrorPool = pool }
        case .removeMirrorCopy(let volume):
            modifyVolume(volume) { $0.mirrorPool = nil }
        case .mapHost(let volume, let host):
            modifyVolume(volume) { if !$0.hosts.contains(host) { $0.hosts.append(host) } }
        case .unmapHost(let volume, let host):
            modifyVolume(volume) { $0.hosts.removeAll { $0 == host } }
        case .createSnapshot(let spec):
            snapshots.append(ObservedSnapshot(
                volume: spec.volume, name: spec.name, label: spec.label, created: now, hosts: spec.hosts, tag: spec.tag,
                group: spec.group, immutableUntil: spec.immutableUntil))
        case .deleteSnapshot(let volume, let name):
            snapshots.removeAll { $0.volume == volume && $0.name == name }
        case .renameSnapshot(let volume, let name, let newName):
            if let i = snapshots.firstIndex(where: { $0.volume == volume && $0.name == name }) { snapshots[i].name = newName }
        case .restoreSnapshot:
            break
        case .createRelationship(let source, let destination, let type, let mode, let group):
            relationships.append(ObservedRelationship(source: source, destination: destination, type: type, mode: mode, group: group))
        case .initializeRelationship(let destination):
            // The baseline is a transfer.
            modifyRelationship(destination) {
                $0.state = .idle
                $0.lastTransfer = now
            }
        case .resyncRelationship(let destination):
            // A resync of a broken relationship transfers what the destination lost.
            modifyRelationship(destination) {
                if $0.state == .broken { $0.lastTransfer = now }
                $0.state = .idle
            }
        case .updateRelationship(let destination, let transfer, let drop):
            guard let relationship = relationships.first(where: { $0.destination == destination }) else { return }
            for name in transfer {
                guard var copy = snapshots.first(where: { $0.volume == relationship.source && $0.name == name }),
                    !snapshots.contains(where: { $0.volume == destination && $0.name == name })
                else { continue }
                copy.volume = destination
                snapshots.append(copy)
            }
            snapshots.removeAll { $0.volume == destination && drop.contains($0.name) }
            modifyRelationship(destination) {
                $0.state = .idle
                $0.lastTransfer = now
            }
        case .createClone(let name, let volume, let snapshot, let host):
            let pool = volumes.first { $0.name == volume }?.pool ?? "?"
            let size = volumes.first { $0.name == volume }?.size ?? .zero
            clones.append(ObservedClone(name: name, volume: volume, pool: pool, parentSnapshot: snapshot, host: host, created: now))
            volumes.append(ObservedVolume(name: name, pool: pool, size: size, hosts: host.map { [$0] } ?? [], role: .clone, created: now))
        case .deleteClone(let name):
            clones.removeAll { $0.name == name }
            volumes.removeAll { $0.name == name }
        }
    }

    private mutating func modifyVolume(_ name: String, _ change: (inout ObservedVolume) -> Void) {
        if let i = volumes.firstIndex(where: { $0.name == name }) { change(&volumes[i]) }
    }

    private mutating func modifyRelationship(_ destination: String, _ change: (inout ObservedRelationship) -> Void) {
        if let i = relationships.firstIndex(where: { $0.destination == destination }) { change(&relationships[i]) }
    }
}
