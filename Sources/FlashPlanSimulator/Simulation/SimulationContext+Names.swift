import FlashPlanModel

/// SQLite takes a bound string up to its first NUL, so a name holding one would be stored
/// cut short — and an operation naming an existing object would act on another one
/// (`sim delete-snapshot v "a\0b"` on snapshot `a`). Like a real SVC, which accepts only
/// printable names, the simulator refuses such a name before doing anything.
extension SimulationContext {
    static func refuseNUL(in texts: [String], of what: String) throws {
        if let bad = texts.first(where: { $0.utf8.contains(0) }) {
            throw BackendError(.refused, "\(what) names \(bad.debugDescription), which holds a NUL character; no name may hold one")
        }
    }
}

extension StorageOperation {
    /// Every name and text the operation carries.
    var texts: [String] {
        switch self {
        case .installArray(let name, _, _, let site), .installCluster(let name, let site, _), .createHost(let name, let site):
            return [name] + (site.map { [$0] } ?? [])
        case .createPool(let name, let cluster, let capacityFrom, _, _, _):
            return [name, cluster] + capacityFrom.map(\.array)
        case .addPoolCapacity(let pool, let array, _): return [pool, array]
        case .modifyPool(let name, _, _, _), .destroyVolume(let name), .resizeVolume(let name, _), .removeMirrorCopy(let name),
            .initializeRelationship(let name), .resyncRelationship(let name), .deleteClone(let name):
            return [name]
        case .createVolume(let spec): return [spec.name, spec.pool] + (spec.mirrorPool.map { [$0] } ?? [])
        case .migrateVolume(let a, let b), .addMirrorCopy(let a, let b), .mapHost(let a, let b), .unmapHost(let a, let b),
            .deleteSnapshot(let a, let b), .restoreSnapshot(let a, let b):
            return [a, b]
        case .createSnapshot(let spec):
            return [spec.volume, spec.name, spec.label] + spec.hosts + [spec.tag, spec.group].compactMap { $0 }
        case .renameSnapshot(let volume, let name, let newName): return [volume, name, newName]
        case .createRelationship(let source, let destination, _, _, let group): return [source, destination] + (group.map { [$0] } ?? [])
        case .updateRelationship(let destination, let transfer, let drop): return [destination] + transfer + drop
        case .createClone(let name, let volume, let snapshot, let host): return [name, volume, snapshot] + (host.map { [$0] } ?? [])
        }
    }
}

extension SimulatorEvent {
    /// Every name and text the event carries.
    var texts: [String] {
        switch self {
        case .arrayOffline(let name), .arrayOnline(let name), .moduleFailure(let name), .breakRelationship(let name),
            .fillPool(let name, _), .failNext(_, let name), .writeVolume(let name), .resizeVolume(let name, _):
            return [name]
        case .deleteSnapshot(let volume, let name): return [volume, name]
        case .createSnapshot(let volume, let name, let label): return [volume, name, label]
        }
    }
}
