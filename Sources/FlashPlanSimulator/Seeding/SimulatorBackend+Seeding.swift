import FlashPlanModel
import Foundation
import GRDB

extension SimulatorBackend {
    /// Names used by `seedFleet`, so that tests and benchmarks can write a matching configuration.
    public enum Fleet {
        public static let cluster = "svc1"
        public static let volumeSize = ByteCount.gib(16)
        public static let volumesPerPool = 1_000
        public static func array(_ index: Int) -> String { "fs" + pad(index, 3) }
        public static func pool(_ index: Int) -> String { "pool" + pad(index, 3) }
        public static func volume(_ index: Int) -> String { "vol" + pad(index, 5) }
        public static func group(_ index: Int) -> String { "rg" + pad(index, 4) }
        public static func host(_ index: Int) -> String { "host" + pad(index, 4) }

        static func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
    }

    /// Fills an empty state with a fleet in one transaction, bypassing the per-operation
    /// checks (everything it makes is within the limits):
    ///
    /// - one cluster `svc1` (4 I/O groups); one FlashSystem 820 of 24 TB (`fs000`, …) and
    ///   one pool of all of it (`pool000`, …) per 1,000 volumes;
    /// - `groups` hosts (`host0000`, …); volume `vol00000`, … of 16 GiB (thin, 5% change
    ///   rate, created 7 days before `now`) in pool `i / 1000`, mapped to host `i % groups`;
    /// - `snapshotsPerVolume` hourly snapshots per volume, the newest one hour before
    ///   `now`, named like a backup of group `rg<i % groups>` on its host
    ///   (`rg0007_host0007_11-21-2026_09.00.00`), label `hourly`.
    ///
    /// - Throws: `BackendError.Kind.refused` when the state already holds arrays.
    public func seedFleet(volumes: Int, groups: Int, snapshotsPerVolume: Int, now: Date) throws {
        precondition(volumes >= 0 && groups >= 1 && snapshotsPerVolume >= 0 && snapshotsPerVolume <= 255)
        try write { db in
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM storage_array")! > 0 {
                throw BackendError(.refused, "seedFleet needs an empty state; this one already holds arrays")
            }
            let time = now.timeIntervalSince1970
            let poolCount = max(1, (volumes + Fleet.volumesPerPool - 1) / Fleet.volumesPerPool)
            try db.execute(sql: "INSERT INTO cluster (name, site, io_groups) VALUES (?, NULL, 4)", arguments: [Fleet.cluster])
            let clusterID = db.lastInsertedRowID
            var poolIDs: [Int64] = []
            for index in 0..<poolCount {
                let capacity = ByteCount.tb(24).bytes
                try db.execute(
                    sql: "INSERT INTO storage_array (name, model, capacity, site) VALUES (?, ?, ?, NULL)",
                    arguments: [Fleet.array(index), ArrayModel.flashSystem820.rawValue, Int64(capacity)])
                let arrayID = db.lastInsertedRowID
                try db.execute(
                    sql: "INSERT INTO pool (name, cluster_id, warning_threshold, max_overcommit, easy_tier) VALUES (?, ?, 80, 300, 0)",
                    arguments: [Fleet.pool(index), clusterID])
                let poolID = db.lastInsertedRowID
                poolIDs.append(poolID)
                try db.execute(
                    sql: "INSERT INTO pool_extent (pool_id, array_id, capacity, position) VALUES (?, ?, ?, 0)",
                    arguments: [poolID, arrayID, Int64(capacity)])
            }
            var hostIDs: [Int64] = []
            for index in 0..<groups {
                try db.execute(sql: "INSERT INTO host (name, site) VALUES (?, NULL)", arguments: [Fleet.host(index)])
                hostIDs.append(db.lastInsertedRowID)
            }
            let context = SimulationContext(db, now: now)
            let label = try context.atom("hourly")
            var groupAtoms: [Int64] = []
            var hostAtoms: [Int64] = []
            for index in 0..<groups {
                groupAtoms.append(try context.atom(Fleet.group(index)))
                hostAtoms.append(try context.hostsAtom([Fleet.host(index)]))
            }
            // Snapshot times and their `MM-dd-yyyy_HH.mm.ss` stamps, shared by all volumes.
            let times = (0..<snapshotsPerVolume).map { time - Double(snapshotsPerVolume - $0) * 3600 }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "MM-dd-yyyy_HH.mm.ss"
            let stamps = times.map { formatter.string(from: Date(timeIntervalSince1970: $0)) }

            let size = Int64(Fleet.volumeSize.bytes)
            let created = time - 7 * 86_400
            let insertVolume = try db.makeStatement(
                sql: """
                    INSERT INTO volume (name, pool_id, size, protocol, thin, compressed, change_rate, role, created,
                        initial_fill, snapshot_count, oldest_snapshot) VALUES (?, ?, ?, 'fc', 1, 0, 5, 'primary', ?, ?, ?, ?)
                    """)
            let mapHost = try db.makeStatement(sql: "INSERT INTO volume_host (volume_id, host_id) VALUES (?, ?)")
            let insertSnapshot = try db.makeStatement(
                sql: "INSERT INTO snapshot (volume_id, created, name, label_id, hosts_id, group_id) VALUES (?, ?, ?, ?, ?, ?)")
            var virtual = [Int64](repeating: 0, count: poolCount)
            for index in 0..<volumes {
                let poolIndex = index / Fleet.volumesPerPool
                let group = index % groups
                try insertVolume.execute(arguments: [
                    Fleet.volume(index), poolIDs[poolIndex], size, created, SpaceModel.thinInitialFill,
                    snapshotsPerVolume, times.first,
                ])
                let volumeID = db.lastInsertedRowID
                virtual[poolIndex] += size
                try mapHost.execute(arguments: [volumeID, hostIDs[group]])
                let prefix = Fleet.group(group) + "_" + Fleet.host(group) + "_"
                for (moment, stamp) in zip(times, stamps) {
                    insertSnapshot.setUncheckedArguments([
                        volumeID, moment, prefix + stamp, label, hostAtoms[group], groupAtoms[group],
                    ])
                    try insertSnapshot.execute()
                }
            }
            for (index, poolID) in poolIDs.enumerated() {
                try db.execute(
                    sql: "UPDATE pool SET virtual = ?, used_at = NULL WHERE id = ?", arguments: [virtual[index], poolID])
            }
        }
        // One huge transaction leaves a WAL the size of the fleet; a state that has been
        // in use has long been checkpointed. Readers of a big WAL pay for it on every page.
        _ = try writer.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    }
}
