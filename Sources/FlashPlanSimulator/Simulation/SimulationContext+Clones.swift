import FlashPlanModel
import Foundation
import GRDB

/// Clones: space-efficient volumes made from a snapshot, living in that snapshot's pool.
extension SimulationContext {
    func createClone(name: String, volume volumeName: String, snapshot: String, host: String?) throws {
        if try volumeIfExists(name) != nil {
            throw BackendError(.alreadyExists, "volume '\(name)' already exists: clone '\(name)' cannot take its name")
        }
        let parent = try volume(volumeName)
        _ = try self.snapshot(parent, snapshot)
        let hostID = try host.map(hostID)
        // The clone lives in the pool of the snapshot's volume (its primary copy).
        let pool = try pool(id: parent.poolID)
        try requireAvailable(pool)
        try requireRoom(in: pool, physical: 0, virtual: parent.size, for: "clone '\(name)'")
        let clone = try insertVolume(
            name: name, poolID: pool.id, mirrorPoolID: nil, size: parent.size, accessProtocol: parent.accessProtocol,
            thin: true, compressed: parent.compressed, changeRate: parent.changeRate, role: .clone,
            initialFill: SpaceModel.cloneInitialFill)
        try db.execute(
            sql: "INSERT INTO clone (volume_id, parent_volume_id, parent_snapshot, host, created) VALUES (?, ?, ?, ?, ?)",
            arguments: [clone.id, parent.id, snapshot, host, time])
        try setContent(of: clone, to: try snapshotContent(parent, snapshot))
        if let hostID {
            try db.execute(
                sql: "INSERT INTO volume_host (volume_id, host_id) VALUES (?, ?)", arguments: [clone.id, hostID])
        }
    }

    func deleteClone(name: String) throws {
        guard let clone = try volumeIfExists(name),
            try Bool.fetchOne(db, sql: "SELECT 1 FROM clone WHERE volume_id = ?", arguments: [clone.id]) ?? false
        else {
            throw BackendError(.notFound, "clone '\(name)' does not exist")
        }
        try requireRemovable(clone, what: "clone")
        try requireAvailable(try pool(id: clone.poolID), for: "clone '\(name)'")
        try db.execute(sql: "DELETE FROM volume WHERE id = ?", arguments: [clone.id])
        try account(before: clone, after: nil)
    }
}
