import FlashPlanModel
import Foundation
import GRDB

/// Volumes: create, destroy, resize, migrate, mirror copies, host mappings.
extension SimulationContext {
    /// Refuses a mirror copy in `mirror` when it shares an array with `primary`: one array
    /// failing would take both copies.
    func requireSeparateArrays(_ primary: PoolRecord, _ mirror: PoolRecord, volume: String) throws {
        if primary.id == mirror.id {
            throw BackendError(
                .refused, "volume '\(volume)' cannot keep its mirror copy in its own pool '\(primary.name)'")
        }
        if let shared = primary.extents.first(where: { mirror.arrayIDs.contains($0.array.id) }) {
            throw BackendError(
                .refused,
                "volume '\(volume)' cannot mirror pool '\(primary.name)' to pool '\(mirror.name)': both take capacity from array '\(shared.array.name)', and volume mirroring needs the copies on different arrays"
            )
        }
    }

    func insertVolume(
        name: String, poolID: Int64, mirrorPoolID: Int64?, size: UInt64, accessProtocol: Volume.AccessProtocol,
        thin: Bool, compressed: Bool, changeRate: Double, role: ObservedVolume.Role, initialFill: Double
    ) throws -> VolumeRecord {
        try db.cachedStatement(
            sql: """
                INSERT INTO volume (name, pool_id, mirror_pool_id, size, protocol, thin, compressed, change_rate, role,
                    created, initial_fill) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            name, poolID, mirrorPoolID, Int64(size), accessProtocol.rawValue, thin, compressed, changeRate,
            role.rawValue, time, initialFill,
        ])
        let volume = try volume(id: db.lastInsertedRowID)
        try account(before: nil, after: volume)
        return volume
    }

    func createVolume(_ spec: VolumeSpec) throws {
        if try volumeIfExists(spec.name) != nil {
            throw BackendError(.alreadyExists, "volume '\(spec.name)' already exists")
        }
        guard spec.size.bytes > 0 else {
            throw BackendError(.refused, "volume '\(spec.name)' needs a size above 0")
        }
        let pool = try pool(spec.pool)
        try requireAvailable(pool)
        let initial = SpaceModel.initialData(
            size: spec.size.bytes, thin: spec.thin, compressed: spec.compressed, initialFill: SpaceModel.thinInitialFill)
        try requireRoom(in: pool, physical: initial, virtual: spec.size.bytes, for: "volume '\(spec.name)'")
        var mirrorID: Int64?
        if let mirrorName = spec.mirrorPool {
            let mirror = try self.pool(mirrorName)
            try requireSeparateArrays(pool, mirror, volume: spec.name)
            try requireAvailable(mirror)
            try requireRoom(
                in: mirror, physical: initial, virtual: spec.size.bytes, for: "the mirror copy of volume '\(spec.name)'")
            mirrorID = mirror.id
        }
        _ = try insertVolume(
            name: spec.name, poolID: pool.id, mirrorPoolID: mirrorID, size: spec.size.bytes,
            accessProtocol: spec.accessProtocol, thin: spec.thin, compressed: spec.compressed,
            changeRate: spec.changeRate.value, role: spec.role, initialFill: SpaceModel.thinInitialFill)
    }

    /// Refuses to remove a volume that clones or relationships depend on, or that holds an
    /// immutable snapshot.
    func requireRemovable(_ volume: VolumeRecord, what: String) throws {
        if let clone = try String.fetchOne(
            db,
            sql: "SELECT v.name FROM clone c JOIN volume v ON v.id = c.volume_id WHERE c.parent_volume_id = ? ORDER BY v.name LIMIT 1",
            arguments: [volume.id])
        {
            throw BackendError(.refused, "\(what) '\(volume.name)' has clone '\(clone)'; delete its clones first")
        }
        if let row = try Row.fetchOne(
            db,
            sql: """
                SELECT s.name, d.name FROM relationship r JOIN volume s ON s.id = r.source_id
                JOIN volume d ON d.id = r.destination_id WHERE r.source_id = ?1 OR r.destination_id = ?1 LIMIT 1
                """, arguments: [volume.id])
        {
            let (source, destination): (String, String) = (row[0], row[1])
            let side = source == volume.name ? "the source" : "the destination"
            throw BackendError(
                .refused,
                "\(what) '\(volume.name)' is \(side) of relationship '\(destination)' (\(source) → \(destination)); remove the relationship first"
            )
        }
        if let row = try Row.fetchOne(
            db,
            sql: "SELECT name, immutable_until FROM snapshot WHERE volume_id = ? AND immutable_until > ? ORDER BY immutable_until DESC LIMIT 1",
            arguments: [volume.id, time])
        {
            let (name, until): (String, Double) = (row[0], row[1])
            throw BackendError(
                .refused,
                "\(what) '\(volume.name)' holds snapshot '\(name)', immutable until \(date(until)); it cannot be destroyed before then"
            )
        }
    }

    func destroyVolume(name: String) throws {
        let volume = try volume(name)
        try requireRemovable(volume, what: "volume")
        try requireAllCopiesOnline(volume, to: "destroy")
        // Snapshots, host mappings and (for a clone) the clone row go with it (ON DELETE CASCADE).
        try db.execute(sql: "DELETE FROM volume WHERE id = ?", arguments: [volume.id])
        try account(before: volume, after: nil)
    }

    func resizeVolume(name: String, size: ByteCount) throws {
        let before = try volume(name)
        guard size.bytes > 0 else {
            throw BackendError(.refused, "volume '\(name)' needs a size above 0")
        }
        try requireAllCopiesOnline(before, to: "resize")
        var after = before
        after.size = size.bytes
        if size.bytes > before.size {
            for id in before.poolIDs {
                let pool = try pool(id: id)
                let (grown, current) = (after.consumption(in: id, at: time), before.consumption(in: id, at: time))
                let more = grown > current ? grown - current : 0
                try requireRoom(
                    in: pool, physical: more, virtual: after.virtualSize(in: id) - before.virtualSize(in: id),
                    for: "volume '\(name)' grown to \(size)")
            }
        }
        try db.execute(sql: "UPDATE volume SET size = ? WHERE id = ?", arguments: [Int64(size.bytes), before.id])
        try account(before: before, after: after)
    }

    func migrateVolume(name: String, toPool: String) throws {
        let before = try volume(name)
        let target = try pool(toPool)
        if target.id == before.poolID {
            throw BackendError(.refused, "volume '\(name)' is already in pool '\(toPool)'")
        }
        if let mirrorID = before.mirrorPoolID {
            if mirrorID == target.id {
                throw BackendError(.refused, "volume '\(name)' cannot move to pool '\(toPool)': its mirror copy is there")
            }
            try requireSeparateArrays(target, try pool(id: mirrorID), volume: name)
        }
        try requireAvailable(try pool(id: before.poolID))
        try requireAvailable(target)
        var after = before
        after.poolID = target.id
        try requireRoom(
            in: target, physical: after.consumption(in: target.id, at: time), virtual: before.size,
            for: "volume '\(name)'")
        try db.execute(sql: "UPDATE volume SET pool_id = ? WHERE id = ?", arguments: [target.id, before.id])
        try account(before: before, after: after)
    }

    func addMirrorCopy(volume name: String, pool poolName: String) throws {
        let before = try volume(name)
        if let mirrorID = before.mirrorPoolID {
            throw BackendError(
                .alreadyExists, "volume '\(name)' already has a mirror copy in pool '\(try pool(id: mirrorID).name)'")
        }
        let primary = try pool(id: before.poolID)
        let mirror = try pool(poolName)
        try requireSeparateArrays(primary, mirror, volume: name)
        try requireAvailable(primary)
        try requireAvailable(mirror)
        var after = before
        after.mirrorPoolID = mirror.id
        try requireRoom(
            in: mirror, physical: after.consumption(in: mirror.id, at: time), virtual: before.size,
            for: "the mirror copy of volume '\(name)'")
        try db.execute(sql: "UPDATE volume SET mirror_pool_id = ? WHERE id = ?", arguments: [mirror.id, before.id])
        try account(before: before, after: after)
    }

    func removeMirrorCopy(volume name: String) throws {
        let before = try volume(name)
        guard before.mirrorPoolID != nil else {
            throw BackendError(.notFound, "volume '\(name)' has no mirror copy")
        }
        // The copy left must be online; the one removed may be on a dead array.
        let primary = try pool(id: before.poolID)
        if let array = primary.offlineArray {
            throw BackendError(
                .offline,
                "cannot remove the mirror copy of volume '\(name)': its other copy in pool '\(primary.name)' is on array '\(array.name)', which is offline"
            )
        }
        var after = before
        after.mirrorPoolID = nil
        try db.execute(sql: "UPDATE volume SET mirror_pool_id = NULL WHERE id = ?", arguments: [before.id])
        try account(before: before, after: after)
    }

    func mapHost(volume name: String, host: String) throws {
        let volume = try volume(name)
        let hostID = try hostID(host)
        try requireOnline(volume)
        if try Bool.fetchOne(
            db, sql: "SELECT 1 FROM volume_host WHERE volume_id = ? AND host_id = ?", arguments: [volume.id, hostID])
            ?? false
        {
            throw BackendError(.alreadyExists, "volume '\(name)' is already mapped to host '\(host)'")
        }
        try db.execute(
            sql: "INSERT INTO volume_host (volume_id, host_id) VALUES (?, ?)", arguments: [volume.id, hostID])
        try followMappings(ofClone: volume)
    }

    /// A clone's recorded host is the one its volume is mapped to, so that a clone moved
    /// to another host reads back as moved.
    private func followMappings(ofClone volume: VolumeRecord) throws {
        try db.execute(
            sql: """
                UPDATE clone SET host = (SELECT h.name FROM volume_host vh JOIN host h ON h.id = vh.host_id
                WHERE vh.volume_id = clone.volume_id ORDER BY h.name LIMIT 1) WHERE volume_id = ?
                """,
            arguments: [volume.id])
    }

    func unmapHost(volume name: String, host: String) throws {
        let volume = try volume(name)
        let hostID = try hostID(host)
        try requireOnline(volume)
        try db.execute(
            sql: "DELETE FROM volume_host WHERE volume_id = ? AND host_id = ?", arguments: [volume.id, hostID])
        if db.changesCount == 0 {
            throw BackendError(.notFound, "volume '\(name)' is not mapped to host '\(host)'")
        }
        try followMappings(ofClone: volume)
    }

    /// The hosts a volume is mapped to, by name.
    func hosts(of volume: VolumeRecord) throws -> [String] {
        try String.fetchAll(
            db,
            sql: "SELECT h.name FROM volume_host vh JOIN host h ON h.id = vh.host_id WHERE vh.volume_id = ? ORDER BY h.name",
            arguments: [volume.id])
    }
}
