import FlashPlanModel
import Foundation
import GRDB

/// FlashCopy snapshots: take, delete, rename, restore.
extension SimulationContext {
    /// The most snapshots a FlashSystem volume holds.
    static let snapshotLimit = 255

    struct SnapshotRow {
        var created: Double
        var immutableUntil: Double?
    }

    func snapshotIfExists(_ volume: VolumeRecord, _ name: String) throws -> SnapshotRow? {
        try first("SELECT created, immutable_until FROM snapshot WHERE volume_id = ? AND name = ?", [volume.id, name]) {
            SnapshotRow(created: $0[0], immutableUntil: $0[1])
        }
    }

    func snapshot(_ volume: VolumeRecord, _ name: String) throws -> SnapshotRow {
        guard let snapshot = try snapshotIfExists(volume, name) else {
            throw BackendError(.notFound, "volume '\(volume.name)' has no snapshot '\(name)'")
        }
        return snapshot
    }

    /// Refuses snapshots of SMB shares: they can be provisioned and mapped, not backed up.
    func requireSnappable(_ volume: VolumeRecord) throws {
        if volume.accessProtocol == .smb {
            throw BackendError(
                .refused,
                "volume '\(volume.name)' is an SMB share: SMB shares can be provisioned and mapped but not snapped or backed up"
            )
        }
    }

    /// Refuses a snapshot the volume has no room for: the 256th, or one in a full pool.
    func requireRoomForSnapshots(_ volume: VolumeRecord, adding count: Int, first name: String) throws {
        if volume.snapshotCount + count > Self.snapshotLimit {
            if count == 1 {
                throw BackendError(
                    .limitExceeded,
                    "volume '\(volume.name)' already has \(volume.snapshotCount) snapshots, the most a FlashSystem volume can hold; snapshot '\(name)' was not taken"
                )
            }
            throw BackendError(
                .limitExceeded,
                "volume '\(volume.name)' would hold \(volume.snapshotCount + count) snapshots, over the \(Self.snapshotLimit) a FlashSystem volume can hold"
            )
        }
        try requireRoom(
            in: try pool(id: volume.poolID), physical: 0, virtual: 0,
            for: count == 1 ? "snapshot '\(volume.name)/\(name)'" : "\(count) snapshots of volume '\(volume.name)'")
    }

    /// Re-reads the volume's snapshot aggregates after its snapshots changed and accounts
    /// for the change in its pool.
    func refreshSnapshotAggregates(_ before: VolumeRecord) throws {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT COUNT(*), MIN(created) FROM snapshot WHERE volume_id = ?"),
            arguments: [before.id])!
        var after = before
        after.snapshotCount = row[0]
        after.oldestSnapshot = row[1]
        try db.cachedStatement(sql: "UPDATE volume SET snapshot_count = ?, oldest_snapshot = ? WHERE id = ?")
            .execute(arguments: [after.snapshotCount, after.oldestSnapshot, before.id])
        try account(before: before, after: after)
    }

    func insertSnapshot(
        volumeID: Int64, name: String, created: Double, labelID: Int64, hostsID: Int64, tagID: Int64?, groupID: Int64?,
        immutableUntil: Double?, content: Int64
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO snapshot (volume_id, created, name, label_id, hosts_id, tag_id, group_id, immutable_until, content)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [volumeID, created, name, labelID, hostsID, tagID, groupID, immutableUntil, content])
    }

    func createSnapshot(_ spec: SnapshotSpec) throws {
        let volume = try volume(spec.volume)
        try requireSnappable(volume)
        try requireOnline(volume)
        if try snapshotIfExists(volume, spec.name) != nil {
            throw BackendError(.alreadyExists, "volume '\(volume.name)' already has a snapshot named '\(spec.name)'")
        }
        try requireRoomForSnapshots(volume, adding: 1, first: spec.name)
        try insertSnapshot(
            volumeID: volume.id, name: spec.name, created: time, labelID: try atom(spec.label),
            hostsID: try hostsAtom(spec.hosts), tagID: try spec.tag.map(atom), groupID: try spec.group.map(atom),
            immutableUntil: spec.immutableUntil?.timeIntervalSince1970, content: volume.content)
        // A new snapshot is the newest: only the count changes, and the oldest when it is the first.
        var after = volume
        after.snapshotCount += 1
        after.oldestSnapshot = min(volume.oldestSnapshot ?? time, time)
        try db.cachedStatement(sql: "UPDATE volume SET snapshot_count = ?, oldest_snapshot = ? WHERE id = ?")
            .execute(arguments: [after.snapshotCount, after.oldestSnapshot, volume.id])
        try account(before: volume, after: after)
    }

    /// Refuses to delete a snapshot a clone depends on, or an immutable one before its time.
    func requireDeletable(_ volume: VolumeRecord, _ name: String, _ snapshot: SnapshotRow) throws {
        if let clone = try String.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT v.name FROM clone c JOIN volume v ON v.id = c.volume_id
                    WHERE c.parent_volume_id = ? AND c.parent_snapshot = ? ORDER BY v.name LIMIT 1
                    """), arguments: [volume.id, name])
        {
            throw BackendError(
                .refused, "snapshot '\(volume.name)/\(name)' has clone '\(clone)'; delete the clone first")
        }
        if let until = snapshot.immutableUntil, until > time {
            throw BackendError(
                .refused, "snapshot '\(volume.name)/\(name)' is immutable until \(date(until)); it cannot be deleted before then")
        }
    }

    func deleteSnapshot(volume volumeName: String, name: String) throws {
        let volume = try volume(volumeName)
        let snapshot = try snapshot(volume, name)
        try requireOnline(volume)
        try requireDeletable(volume, name, snapshot)
        try db.cachedStatement(sql: "DELETE FROM snapshot WHERE volume_id = ? AND name = ?")
            .execute(arguments: [volume.id, name])
        var after = volume
        after.snapshotCount -= 1
        if snapshot.created <= (volume.oldestSnapshot ?? snapshot.created) {
            after.oldestSnapshot = try Double.fetchOne(
                db.cachedStatement(sql: "SELECT MIN(created) FROM snapshot WHERE volume_id = ?"), arguments: [volume.id])
        }
        try db.cachedStatement(sql: "UPDATE volume SET snapshot_count = ?, oldest_snapshot = ? WHERE id = ?")
            .execute(arguments: [after.snapshotCount, after.oldestSnapshot, volume.id])
        try account(before: volume, after: after)
    }

    func renameSnapshot(volume volumeName: String, name: String, newName: String) throws {
        let volume = try volume(volumeName)
        _ = try snapshot(volume, name)
        try requireOnline(volume)
        if newName == name { return }
        if try snapshotIfExists(volume, newName) != nil {
            throw BackendError(.alreadyExists, "volume '\(volume.name)' already has a snapshot named '\(newName)'")
        }
        try db.execute(
            sql: "UPDATE snapshot SET name = ? WHERE volume_id = ? AND name = ?", arguments: [newName, volume.id, name])
        try db.execute(
            sql: "UPDATE clone SET parent_snapshot = ? WHERE parent_volume_id = ? AND parent_snapshot = ?",
            arguments: [newName, volume.id, name])
    }

    /// Reverse FlashCopy. The volume's content becomes the snapshot's; every snapshot is
    /// kept, those taken after it included (as FlashCopy does).
    ///
    /// Restoring a replication destination (after the loss of the primary site, its copy
    /// is what is left) writes to it: its relationship stops as `stoprcrelationship
    /// -access` does, so no update overwrites the restored data, and it stays broken until
    /// a resync — which discards the restore, and so needs consent.
    func restoreSnapshot(volume volumeName: String, name: String) throws {
        let volume = try volume(volumeName)
        _ = try snapshot(volume, name)
        try requireAllCopiesOnline(volume, to: "restore")
        try setContent(of: volume, to: try snapshotContent(volume, name))
        if let state = try String.fetchOne(
            db.cachedStatement(sql: "SELECT state FROM relationship WHERE destination_id = ?"), arguments: [volume.id]),
            state != ObservedRelationship.State.broken.rawValue
        {
            try db.cachedStatement(sql: "UPDATE relationship SET state = ? WHERE destination_id = ?")
                .execute(arguments: [ObservedRelationship.State.broken.rawValue, volume.id])
        }
    }
}
