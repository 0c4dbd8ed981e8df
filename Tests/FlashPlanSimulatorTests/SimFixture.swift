import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

/// A small simulated site: cluster `svc1`; arrays `fs1` (720, 12 TB), `fs2` (720, 12 TB),
/// `fs3` (710, 5 TB), `fs4` (810, 10 TB); pools `p1` (6 TB of fs1), `p2` (6 TB of fs2),
/// `p3` (5 TB of fs3), `p4` (4 TB of fs4); host `h1`.
struct SimFixture {
    let store: StateStore
    var backend: SimulatorBackend { store.backend }
    static let start = Date(timeIntervalSince1970: 1_795_255_200)  // 2026-11-21T10:00:00Z

    init(topology: Bool = true) throws {
        store = try StateStore.inMemory()
        guard topology else { return }
        try backend.performAll(
            [
                .installCluster(name: "svc1", site: nil, ioGroups: 2),
                .installArray(name: "fs1", model: .flashSystem720, capacity: .tb(12), site: "a"),
                .installArray(name: "fs2", model: .flashSystem720, capacity: .tb(12), site: "b"),
                .installArray(name: "fs3", model: .flashSystem710, capacity: .tb(5), site: "a"),
                .installArray(name: "fs4", model: .flashSystem810, capacity: .tb(10), site: "b"),
                Self.pool("p1", ("fs1", .tb(6))),
                Self.pool("p2", ("fs2", .tb(6))),
                Self.pool("p3", ("fs3", .tb(5))),
                Self.pool("p4", ("fs4", .tb(4))),
                .createHost(name: "h1", site: nil),
            ], at: Self.start)
    }

    static func pool(_ name: String, _ extents: (String, ByteCount)..., overcommit: Double = 300) -> StorageOperation {
        .createPool(
            name: name, cluster: "svc1", capacityFrom: extents.map { Pool.Extent(array: $0.0, capacity: $0.1) },
            warningThreshold: Percentage(80), maxOvercommit: Percentage(overcommit), easyTier: false)
    }

    func at(_ hours: Double) -> Date { Self.start.addingTimeInterval(hours * 3600) }

    func perform(_ operation: StorageOperation, hours: Double = 0) throws {
        try backend.perform(operation, at: at(hours), journal: nil)
    }

    func observe(hours: Double = 0) throws -> ObservedState { try backend.observe(at: at(hours)) }

    func volume(_ name: String, pool: String = "p1", size: ByteCount = .gib(100), thin: Bool = true,
                compressed: Bool = false, mirror: String? = nil, protocol accessProtocol: Volume.AccessProtocol = .fc,
                changeRate: Double = 5, hours: Double = 0) throws {
        try perform(
            .createVolume(
                VolumeSpec(
                    name: name, pool: pool, size: size, accessProtocol: accessProtocol, thin: thin, compressed: compressed,
                    mirrorPool: mirror, changeRate: Percentage(changeRate))), hours: hours)
    }

    func snapshot(_ volume: String, _ name: String, label: String = "daily", immutableUntil: Date? = nil, hours: Double = 0) throws {
        try perform(
            .createSnapshot(SnapshotSpec(volume: volume, name: name, label: label, hosts: ["h1"], immutableUntil: immutableUntil)),
            hours: hours)
    }

    func pool(_ name: String, hours: Double = 0) throws -> ObservedPool {
        try #require(try observe(hours: hours).pools.first { $0.name == name })
    }

    func volumeState(_ name: String, hours: Double = 0) throws -> ObservedVolume {
        try #require(try observe(hours: hours).volumes.first { $0.name == name })
    }
}

/// Runs `body`, expecting a `BackendError` of `kind` whose message is `message` exactly.
func expectRefusal(
    _ kind: BackendError.Kind, _ message: String, sourceLocation: Testing.SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected a refusal: \(message)", sourceLocation: sourceLocation)
    } catch let error as BackendError {
        #expect(error.kind == kind, sourceLocation: sourceLocation)
        #expect(error.message == message, sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}
