import FlashPlanModel
import Foundation
import GRDB

/// What a volume holds, as a version number (`flashplan restore` must be provable):
/// a host write makes a new version, a snapshot records the version it captured, a
/// reverse FlashCopy gives the volume its snapshot's version back, a transfer gives a
/// destination the version of the newest snapshot it received, and a clone starts with
/// its parent snapshot's.
///
/// Versions count the writes of the volume whose data it is (a destination's and a
/// clone's versions are their source's): version 0 is the data a volume was created
/// with, or had before states tracked content.
extension SimulationContext {
    /// `sim write`: a host writes to the volume; it now holds a version no snapshot has.
    func writeVolume(_ name: String) throws -> Int64 {
        let volume = try volume(name)
        try requireOnline(volume)
        let version = volume.writes + 1
        try db.cachedStatement(sql: "UPDATE volume SET content = ?, writes = ? WHERE id = ?")
            .execute(arguments: [version, version, volume.id])
        return version
    }

    func setContent(of volume: VolumeRecord, to version: Int64) throws {
        // `writes` only grows: a later write must not reuse a version a snapshot still holds.
        try db.cachedStatement(sql: "UPDATE volume SET content = ?, writes = MAX(writes, ?) WHERE id = ?")
            .execute(arguments: [version, version, volume.id])
    }

    func snapshotContent(_ volume: VolumeRecord, _ name: String) throws -> Int64 {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT content FROM snapshot WHERE volume_id = ? AND name = ?"),
            arguments: [volume.id, name]) ?? 0
    }

    /// After `names` were copied from `source` to `destination`: the destination volume
    /// holds what the newest of them captured (a SnapMirror destination shows its last
    /// transferred snapshot).
    func takeContentOfNewestTransfer(_ names: Set<String>, destination: VolumeRecord) throws {
        guard !names.isEmpty else { return }
        let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
        var arguments: [any DatabaseValueConvertible] = [destination.id]
        arguments += names.sorted().map { $0 as any DatabaseValueConvertible }
        // Cached per number of names: every update of a relationship comes here, and an
        // update transfers one or a few snapshots, so a handful of statements serve them all.
        if let version = try Int64.fetchOne(
            db.cachedStatement(
                sql: "SELECT content FROM snapshot WHERE volume_id = ? AND name IN (\(placeholders)) ORDER BY created DESC, name DESC LIMIT 1"),
            arguments: StatementArguments(arguments))
        {
            try setContent(of: destination, to: version)
        }
    }
}
