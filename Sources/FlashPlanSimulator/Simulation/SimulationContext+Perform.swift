import FlashPlanModel
import Foundation
import GRDB

/// Dispatch of `StorageOperation`s, and the faults injected with `sim fail-next`.
extension SimulationContext {
    func perform(_ operation: StorageOperation) throws {
        try Self.refuseNUL(in: operation.texts, of: "the operation")
        switch operation {
        case .installArray(let name, let model, let capacity, let site):
            try installArray(name: name, model: model, capacity: capacity, site: site)
        case .installCluster(let name, let site, let ioGroups):
            try installCluster(name: name, site: site, ioGroups: ioGroups)
        case .createPool(let name, let cluster, let capacityFrom, let warningThreshold, let maxOvercommit, let easyTier):
            try createPool(
                name: name, cluster: cluster, capacityFrom: capacityFrom, warningThreshold: warningThreshold,
                maxOvercommit: maxOvercommit, easyTier: easyTier)
        case .addPoolCapacity(let pool, let array, let capacity):
            try addPoolCapacity(pool: pool, array: array, capacity: capacity)
        case .modifyPool(let name, let warningThreshold, let maxOvercommit, let easyTier):
            try modifyPool(name: name, warningThreshold: warningThreshold, maxOvercommit: maxOvercommit, easyTier: easyTier)
        case .createHost(let name, let site):
            try createHost(name: name, site: site)
        case .createVolume(let spec):
            try createVolume(spec)
            try recordAppliedSize(spec.name, spec.size)
        case .destroyVolume(let name):
            try destroyVolume(name: name)
        case .resizeVolume(let name, let size):
            try resizeVolume(name: name, size: size)
            try recordAppliedSize(name, size)
        case .migrateVolume(let name, let toPool):
            try migrateVolume(name: name, toPool: toPool)
        case .addMirrorCopy(let volume, let pool):
            try addMirrorCopy(volume: volume, pool: pool)
        case .removeMirrorCopy(let volume):
            try removeMirrorCopy(volume: volume)
        case .mapHost(let volume, let host):
            try mapHost(volume: volume, host: host)
        case .unmapHost(let volume, let host):
            try unmapHost(volume: volume, host: host)
        case .createSnapshot(let spec):
            try createSnapshot(spec)
        case .deleteSnapshot(let volume, let name):
            try deleteSnapshot(volume: volume, name: name)
        case .renameSnapshot(let volume, let name, let newName):
            try renameSnapshot(volume: volume, name: name, newName: newName)
        case .restoreSnapshot(let volume, let name):
            try restoreSnapshot(volume: volume, name: name)
        case .createRelationship(let source, let destination, let type, let mode, let group):
            try createRelationship(source: source, destination: destination, type: type, mode: mode, group: group)
        case .initializeRelationship(let destination):
            try initializeRelationship(destination: destination)
        case .updateRelationship(let destination, let transfer, let drop):
            try updateRelationship(destination: destination, transfer: transfer, drop: drop)
        case .resyncRelationship(let destination):
            try resyncRelationship(destination: destination)
        case .createClone(let name, let volume, let snapshot, let host):
            try createClone(name: name, volume: volume, snapshot: snapshot, host: host)
        case .deleteClone(let name):
            try deleteClone(name: name)
        }
    }

    // MARK: Injected faults

    /// When an array the operation touches has faults queued (`sim fail-next`), uses one
    /// of each such array and returns the error to report; the operation is then not
    /// performed. The caller commits the countdown and throws the error.
    func consumeInjectedFailure(for operation: StorageOperation) throws -> BackendError? {
        // The common case costs one probe of a tiny table.
        guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM storage_array WHERE fail_next > 0 LIMIT 1")) ?? false
        else { return nil }
        let failing = try touchedArrays(operation).filter { $0.failNext > 0 }
        guard !failing.isEmpty else { return nil }
        for array in failing {
            try db.execute(sql: "UPDATE storage_array SET fail_next = fail_next - 1 WHERE id = ?", arguments: [array.id])
        }
        topologyChanged()
        let array = failing[0]
        let left = array.failNext - 1
        return BackendError(
            .injectedFailure,
            "array '\(array.name)' failed the operation (injected with `flashplan sim fail-next`; \(left) more to fail)")
    }

    /// The arrays an operation would reach, by the names it mentions. Objects that do not
    /// exist are skipped: the operation itself reports them.
    func touchedArrays(_ operation: StorageOperation) throws -> [ArrayRecord] {
        var pools: [String] = []
        var volumes: [String] = []
        var arrays: [String] = []
        switch operation {
        case .installArray, .installCluster, .createHost:
            break
        case .createPool(_, _, let capacityFrom, _, _, _):
            arrays = capacityFrom.map(\.array)
        case .addPoolCapacity(_, let array, _):
            arrays = [array]
        case .modifyPool(let name, _, _, _):
            pools = [name]
        case .createVolume(let spec):
            pools = [spec.pool] + (spec.mirrorPool.map { [$0] } ?? [])
        case .destroyVolume(let name), .resizeVolume(let name, _), .removeMirrorCopy(let name),
            .deleteClone(let name):
            volumes = [name]
        case .migrateVolume(let name, let pool), .addMirrorCopy(let name, let pool):
            volumes = [name]
            pools = [pool]
        case .mapHost(let volume, _), .unmapHost(let volume, _), .deleteSnapshot(let volume, _),
            .renameSnapshot(let volume, _, _), .restoreSnapshot(let volume, _), .createClone(_, let volume, _, _):
            volumes = [volume]
        case .createSnapshot(let spec):
            volumes = [spec.volume]
        case .createRelationship(let source, let destination, _, _, _):
            volumes = [source, destination]
        case .initializeRelationship(let destination), .updateRelationship(let destination, _, _),
            .resyncRelationship(let destination):
            volumes = [destination]
            if let destinationVolume = try volumeIfExists(destination),
                let source = try Int64.fetchOne(
                    db, sql: "SELECT source_id FROM relationship WHERE destination_id = ?", arguments: [destinationVolume.id])
            {
                volumes.append(try volumeName(id: source))
            }
        }
        var found: [Int64: ArrayRecord] = [:]
        for name in arrays {
            if let array = try arrayIfExists(name) { found[array.id] = array }
        }
        for name in pools {
            for extent in try poolIfExists(name)?.extents ?? [] { found[extent.array.id] = extent.array }
        }
        for name in volumes {
            guard let volume = try volumeIfExists(name) else { continue }
            for id in volume.poolIDs {
                for extent in try pool(id: id).extents { found[extent.array.id] = extent.array }
            }
        }
        return found.values.sorted { $0.name < $1.name }
    }
}

extension SimulationContext {
    /// Only flashplan's own operations record the size they applied; a resize by an
    /// outside event (`sim resize`) leaves it, so the planner can tell the two apart.
    func recordAppliedSize(_ volume: String, _ size: ByteCount) throws {
        try db.execute(sql: "UPDATE volume SET applied_size = ? WHERE name = ?", arguments: [Int64(size.bytes), volume])
    }
}
