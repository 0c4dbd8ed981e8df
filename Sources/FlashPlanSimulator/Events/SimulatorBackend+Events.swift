import FlashPlanModel
import Foundation
import GRDB

extension SimulatorBackend {
    /// How long (simulated seconds) the copies of a mirrored volume take to resync after
    /// an array under one of them comes back online.
    public static var mirrorResyncDuration: TimeInterval { StateReader.mirrorResyncDuration }

    /// Applies an outside event at `now` and advances the serial, in one transaction.
    /// Returns the new serial.
    ///
    /// - Throws: `BackendError` when the event cannot happen (unknown object, a limit).
    @discardableResult
    public func inject(_ event: SimulatorEvent, at now: Date) throws -> Int {
        try transaction(at: now) { context in
            let db = context.db
            try context.apply(event)
            let serial = try StateStore.advanceSerial(db)
            try db.execute(
                sql: "INSERT INTO event (serial, kind, detail, at) VALUES (?, ?, ?, ?)",
                arguments: [serial, event.kind, event.description, now.timeIntervalSince1970])
            return serial
        }
    }
}

extension SimulationContext {
    func apply(_ event: SimulatorEvent) throws {
        try Self.refuseNUL(in: event.texts, of: "the event")
        switch event {
        case .arrayOffline(let name):
            let array = try array(name)
            guard array.status != .offline else {
                throw BackendError(.refused, "array '\(name)' is already offline")
            }
            try setStatus(.offline, of: array)
        case .arrayOnline(let name):
            let array = try array(name)
            guard array.status != .online else {
                throw BackendError(.refused, "array '\(name)' is already online")
            }
            try setStatus(.online, of: array)
        case .moduleFailure(let name):
            let array = try array(name)
            switch array.status {
            case .offline:
                throw BackendError(.refused, "array '\(name)' is offline already")
            case .degraded:
                // The hot spare already stands in for the first failed module.
                try setStatus(.offline, of: array)
            case .online:
                try setStatus(array.model.survivesModuleFailure ? .degraded : .offline, of: array)
            }
        case .deleteSnapshot(let volume, let name):
            try deleteSnapshot(volume: volume, name: name)
        case .createSnapshot(let volumeName, let name, let label):
            let volume = try volume(volumeName)
            try createSnapshot(SnapshotSpec(volume: volumeName, name: name, label: label, hosts: try hosts(of: volume)))
        case .resizeVolume(let volume, let size):
            try resizeVolume(name: volume, size: size)
        case .breakRelationship(let destination):
            try breakRelationship(destination: destination)
        case .fillPool(let name, let percent):
            try fillPool(name, to: percent)
        case .failNext(let count, let name):
            let array = try array(name)
            guard count >= 0 else {
                throw BackendError(.refused, "fail-next needs a count of 0 or more, not \(count)")
            }
            try db.execute(sql: "UPDATE storage_array SET fail_next = ? WHERE id = ?", arguments: [count, array.id])
            topologyChanged()
        case .writeVolume(let volume):
            _ = try writeVolume(volume)
        }
    }

    func setStatus(_ status: ObservedArray.Status, of array: ArrayRecord) throws {
        defer { topologyChanged() }
        switch status {
        case .offline:
            try db.execute(
                sql: "UPDATE storage_array SET status = ?, offline_since = ? WHERE id = ?",
                arguments: [status.rawValue, time, array.id])
        case .online where array.status == .offline:
            try db.execute(
                sql: "UPDATE storage_array SET status = ?, online_since = ? WHERE id = ?",
                arguments: [status.rawValue, time, array.id])
        case .online, .degraded:
            try db.execute(sql: "UPDATE storage_array SET status = ? WHERE id = ?", arguments: [status.rawValue, array.id])
        }
    }

    /// Sets the data written outside the simulated volumes so that the pool is at `percent`.
    func fillPool(_ name: String, to percent: Percentage) throws {
        let pool = try pool(name)
        guard (0...100).contains(percent.value) else {
            throw BackendError(.refused, "fill-pool takes a percentage from 0% to 100%, not \(percent)")
        }
        let capacity = pool.physical
        let volumes = try volumeUse(of: pool)
        let target = UInt64((Double(capacity) * percent.fraction).rounded())
        guard target >= volumes else {
            let current = Double(volumes) / Double(max(capacity, 1)) * 100
            throw BackendError(
                .refused,
                "pool '\(name)' already uses \(bytes(volumes)) (\(self.percent(current))) for its volumes and snapshots; it cannot be filled to only \(percent)"
            )
        }
        try db.execute(sql: "UPDATE pool SET outside_used = ? WHERE id = ?", arguments: [Int64(target - volumes), pool.id])
    }
}
