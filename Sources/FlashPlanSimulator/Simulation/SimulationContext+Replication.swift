import FlashPlanModel
import Foundation
import GRDB

/// Mirror (SnapMirror) and vault (SnapVault) relationships.
///
/// States: `uninitialized` → (initialize) → `idle`; an update transfers and returns to
/// `idle` within the operation (transfers are instantaneous in the simulator, so
/// `transferring` is never observed here); `sim break` → `broken`; resync → `idle`.
extension SimulationContext {
    struct RelationshipRecord {
        var source: VolumeRecord
        var destination: VolumeRecord
        var type: Replication.Kind
        var state: ObservedRelationship.State

        var label: String { "relationship '\(destination.name)' (\(source.name) → \(destination.name))" }
    }

    func relationship(destination name: String) throws -> RelationshipRecord {
        let destination = try volume(name)
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT source_id, type, state FROM relationship WHERE destination_id = ?"),
            arguments: [destination.id])
        else {
            throw BackendError(.notFound, "relationship '\(name)' does not exist: no relationship has destination '\(name)'")
        }
        return RelationshipRecord(
            source: try volume(id: row[0]), destination: destination,
            type: Replication.Kind(rawValue: row[1]) ?? .mirror,
            state: ObservedRelationship.State(rawValue: row[2]) ?? .uninitialized)
    }

    func setState(_ state: ObservedRelationship.State, of relationship: RelationshipRecord, transferred: Bool) throws {
        if transferred {
            try db.cachedStatement(sql: "UPDATE relationship SET state = ?, last_transfer = ? WHERE destination_id = ?")
                .execute(arguments: [state.rawValue, time, relationship.destination.id])
        } else {
            try db.cachedStatement(sql: "UPDATE relationship SET state = ? WHERE destination_id = ?")
                .execute(arguments: [state.rawValue, relationship.destination.id])
        }
    }

    func createRelationship(
        source sourceName: String, destination destinationName: String, type: Replication.Kind,
        mode: Replication.Mode, group: String?
    ) throws {
        let source = try volume(sourceName)
        let destination = try volume(destinationName)
        guard source.id != destination.id else {
            throw BackendError(.refused, "volume '\(sourceName)' cannot replicate to itself")
        }
        if let existing = try Int64.fetchOne(
            db, sql: "SELECT source_id FROM relationship WHERE destination_id = ?", arguments: [destination.id])
        {
            throw BackendError(
                .alreadyExists,
                "volume '\(destinationName)' is already the destination of a relationship from '\(try volumeName(id: existing))'"
            )
        }
        if let upstream = try Int64.fetchOne(
            db, sql: "SELECT source_id FROM relationship WHERE destination_id = ?", arguments: [source.id])
        {
            throw BackendError(
                .refused,
                "volume '\(sourceName)' is itself the destination of a relationship from '\(try volumeName(id: upstream))'; cascades (primary → mirror → vault) are not supported, replicate from the primary instead (fan-out)"
            )
        }
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM relationship WHERE source_id = ?", arguments: [destination.id])
            ?? false
        {
            throw BackendError(
                .refused,
                "volume '\(destinationName)' is the source of another relationship; cascades (primary → mirror → vault) are not supported"
            )
        }
        if source.accessProtocol == .smb {
            throw BackendError(
                .refused, "volume '\(sourceName)' is an SMB share: SMB shares cannot be backed up or replicated")
        }
        if destination.size < source.size {
            throw BackendError(
                .refused,
                "destination volume '\(destinationName)' (\(bytes(destination.size))) is smaller than its source '\(sourceName)' (\(bytes(source.size)))"
            )
        }
        try requireOnline(source)
        try requireOnline(destination)
        try db.execute(
            sql: "INSERT INTO relationship (destination_id, source_id, type, mode, state, group_name) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [
                destination.id, source.id, type.rawValue, mode.rawValue, ObservedRelationship.State.uninitialized.rawValue,
                group,
            ])
    }

    func initializeRelationship(destination: String) throws {
        let relationship = try relationship(destination: destination)
        guard relationship.state == .uninitialized else {
            throw BackendError(.refused, "\(relationship.label) is already initialized (\(relationship.state.rawValue))")
        }
        try requireOnline(relationship.source)
        try requireOnline(relationship.destination)
        try setState(.idle, of: relationship, transferred: true)
    }

    func updateRelationship(destination: String, transfer: [String], drop: [String]) throws {
        let relationship = try relationship(destination: destination)
        switch relationship.state {
        case .uninitialized:
            throw BackendError(.refused, "\(relationship.label) is uninitialized; initialize it before updating")
        case .broken:
            throw BackendError(.refused, "\(relationship.label) is broken; resync it before updating")
        case .idle, .transferring:
            break
        }
        let source = relationship.source
        let target = relationship.destination
        try requireOnline(source)
        try requireOnline(target)

        let dropped = Set(drop)
        for name in dropped.sorted() {
            let snapshot = try self.snapshot(target, name)
            try requireDeletable(target, name, snapshot)
        }
        var seen: Set<String> = []
        for name in transfer {
            guard seen.insert(name).inserted else { continue }
            _ = try self.snapshot(source, name)
            if !dropped.contains(name), try snapshotIfExists(target, name) != nil {
                throw BackendError(.alreadyExists, "destination volume '\(target.name)' already holds snapshot '\(name)'")
            }
        }
        let afterDrops = VolumeRecord(copying: target, snapshotCount: target.snapshotCount - dropped.count)
        if !seen.isEmpty {
            try requireRoomForSnapshots(afterDrops, adding: seen.count, first: transfer[0])
        }

        for name in dropped {
            try db.cachedStatement(sql: "DELETE FROM snapshot WHERE volume_id = ? AND name = ?")
                .execute(arguments: [target.id, name])
        }
        var copied: Set<String> = []
        for name in transfer where copied.insert(name).inserted {
            // Same name, label, hosts, tag, group, creation time and immutability.
            try db.cachedStatement(
                sql: """
                    INSERT INTO snapshot (volume_id, created, name, label_id, hosts_id, tag_id, group_id, immutable_until, content)
                    SELECT ?, created, name, label_id, hosts_id, tag_id, group_id, immutable_until, content
                    FROM snapshot WHERE volume_id = ? AND name = ?
                    """
            ).execute(arguments: [target.id, source.id, name])
        }
        if !dropped.isEmpty || !copied.isEmpty {
            try refreshSnapshotAggregates(target)
        }
        try takeContentOfNewestTransfer(copied, destination: target)
        try setState(.idle, of: relationship, transferred: true)
    }

    func resyncRelationship(destination: String) throws {
        let relationship = try relationship(destination: destination)
        guard relationship.state != .uninitialized else {
            throw BackendError(.refused, "\(relationship.label) is uninitialized; initialize it instead of resyncing")
        }
        try requireOnline(relationship.source)
        try requireOnline(relationship.destination)
        // What was written on the destination (a restore there included) is discarded: it
        // holds its source's data again.
        try setContent(of: relationship.destination, to: relationship.source.content)
        try setState(.idle, of: relationship, transferred: relationship.state == .broken)
    }

    /// `sim break`: the relationship stops; updates are refused until a resync.
    func breakRelationship(destination: String) throws {
        let relationship = try relationship(destination: destination)
        switch relationship.state {
        case .uninitialized:
            throw BackendError(.refused, "\(relationship.label) is uninitialized: there is nothing to break")
        case .broken:
            throw BackendError(.refused, "\(relationship.label) is already broken")
        case .idle, .transferring:
            try setState(.broken, of: relationship, transferred: false)
        }
    }
}

extension VolumeRecord {
    init(copying volume: VolumeRecord, snapshotCount: Int) {
        self = volume
        self.snapshotCount = snapshotCount
    }
}
