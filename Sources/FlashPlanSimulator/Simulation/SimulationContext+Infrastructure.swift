import FlashPlanModel
import Foundation
import GRDB

/// Arrays, clusters, pools and hosts.
extension SimulationContext {
    func installArray(name: String, model: ArrayModel, capacity: ByteCount, site: String?) throws {
        if try arrayIfExists(name) != nil {
            throw BackendError(.alreadyExists, "array '\(name)' already exists")
        }
        guard model.capacities.contains(capacity) else {
            let sold = model.capacitiesTB.map(String.init)
            let list = sold.count > 5
                ? "\(sold.first!) to \(sold.last!)" : sold.dropLast().joined(separator: ", ") + " or " + sold.last!
            throw BackendError(
                .limitExceeded,
                "array '\(name)': a \(model.rawValue) is sold with \(list) TB, not \(terabytes(capacity.bytes))")
        }
        try db.execute(
            sql: "INSERT INTO storage_array (name, model, capacity, site) VALUES (?, ?, ?, ?)",
            arguments: [name, model.rawValue, Int64(capacity.bytes), site])
    }

    func installCluster(name: String, site: String?, ioGroups: Int) throws {
        if try clusterID(name) != nil {
            throw BackendError(.alreadyExists, "cluster '\(name)' already exists")
        }
        guard (1...4).contains(ioGroups) else {
            throw BackendError(
                .limitExceeded,
                "cluster '\(name)' asks for \(ioGroups) I/O groups; an SVC cluster has 1 to 4 I/O groups (800,000 IOPS at most)"
            )
        }
        try db.execute(
            sql: "INSERT INTO cluster (name, site, io_groups) VALUES (?, ?, ?)", arguments: [name, site, ioGroups])
    }

    /// Capacity the array already gives to pools.
    func capacityGiven(by array: ArrayRecord) throws -> UInt64 {
        UInt64(
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT COALESCE(SUM(capacity), 0) FROM pool_extent WHERE array_id = ?"),
                arguments: [array.id]) ?? 0)
    }

    /// Refuses when the array cannot give `capacity` more to `pool`.
    func requireCapacity(of array: ArrayRecord, giving capacity: UInt64, to pool: String) throws {
        guard array.isAvailable else {
            throw BackendError(.offline, "array '\(array.name)' is offline: it cannot give capacity to pool '\(pool)'")
        }
        guard capacity > 0 else {
            throw BackendError(.refused, "pool '\(pool)' asks array '\(array.name)' for no capacity")
        }
        let given = try capacityGiven(by: array)
        if given + capacity > array.capacity {
            let already = given == 0 ? "" : "; pools already take \(terabytes(given)) of it"
            throw BackendError(
                .limitExceeded,
                "array '\(array.name)' has \(terabytes(array.capacity))\(already), so pool '\(pool)' cannot take \(terabytes(capacity)) from it"
            )
        }
    }

    func createPool(
        name: String, cluster: String, capacityFrom: [Pool.Extent], warningThreshold: Percentage,
        maxOvercommit: Percentage, easyTier: Bool
    ) throws {
        if try poolIfExists(name) != nil {
            throw BackendError(.alreadyExists, "pool '\(name)' already exists")
        }
        guard let clusterID = try clusterID(cluster) else {
            throw BackendError(.notFound, "cluster '\(cluster)' does not exist")
        }
        guard !capacityFrom.isEmpty else {
            throw BackendError(.refused, "pool '\(name)' needs capacity from at least one array")
        }
        var seen: Set<String> = []
        var arrays: [(ArrayRecord, UInt64)] = []
        for extent in capacityFrom {
            guard seen.insert(extent.array).inserted else {
                throw BackendError(.refused, "pool '\(name)' lists array '\(extent.array)' twice")
            }
            let array = try array(extent.array)
            try requireCapacity(of: array, giving: extent.capacity.bytes, to: name)
            arrays.append((array, extent.capacity.bytes))
        }
        try db.execute(
            sql: "INSERT INTO pool (name, cluster_id, warning_threshold, max_overcommit, easy_tier) VALUES (?, ?, ?, ?, ?)",
            arguments: [name, clusterID, warningThreshold.value, maxOvercommit.value, easyTier])
        let poolID = db.lastInsertedRowID
        for (position, (array, capacity)) in arrays.enumerated() {
            try db.execute(
                sql: "INSERT INTO pool_extent (pool_id, array_id, capacity, position) VALUES (?, ?, ?, ?)",
                arguments: [poolID, array.id, Int64(capacity), position])
        }
    }

    func addPoolCapacity(pool name: String, array arrayName: String, capacity: ByteCount) throws {
        let pool = try pool(name)
        let array = try array(arrayName)
        try requireCapacity(of: array, giving: capacity.bytes, to: name)
        if pool.extents.contains(where: { $0.array.id == array.id }) {
            try db.execute(
                sql: "UPDATE pool_extent SET capacity = capacity + ? WHERE pool_id = ? AND array_id = ?",
                arguments: [Int64(capacity.bytes), pool.id, array.id])
        } else {
            try db.execute(
                sql: "INSERT INTO pool_extent (pool_id, array_id, capacity, position) VALUES (?, ?, ?, ?)",
                arguments: [pool.id, array.id, Int64(capacity.bytes), pool.extents.count])
        }
        topologyChanged()
    }

    func modifyPool(name: String, warningThreshold: Percentage, maxOvercommit: Percentage, easyTier: Bool) throws {
        let pool = try pool(name)
        try db.execute(
            sql: "UPDATE pool SET warning_threshold = ?, max_overcommit = ?, easy_tier = ? WHERE id = ?",
            arguments: [warningThreshold.value, maxOvercommit.value, easyTier, pool.id])
    }

    func createHost(name: String, site: String?) throws {
        if try Int64.fetchOne(db, sql: "SELECT id FROM host WHERE name = ?", arguments: [name]) != nil {
            throw BackendError(.alreadyExists, "host '\(name)' already exists")
        }
        try db.execute(sql: "INSERT INTO host (name, site) VALUES (?, ?)", arguments: [name, site])
    }
}
