import FlashPlanModel
import Foundation
import GRDB

extension SimulatorBackend {
    /// What the backend holds at `now`, given `earlier`, an observation made after the
    /// backend's last change.
    ///
    /// Between two runs of the timer in `flashplan simulate` nothing touches the storage,
    /// so all that can differ from `earlier` is what the simulator derives from the time:
    /// pool use (the space model grows snapshots and thin volumes with the time) and
    /// whether mirrored copies are still resyncing. Only those are read again, from the
    /// database and with the simulator's own rules (`VolumeRecord.consumption`,
    /// `StateReader.copiesInSync`), never modelled here; the snapshots — a million in the
    /// benchmark fleet, most of the cost of an observation — are not read a second time.
    ///
    /// The serial guards the caller's promise: an apply or an event since `earlier`
    /// advances it, and then this is a full `observe(at:)`. Whatever `StateReader` comes to
    /// derive from the time must be derived here too: `ObservationRefreshTests` compares
    /// the two.
    public func observe(at now: Date, unchangedSince earlier: ObservedState) throws -> ObservedState {
        try StateFileError.guarding(path) {
            try read { db in
                let reader = StateReader(db: db, now: now, lineage: lineage)
                guard earlier.lineage == lineage, try StateStore.serial(db) == earlier.serial else { return try reader.read() }
                return try reader.refreshTimeDependent(earlier)
            }
        }
    }
}

extension StateReader {
    /// `earlier` with the pools' use and the volumes' `copiesInSync` as of `now`, read as
    /// `read()` reads them (statements cached: this runs at every step of a simulation).
    func refreshTimeDependent(_ earlier: ObservedState) throws -> ObservedState {
        let pools = Dictionary(uniqueKeysWithValues: try arraysAndPools().pools.map { ($0.id, $0) })
        var used: [Int64: UInt64] = [:]
        var inSync: [String: Bool] = [:]
        let volumes = try Row.fetchCursor(db.cachedStatement(sql: "SELECT \(VolumeRecord.columns) FROM volume"))
        while let row = try volumes.next() {
            let volume = VolumeRecord(row: row)
            for id in volume.poolIDs where pools[id] != nil {
                used[id, default: 0] += volume.consumption(in: id, at: time)
            }
            let mirror = volume.mirrorPoolID.flatMap { pools[$0] }
            inSync[volume.name] = copiesInSync(volume, primary: pools[volume.poolID], mirror: mirror)
        }
        let byName = Dictionary(uniqueKeysWithValues: pools.values.map { ($0.name, $0) })
        var state = earlier
        for index in state.pools.indices {
            guard let pool = byName[state.pools[index].name] else { return try read() }
            state.pools[index].usedCapacity = ByteCount(bytes: (used[pool.id] ?? 0) + pool.outsideUsed)
        }
        for index in state.volumes.indices {
            guard let current = inSync[state.volumes[index].name] else { return try read() }
            state.volumes[index].copiesInSync = current
        }
        // A pool or volume `earlier` does not know of: it was not observed after the last change.
        if byName.count != state.pools.count || inSync.count != state.volumes.count { return try read() }
        return state
    }
}
