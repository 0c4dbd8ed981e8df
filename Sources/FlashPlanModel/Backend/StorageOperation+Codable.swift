import Foundation

// In plan JSON (format 2) each operation is one flat object whose `op` names it, with
// snake_case keys: `{"op": "create_snapshot", "volume": "erp-data", "name": "…", …}`.
// Every `op` and its fields are described in `schemas/plan.schema.json`; an optional
// field is left out when it has no value. Decoding reads exactly what encoding writes.

extension StorageOperation {
    /// The `op` of an operation in plan JSON.
    public enum Name: String, Sendable, Hashable, Codable, CaseIterable {
        case installArray = "install_array"
        case installCluster = "install_cluster"
        case createPool = "create_pool"
        case addPoolCapacity = "add_pool_capacity"
        case modifyPool = "modify_pool"
        case createHost = "create_host"
        case createVolume = "create_volume"
        case destroyVolume = "destroy_volume"
        case resizeVolume = "resize_volume"
        case migrateVolume = "migrate_volume"
        case addMirrorCopy = "add_mirror_copy"
        case removeMirrorCopy = "remove_mirror_copy"
        case mapHost = "map_host"
        case unmapHost = "unmap_host"
        case createSnapshot = "create_snapshot"
        case deleteSnapshot = "delete_snapshot"
        case renameSnapshot = "rename_snapshot"
        case restoreSnapshot = "restore_snapshot"
        case createRelationship = "create_relationship"
        case initializeRelationship = "initialize_relationship"
        case updateRelationship = "update_relationship"
        case resyncRelationship = "resync_relationship"
        case createClone = "create_clone"
        case deleteClone = "delete_clone"
    }

    public var name: Name {
        switch self {
        case .installArray: .installArray
        case .installCluster: .installCluster
        case .createPool: .createPool
        case .addPoolCapacity: .addPoolCapacity
        case .modifyPool: .modifyPool
        case .createHost: .createHost
        case .createVolume: .createVolume
        case .destroyVolume: .destroyVolume
        case .resizeVolume: .resizeVolume
        case .migrateVolume: .migrateVolume
        case .addMirrorCopy: .addMirrorCopy
        case .removeMirrorCopy: .removeMirrorCopy
        case .mapHost: .mapHost
        case .unmapHost: .unmapHost
        case .createSnapshot: .createSnapshot
        case .deleteSnapshot: .deleteSnapshot
        case .renameSnapshot: .renameSnapshot
        case .restoreSnapshot: .restoreSnapshot
        case .createRelationship: .createRelationship
        case .initializeRelationship: .initializeRelationship
        case .updateRelationship: .updateRelationship
        case .resyncRelationship: .resyncRelationship
        case .createClone: .createClone
        case .deleteClone: .deleteClone
        }
    }

    /// Every key an operation object may have (`createVolume` and `createSnapshot` add
    /// those of `VolumeSpec` and `SnapshotSpec`).
    enum CodingKeys: String, CodingKey {
        case op, name, model, capacity, site, ioGroups = "io_groups", cluster, capacityFrom = "capacity_from",
            warningThreshold = "warning_threshold", maxOvercommit = "max_overcommit", easyTier = "easy_tier", pool,
            array, size, toPool = "to_pool", volume, host, newName = "new_name", source, destination, type, mode,
            group, transfer, drop, snapshot
    }
}

extension StorageOperation: Codable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .op)
        switch self {
        case .installArray(let name, let model, let capacity, let site):
            try c.encode(name, forKey: .name)
            try c.encode(model, forKey: .model)
            try c.encode(capacity, forKey: .capacity)
            try c.encodeIfPresent(site, forKey: .site)
        case .installCluster(let name, let site, let ioGroups):
            try c.encode(name, forKey: .name)
            try c.encodeIfPresent(site, forKey: .site)
            try c.encode(ioGroups, forKey: .ioGroups)
        case .createPool(let name, let cluster, let capacityFrom, let warningThreshold, let maxOvercommit, let easyTier):
            try c.encode(name, forKey: .name)
            try c.encode(cluster, forKey: .cluster)
            try c.encode(capacityFrom, forKey: .capacityFrom)
            try c.encode(warningThreshold, forKey: .warningThreshold)
            try c.encode(maxOvercommit, forKey: .maxOvercommit)
            try c.encode(easyTier, forKey: .easyTier)
        case .addPoolCapacity(let pool, let array, let capacity):
            try c.encode(pool, forKey: .pool)
            try c.encode(array, forKey: .array)
            try c.encode(capacity, forKey: .capacity)
        case .modifyPool(let name, let warningThreshold, let maxOvercommit, let easyTier):
            try c.encode(name, forKey: .name)
            try c.encode(warningThreshold, forKey: .warningThreshold)
            try c.encode(maxOvercommit, forKey: .maxOvercommit)
            try c.encode(easyTier, forKey: .easyTier)
        case .createHost(let name, let site):
            try c.encode(name, forKey: .name)
            try c.encodeIfPresent(site, forKey: .site)
        case .createVolume(let spec):
            // The spec's fields sit beside `op`, in the same object.
            try spec.encode(to: encoder)
        case .destroyVolume(let name):
            try c.encode(name, forKey: .name)
        case .resizeVolume(let name, let size):
            try c.encode(name, forKey: .name)
            try c.encode(size, forKey: .size)
        case .migrateVolume(let name, let toPool):
            try c.encode(name, forKey: .name)
            try c.encode(toPool, forKey: .toPool)
        case .addMirrorCopy(let volume, let pool):
            try c.encode(volume, forKey: .volume)
            try c.encode(pool, forKey: .pool)
        case .removeMirrorCopy(let volume):
            try c.encode(volume, forKey: .volume)
        case .mapHost(let volume, let host), .unmapHost(let volume, let host):
            try c.encode(volume, forKey: .volume)
            try c.encode(host, forKey: .host)
        case .createSnapshot(let spec):
            try spec.encode(to: encoder)
        case .deleteSnapshot(let volume, let name), .restoreSnapshot(let volume, let name):
            try c.encode(volume, forKey: .volume)
            try c.encode(name, forKey: .name)
        case .renameSnapshot(let volume, let name, let newName):
            try c.encode(volume, forKey: .volume)
            try c.encode(name, forKey: .name)
            try c.encode(newName, forKey: .newName)
        case .createRelationship(let source, let destination, let type, let mode, let group):
            try c.encode(source, forKey: .source)
            try c.encode(destination, forKey: .destination)
            try c.encode(type, forKey: .type)
            try c.encode(mode, forKey: .mode)
            try c.encodeIfPresent(group, forKey: .group)
        case .initializeRelationship(let destination), .resyncRelationship(let destination):
            try c.encode(destination, forKey: .destination)
        case .updateRelationship(let destination, let transfer, let drop):
            try c.encode(destination, forKey: .destination)
            try c.encode(transfer, forKey: .transfer)
            try c.encode(drop, forKey: .drop)
        case .createClone(let name, let volume, let snapshot, let host):
            try c.encode(name, forKey: .name)
            try c.encode(volume, forKey: .volume)
            try c.encode(snapshot, forKey: .snapshot)
            try c.encodeIfPresent(host, forKey: .host)
        case .deleteClone(let name):
            try c.encode(name, forKey: .name)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let op = try c.decode(String.self, forKey: .op)
        guard let name = Name(rawValue: op) else {
            throw DecodingError.dataCorruptedError(
                forKey: .op, in: c, debugDescription: "unknown operation '\(op)' (known: \(Name.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        switch name {
        case .installArray:
            self = .installArray(
                name: try c.decode(String.self, forKey: .name), model: try c.decode(ArrayModel.self, forKey: .model),
                capacity: try c.decode(ByteCount.self, forKey: .capacity), site: try c.decodeIfPresent(String.self, forKey: .site))
        case .installCluster:
            self = .installCluster(
                name: try c.decode(String.self, forKey: .name), site: try c.decodeIfPresent(String.self, forKey: .site),
                ioGroups: try c.decode(Int.self, forKey: .ioGroups))
        case .createPool:
            self = .createPool(
                name: try c.decode(String.self, forKey: .name), cluster: try c.decode(String.self, forKey: .cluster),
                capacityFrom: try c.decode([Pool.Extent].self, forKey: .capacityFrom),
                warningThreshold: try c.decode(Percentage.self, forKey: .warningThreshold),
                maxOvercommit: try c.decode(Percentage.self, forKey: .maxOvercommit), easyTier: try c.decode(Bool.self, forKey: .easyTier))
        case .addPoolCapacity:
            self = .addPoolCapacity(
                pool: try c.decode(String.self, forKey: .pool), array: try c.decode(String.self, forKey: .array),
                capacity: try c.decode(ByteCount.self, forKey: .capacity))
        case .modifyPool:
            self = .modifyPool(
                name: try c.decode(String.self, forKey: .name), warningThreshold: try c.decode(Percentage.self, forKey: .warningThreshold),
                maxOvercommit: try c.decode(Percentage.self, forKey: .maxOvercommit), easyTier: try c.decode(Bool.self, forKey: .easyTier))
        case .createHost:
            self = .createHost(name: try c.decode(String.self, forKey: .name), site: try c.decodeIfPresent(String.self, forKey: .site))
        case .createVolume:
            self = .createVolume(try VolumeSpec(from: decoder))
        case .destroyVolume:
            self = .destroyVolume(name: try c.decode(String.self, forKey: .name))
        case .resizeVolume:
            self = .resizeVolume(name: try c.decode(String.self, forKey: .name), size: try c.decode(ByteCount.self, forKey: .size))
        case .migrateVolume:
            self = .migrateVolume(name: try c.decode(String.self, forKey: .name), toPool: try c.decode(String.self, forKey: .toPool))
        case .addMirrorCopy:
            self = .addMirrorCopy(volume: try c.decode(String.self, forKey: .volume), pool: try c.decode(String.self, forKey: .pool))
        case .removeMirrorCopy:
            self = .removeMirrorCopy(volume: try c.decode(String.self, forKey: .volume))
        case .mapHost:
            self = .mapHost(volume: try c.decode(String.self, forKey: .volume), host: try c.decode(String.self, forKey: .host))
        case .unmapHost:
            self = .unmapHost(volume: try c.decode(String.self, forKey: .volume), host: try c.decode(String.self, forKey: .host))
        case .createSnapshot:
            self = .createSnapshot(try SnapshotSpec(from: decoder))
        case .deleteSnapshot:
            self = .deleteSnapshot(volume: try c.decode(String.self, forKey: .volume), name: try c.decode(String.self, forKey: .name))
        case .renameSnapshot:
            self = .renameSnapshot(
                volume: try c.decode(String.self, forKey: .volume), name: try c.decode(String.self, forKey: .name),
                newName: try c.decode(String.self, forKey: .newName))
        case .restoreSnapshot:
            self = .restoreSnapshot(volume: try c.decode(String.self, forKey: .volume), name: try c.decode(String.self, forKey: .name))
        case .createRelationship:
            self = .createRelationship(
                source: try c.decode(String.self, forKey: .source), destination: try c.decode(String.self, forKey: .destination),
                type: try c.decode(Replication.Kind.self, forKey: .type), mode: try c.decode(Replication.Mode.self, forKey: .mode),
                group: try c.decodeIfPresent(String.self, forKey: .group))
        case .initializeRelationship:
            self = .initializeRelationship(destination: try c.decode(String.self, forKey: .destination))
        case .updateRelationship:
            self = .updateRelationship(
                destination: try c.decode(String.self, forKey: .destination), transfer: try c.decode([String].self, forKey: .transfer),
                drop: try c.decode([String].self, forKey: .drop))
        case .resyncRelationship:
            self = .resyncRelationship(destination: try c.decode(String.self, forKey: .destination))
        case .createClone:
            self = .createClone(
                name: try c.decode(String.self, forKey: .name), volume: try c.decode(String.self, forKey: .volume),
                snapshot: try c.decode(String.self, forKey: .snapshot), host: try c.decodeIfPresent(String.self, forKey: .host))
        case .deleteClone:
            self = .deleteClone(name: try c.decode(String.self, forKey: .name))
        }
    }
}
