import FlashPlanModel

extension PlanBuilder {
    /// One problem blocks only what it concerns (DESIGN §5).
    ///
    /// A plan-time error about one object (its `subject`) holds the actions concerning
    /// that object — they are shown, with the error as the reason, and the executor
    /// skips them and whatever depends on them — while every other group's protection
    /// goes on and the apply ends "partly applied". What "concerning" means depends on
    /// what the object is, and always errs towards keeping protection running:
    ///
    /// - a resource group: all of its actions (its schedules cannot be judged);
    /// - a volume: changes to the volume itself (resize, migration, mirror copy,
    ///   mappings, destruction); its backups and their pruning go on;
    /// - a full pool: what adds data to it (new volumes, snapshots of its volumes,
    ///   clones, mirror copies, transfers into it); prunes and added capacity, which
    ///   free or add space, go on;
    /// - an overcommitted pool (or one whose capacity would shrink): what adds virtual
    ///   capacity to it (new volumes, growth, clones, mirror copies, migrations into
    ///   it); backups and transfers, which do not, go on;
    /// - an array: provisioning on it (installing it, pools and capacity from it);
    /// - a relationship: creating, initializing, updating and resyncing it.
    mutating func blockConcerned() {
        let blocking = diagnostics.filter { $0.severity == .error && $0.subject != nil }
        guard !blocking.isEmpty else { return }
        for diagnostic in blocking {
            guard let subject = diagnostic.subject else { continue }
            let reason = "\(diagnostic.message) [\(diagnostic.rule)]"
            let virtualOnly = diagnostic.rule != .poolFull
            for index in actions.indices where actions[index].blockedBy == nil && concerns(actions[index], subject, virtualOnly: virtualOnly) {
                actions[index].blockedBy = reason
            }
        }
    }

    private func concerns(_ action: PlanAction, _ subject: Address, virtualOnly: Bool) -> Bool {
        switch subject {
        case .group(let group):
            return action.group == group
        case .volume(let volume):
            switch action.address {
            case .volume(let name), .mapping(let name, _): return name == volume
            default: return false
            }
        case .pool(let pool):
            return action.operations.contains { adds(to: pool, $0, virtualOnly: virtualOnly) }
        case .array(let array):
            switch action.address {
            case .array(let name): return name == array
            case .poolExtent(_, let name): return name == array
            case .pool(let pool): return action.kind == .createPool && arrays(ofPool: pool).contains(array)
            default: return false
            }
        case .relationship(let destination):
            return action.address == .relationship(destination: destination)
                || action.operations.contains { operation in
                    switch operation {
                    case .createRelationship(_, let d, _, _, _), .initializeRelationship(let d), .updateRelationship(let d, _, _),
                        .resyncRelationship(let d):
                        d == destination
                    default: false
                    }
                }
        default:
            return action.address == subject
        }
    }

    /// Whether an operation puts new data into `pool` (with `virtualOnly`, new virtual
    /// capacity: snapshots and transfers do not count).
    private func adds(to pool: String, _ operation: StorageOperation, virtualOnly: Bool) -> Bool {
        if virtualOnly {
            switch operation {
            case .createSnapshot, .createRelationship, .initializeRelationship, .updateRelationship, .resyncRelationship: return false
            default: break
            }
        }
        return switch operation {
        case .createVolume(let spec): spec.pool == pool || spec.mirrorPool == pool
        case .createSnapshot(let spec): copyPools(ofVolume: spec.volume).contains(pool)
        case .createClone(_, let volume, _, _): copyPools(ofVolume: volume).contains(pool)
        case .addMirrorCopy(_, let target): target == pool
        case .migrateVolume(_, let target): target == pool
        case .resizeVolume(let volume, _): copyPools(ofVolume: volume).contains(pool)
        case .createRelationship(_, let destination, _, _, _), .initializeRelationship(let destination),
            .updateRelationship(let destination, _, _), .resyncRelationship(let destination):
            copyPools(ofVolume: destination).contains(pool)
        default: false
        }
    }
}
