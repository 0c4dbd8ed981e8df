import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

/// Where a conformance case keeps its state: the two backends DESIGN §9 promises behave
/// alike ("the same tables and semantics as the SQLite state").
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// A state location of its own that does not exist yet, and what inspects it from outside.
    func freshLocation() throws -> ConformanceLocation {
        switch self {
        case .sqlite:
            let directory = try temporaryDirectory()
            return ConformanceLocation(backend: self, path: directory.appendingPathComponent("state.db").path, directory: directory, postgres: nil)
        case .postgres:
            let state = try PostgresTestServer.freshState()
            return ConformanceLocation(backend: self, path: state.url, directory: nil, postgres: state)
        }
    }
}

/// One state location of a conformance case: a file path or a `postgresql://` URL, with
/// the means to tamper with it the way another flashplan version would.
struct ConformanceLocation {
    let backend: Backend
    /// What `StateStore(path:)` is given.
    let path: String
    let directory: URL?
    let postgres: PostgresTestServer.State?

    func open(_ access: StateStore.Access = .readWrite) throws -> StateStore {
        try StateStore(path: path, access: access)
    }

    func remove() {
        if let directory { try? FileManager.default.removeItem(at: directory) }
        postgres?.drop()
    }

    /// Whether anything of a state exists: the file, or any table in the schema.
    func exists() throws -> Bool {
        if let postgres { return try !postgres.tables().isEmpty }
        return FileManager.default.fileExists(atPath: path)
    }

    /// Runs `sql` on the state from outside flashplan (sqlite3, psql).
    @discardableResult
    func sql(_ sql: String) throws -> String {
        if let postgres { return try postgres.psql(sql) }
        return try sqlite3(path, sql)
    }

    /// The migrations the state records as applied, sorted.
    func migrations() throws -> [String] {
        let table = postgres == nil ? "grdb_migrations" : "flashplan_migrations"
        return try sql("SELECT identifier FROM \(table) ORDER BY identifier").split(separator: "\n").map(String.init)
    }

    /// Records a migration this flashplan does not know, as a newer flashplan would.
    func addUnknownMigration(_ identifier: String) throws {
        let table = postgres == nil ? "grdb_migrations" : "flashplan_migrations"
        try sql("INSERT INTO \(table) (identifier) VALUES ('\(identifier)')")
    }

    /// Turns the state into one written before `v4-apply-who`: the migration forgotten and
    /// the column it added dropped.
    func downgradeApplyWho() throws {
        let table = postgres == nil ? "grdb_migrations" : "flashplan_migrations"
        try sql("DELETE FROM \(table) WHERE identifier = 'v4-apply-who'; ALTER TABLE apply DROP COLUMN who")
    }

    /// Everything the state holds, as text, to show it was left untouched.
    func fingerprint() throws -> String {
        if postgres != nil {
            return try sql("""
                SELECT string_agg(table_name || ':' || (xpath('/row/c/text()',
                    query_to_xml(format('SELECT md5(coalesce(string_agg(t::text, ''|'' ORDER BY t::text), '''')) AS c FROM %I.%I t',
                    table_schema, table_name), false, true, '')))[1]::text, ',' ORDER BY table_name)
                FROM information_schema.tables WHERE table_schema = current_schema()
                """) + (try sql("SELECT string_agg(table_name || '.' || column_name, ',' ORDER BY 1) FROM information_schema.columns WHERE table_schema = current_schema()"))
        }
        return try sqlite3(path, ".dump")
    }
}

/// The same calls on a SQLite state and on a PostgreSQL state give the same results: the
/// state's lifecycle, its bookkeeping, the simulated storage, refusals and schema versions;
/// then random operation histories compared between the two, including a PostgreSQL state
/// reloaded from the database and a second writer catching up through `flashplan_change`.
@Suite struct BackendConformanceTests {
    static let start = SimFixture.start

    static func at(_ hours: Double) -> Date { start.addingTimeInterval(hours * 3600) }

    /// The lineage differs between any two states: everything else must not.
    static func comparable(_ observed: ObservedState) -> ObservedState {
        var observed = observed
        observed.lineage = ""
        return observed
    }

    static let topology: [StorageOperation] = [
        .installCluster(name: "svc1", site: nil, ioGroups: 2),
        .installArray(name: "fs1", model: .flashSystem720, capacity: .tb(12), site: "a"),
        .installArray(name: "fs2", model: .flashSystem720, capacity: .tb(12), site: "b"),
        .installArray(name: "fs3", model: .flashSystem710, capacity: .tb(2), site: "a"),
        SimFixture.pool("p1", ("fs1", .tb(6))),
        SimFixture.pool("p2", ("fs2", .tb(6))),
        SimFixture.pool("p3", ("fs3", .tb(2)), overcommit: 150),
        .createHost(name: "h1", site: nil),
        .createHost(name: "h2", site: "b"),
    ]

    // MARK: - Creation

    @Test(arguments: Backend.allCases)
    func aStateIsCreatedByTheFirstWriteAndNeverByARead(_ backend: Backend) throws {
        let location = try backend.freshLocation()
        defer { location.remove() }
        for _ in 0..<2 {
            do {
                _ = try location.open(.readOnly)
                Issue.record("a read-only open of a missing state succeeded")
            } catch let error as StateFileError {
                #expect(error.problem == .missing, "\(error)")
            }
            #expect(try !location.exists())
        }

        let lineage: String
        do {
            let store = try location.open()
            lineage = store.lineage
            #expect(UUID(uuidString: lineage) != nil)
            #expect(try store.serial == 0)
            #expect(store.isPostgres == (backend == .postgres))
            #expect(try store.backend.observe(at: Self.start) == ObservedState(lineage: lineage, serial: 0))
        }
        #expect(try location.exists())
        #expect(try location.migrations() == ["v1-bookkeeping", "v1-storage", "v2-content", "v3-applied-size", "v4-apply-who"])
        let reader = try location.open(.readOnly)
        #expect(reader.lineage == lineage)
        #expect(try reader.serial == 0)
        #expect(try location.open().lineage == lineage)
    }

    // MARK: - Bookkeeping

    @Test(arguments: Backend.allCases)
    func lineageSerialAppliesAndJournalReadBackAlike(_ backend: Backend) throws {
        let location = try backend.freshLocation()
        defer { location.remove() }
        let lineage: String
        let entry = JournalEntry(applyID: "a1", actionID: "1", address: "host.h9", outcome: .applied, at: Self.at(1))
        let failed = JournalEntry(applyID: "a1", actionID: "2", address: "host.h1", outcome: .failed, message: "host 'h1' already exists", at: Self.at(1))
        do {
            let store = try location.open()
            lineage = store.lineage
            try store.backend.performAll(Self.topology, at: Self.start)
            #expect(try store.beginApply(id: "a1", expecting: (lineage, 0), operation: "apply", now: Self.at(1)) == 1)
            #expect(throws: StaleStateError(expectedLineage: lineage, expectedSerial: 0, lineage: lineage, serial: 1)) {
                try store.beginApply(id: "a2", expecting: (lineage, 0), operation: "apply", now: Self.at(1))
            }
            #expect(throws: StaleStateError(expectedLineage: "other", expectedSerial: 1, lineage: lineage, serial: 1)) {
                try store.beginApply(id: "a2", expecting: ("other", 1), operation: "apply", now: Self.at(1))
            }
            try store.backend.perform(.createHost(name: "h9", site: nil), at: Self.at(1), journal: entry)
            #expect(throws: BackendError(.alreadyExists, "host 'h1' already exists")) {
                try store.backend.perform(.createHost(name: "h1", site: nil), at: Self.at(1), journal: failed)
            }
            try store.record(failed)
            try store.finishApply(id: "a1", outcome: "done", now: Self.at(2))
            #expect(throws: BackendError(.notFound, "no apply with id 'zz' was started in this state")) {
                try store.finishApply(id: "zz", outcome: "done", now: Self.at(2))
            }
            #expect(try store.serial == 2)
            #expect(try store.beginApply(operation: "apply", now: Self.at(3)) == 3)
            #expect(try store.backend.inject(.arrayOffline(array: "fs3"), at: Self.at(4)) == 4)
        }

        // Read back by a new store: for PostgreSQL, a copy loaded afresh from the database.
        for access in [StateStore.Access.readWrite, .readOnly] {
            let store = try location.open(access)
            #expect(store.lineage == lineage)
            #expect(try store.serial == 4)
            let applies = try store.applies()
            #expect(applies.map(\.id) == ["a1", "3"] && applies.map(\.serial) == [1, 3])
            #expect(applies.map(\.operation) == ["apply", "apply"] && applies.map(\.started) == [Self.at(1), Self.at(3)])
            #expect(applies.map(\.finished) == [Self.at(2), nil] && applies.map(\.outcome) == ["done", nil])
            #expect(try store.journalEntries(applyID: "a1") == [entry, failed])
            #expect(try store.journalEntries(applyID: "3").isEmpty)
            #expect(try store.journalEntries(since: nil) == [entry, failed])
            #expect(try store.journalEntries(since: Self.at(2)).isEmpty)
            let runs = try store.applyRuns(since: nil)
            #expect(runs.map(\.id) == ["a1", "3"])
            #expect(runs.allSatisfy { $0.who?.contains("@") == true })
            #expect(try store.applyRuns(since: Self.at(2)).map(\.id) == ["3"])
            #expect(try store.lastApplyRun()?.id == "3")
            let observed = try store.backend.observe(at: Self.at(4))
            #expect(observed.serial == 4 && observed.hosts.map(\.name) == ["h1", "h2", "h9"])
            #expect(observed.arrays.first { $0.name == "fs3" }?.status == .offline)
            #expect(observed.lastActivity == Self.at(3))
        }
    }

    // MARK: - The simulated storage

    /// Operations touching every kind of object, spread over simulated days.
    static let script: [(hours: Double, step: Step)] = [
        (0, .operation(.createVolume(VolumeSpec(name: "db", pool: "p1", size: .gib(500), mirrorPool: "p2", changeRate: Percentage(10))))),
        (0, .operation(.createVolume(VolumeSpec(name: "db_dr", pool: "p2", size: .gib(500))))),
        (0, .operation(.createVolume(VolumeSpec(name: "logs", pool: "p1", size: .gib(200), accessProtocol: .iscsi, thin: false, compressed: true)))),
        (0, .operation(.createVolume(VolumeSpec(name: "share", pool: "p3", size: .gib(100), accessProtocol: .smb)))),
        (0.5, .operation(.mapHost(volume: "db", host: "h1"))),
        (0.5, .operation(.mapHost(volume: "logs", host: "h2"))),
        (1, .operation(.createSnapshot(SnapshotSpec(volume: "db", name: "d1", label: "daily", hosts: ["h1"], tag: "t", group: "g", immutableUntil: at(48))))),
        (1, .operation(.createRelationship(source: "db", destination: "db_dr", type: .mirror, mode: .async, group: "g"))),
        (2, .operation(.initializeRelationship(destination: "db_dr"))),
        (3, .event(.writeVolume(volume: "db"))),
        (4, .operation(.createSnapshot(SnapshotSpec(volume: "db", name: "d2", label: "hourly", hosts: ["h1"])))),
        (5, .operation(.updateRelationship(destination: "db_dr", transfer: ["d1", "d2"], drop: []))),
        (6, .operation(.createClone(name: "db_test", volume: "db", snapshot: "d2", host: "h2"))),
        (7, .operation(.renameSnapshot(volume: "db", name: "d2", newName: "d2-renamed"))),
        (8, .event(.createSnapshot(volume: "logs", name: "by-hand", label: "manual"))),
        (9, .operation(.resizeVolume(name: "logs", size: .gib(300)))),
        (10, .event(.resizeVolume(volume: "db", size: .gib(600)))),
        (11, .operation(.migrateVolume(name: "logs", toPool: "p2"))),
        (12, .event(.breakRelationship(destination: "db_dr"))),
        (13, .operation(.resyncRelationship(destination: "db_dr"))),
        (14, .event(.fillPool(pool: "p3", percent: Percentage(40)))),
        (15, .event(.moduleFailure(array: "fs2"))),
        (16, .event(.arrayOffline(array: "fs3"))),
        (17, .event(.arrayOnline(array: "fs3"))),
        (18, .operation(.modifyPool(name: "p1", warningThreshold: Percentage(70), maxOvercommit: Percentage(250), easyTier: true))),
        (19, .operation(.addPoolCapacity(pool: "p1", array: "fs1", capacity: .tb(2)))),
        (20, .operation(.restoreSnapshot(volume: "logs", name: "by-hand"))),
        (21, .event(.failNext(count: 1, array: "fs1"))),
        (22, .operation(.deleteSnapshot(volume: "logs", name: "by-hand"))),
        (23, .operation(.unmapHost(volume: "logs", host: "h2"))),
        (24, .operation(.removeMirrorCopy(volume: "db"))),
        (25, .operation(.addMirrorCopy(volume: "logs", pool: "p1"))),
        (26, .operation(.deleteClone(name: "db_test"))),
        (30, .operation(.destroyVolume(name: "share"))),
    ]

    /// One step of a history: an operation of the engine or an outside event.
    enum Step: Sendable, CustomStringConvertible {
        case operation(StorageOperation)
        case event(SimulatorEvent)

        var description: String {
            switch self {
            case .operation(let operation): "\(operation)"
            case .event(let event): "sim \(event)"
            }
        }
    }

    /// What a step came to: done, refused (which refusal), or another error.
    enum Outcome: Hashable, CustomStringConvertible {
        case done, refused(BackendError), failed(String)

        var description: String {
            switch self {
            case .done: "done"
            case .refused(let error): "refused: \(error.kind) \(error.message)"
            case .failed(let text): "failed: \(text)"
            }
        }
    }

    static func run(_ step: Step, on store: StateStore, at now: Date, journal: JournalEntry? = nil) -> Outcome {
        do {
            switch step {
            case .operation(let operation): try store.backend.perform(operation, at: now, journal: journal)
            case .event(let event): try store.backend.inject(event, at: now)
            }
            return .done
        } catch let error as BackendError {
            return .refused(error)
        } catch {
            return .failed("\(error)")
        }
    }

    @Test(arguments: Backend.allCases)
    func storageObservedAfterReopeningIsWhatWasObservedBefore(_ backend: Backend) throws {
        let location = try backend.freshLocation()
        defer { location.remove() }
        // The reference: the same calls on a private in-memory SQLite store.
        let reference = try StateStore.inMemory()
        try reference.backend.performAll(Self.topology, at: Self.start)
        let end = Self.at(40)
        let before: ObservedState
        do {
            let store = try location.open()
            try store.backend.performAll(Self.topology, at: Self.start)
            for (index, (hours, step)) in Self.script.enumerated() {
                let entry = JournalEntry(applyID: "s", actionID: "\(index)", address: "step.\(index)", outcome: .applied, at: Self.at(hours))
                let expected = Self.run(step, on: reference, at: Self.at(hours), journal: entry)
                let outcome = Self.run(step, on: store, at: Self.at(hours), journal: entry)
                #expect(outcome == expected, "step \(index): \(step)")
            }
            before = try store.backend.observe(at: end)
            #expect(Self.comparable(before) == Self.comparable(try reference.backend.observe(at: end)))
            #expect(try store.journalEntries(applyID: "s") == (try reference.journalEntries(applyID: "s")))
        }
        // The script must exercise something: objects of every kind are left at its end.
        #expect(before.volumes.count == 3 && before.snapshots.count >= 2 && before.relationships.count == 1)
        #expect(before.arrays.first { $0.name == "fs2" }?.status == .degraded)
        for access in [StateStore.Access.readWrite, .readOnly] {
            let again = try location.open(access)
            #expect(try again.backend.observe(at: end) == before, "reopened \(access)")
            #expect(try again.journalEntries(applyID: nil) == (try reference.journalEntries(applyID: nil)), "reopened \(access)")
            // Time passes the same way after the reload (space grows with simulated days).
            #expect(Self.comparable(try again.backend.observe(at: Self.at(100))) == Self.comparable(try reference.backend.observe(at: Self.at(100))))
        }
    }

    @Test(arguments: Backend.allCases)
    func aRefusedOperationThrowsTheSameAndLeavesNothingBehind(_ backend: Backend) throws {
        let location = try backend.freshLocation()
        defer { location.remove() }
        let reference = try StateStore.inMemory()
        let store = try location.open()
        let snapshots = (0..<255).map { StorageOperation.createSnapshot(SnapshotSpec(volume: "db", name: "s\($0)", label: "daily")) }
        let setup: [StorageOperation] = Self.topology + [.createVolume(VolumeSpec(name: "db", pool: "p1", size: .gib(100)))] + snapshots
        try reference.backend.performAll(setup, at: Self.start)
        try store.backend.performAll(setup, at: Self.start)
        let serial = try store.serial

        let refusals: [(StorageOperation, BackendError)] = [
            (.createSnapshot(SnapshotSpec(volume: "db", name: "s255", label: "daily")),
             BackendError(.limitExceeded, "volume 'db' already has 255 snapshots, the most a FlashSystem volume can hold; snapshot 's255' was not taken")),
            // 3 TB thick in a 2 TB pool: the pool would overflow.
            (.createVolume(VolumeSpec(name: "big", pool: "p3", size: .tb(3), thin: false)), BackendError(.limitExceeded, "")),
            (.createHost(name: "h1", site: nil), BackendError(.alreadyExists, "host 'h1' already exists")),
            (.destroyVolume(name: "nope"), BackendError(.notFound, "")),
        ]
        let before = try store.backend.observe(at: Self.at(1))
        let journalBefore = try store.journalEntries(applyID: nil)
        for (index, (operation, expected)) in refusals.enumerated() {
            let entry = JournalEntry(applyID: "r", actionID: "\(index)", address: "x", outcome: .applied, at: Self.at(1))
            let outcome = Self.run(.operation(operation), on: store, at: Self.at(1), journal: entry)
            #expect(outcome == Self.run(.operation(operation), on: reference, at: Self.at(1), journal: entry), "\(operation)")
            guard case .refused(let error) = outcome else {
                Issue.record("\(operation) was not refused: \(outcome)")
                continue
            }
            #expect(error.kind == expected.kind)
            if !expected.message.isEmpty { #expect(error.message == expected.message) }
        }
        // A batch is all or nothing: the good first half is not kept either.
        let batch: [StorageOperation] = [.createHost(name: "h3", site: nil), .createSnapshot(SnapshotSpec(volume: "db", name: "s256", label: "daily"))]
        #expect(throws: BackendError.self) { try store.backend.performAll(batch, at: Self.at(1)) }

        // An injected fault: its countdown commits, the operation and its journal row do not.
        try store.backend.inject(.failNext(count: 1, array: "fs1"), at: Self.at(1))
        let injected = Self.run(
            .operation(.createVolume(VolumeSpec(name: "v2", pool: "p1", size: .gib(1)))), on: store, at: Self.at(1),
            journal: JournalEntry(applyID: "r", actionID: "f", address: "volume.v2", outcome: .applied, at: Self.at(1)))
        guard case .refused(let error) = injected, error.kind == .injectedFailure else {
            Issue.record("the injected fault did not refuse the operation: \(injected)")
            return
        }

        for access in [StateStore.Access.readWrite, .readOnly] {
            let again = try location.open(access)
            var expected = before
            expected.serial = serial + 1  // the failNext event alone
            #expect(try again.backend.observe(at: Self.at(1)) == expected, "reopened \(access)")
            #expect(try again.journalEntries(applyID: nil) == journalBefore)
        }
        // The countdown was used up by the refused operation: the same one now succeeds.
        try location.open().backend.perform(.createVolume(VolumeSpec(name: "v2", pool: "p1", size: .gib(1))), at: Self.at(2), journal: nil)
        #expect(try location.open(.readOnly).backend.observe(at: Self.at(2)).volumes.map(\.name) == ["db", "v2"])
    }

    /// Names come from users (`flashplan sim snapshot` takes any): quotes, backslashes,
    /// control characters and non-ASCII text must come back as they went in, and a name
    /// one backend cannot store must be refused alike, not stored by one and not the other.
    @Test(arguments: Backend.allCases)
    func unusualNamesRoundTripAlike(_ backend: Backend) throws {
        let location = try backend.freshLocation()
        defer { location.remove() }
        let reference = try StateStore.inMemory()
        let store = try location.open()
        let volume = StorageOperation.createVolume(VolumeSpec(name: "v", pool: "p1", size: .gib(10)))
        try reference.backend.performAll(Self.topology + [volume], at: Self.start)
        try store.backend.performAll(Self.topology + [volume], at: Self.start)
        let names = ["it's \"quoted\" \\ back", "line\nbreak\ttab", "ünïcødé 🚀 名前", "%_ LIKE wildcards", "nul\u{0}byte"]
        for (index, name) in names.enumerated() {
            let steps: [Step] = [
                .operation(.createSnapshot(SnapshotSpec(volume: "v", name: name, label: name, hosts: ["h1"], tag: name, group: name))),
                .event(.createSnapshot(volume: "v", name: name + " by hand", label: name)),
            ]
            for step in steps {
                let now = Self.at(Double(index + 1))
                #expect(Self.run(step, on: store, at: now) == Self.run(step, on: reference, at: now), "\(name.debugDescription)")
            }
        }
        let end = Self.at(10)
        let expected = Self.comparable(try reference.backend.observe(at: end))
        #expect(Self.comparable(try store.backend.observe(at: end)) == expected)
        #expect(Self.comparable(try location.open(.readOnly).backend.observe(at: end)) == expected)
        let stored = Set(expected.snapshots.map(\.name))
        #expect(names.dropLast().allSatisfy { stored.contains($0) && stored.contains($0 + " by hand") })
        // A NUL would be cut off by SQLite (and a name holding one would then act on another
        // object): both backends refuse it alike, storing nothing.
        #expect(stored.contains("nul\u{0}byte") || !stored.contains("nul"))
    }

    // MARK: - Schema versions

    @Test(arguments: Backend.allCases)
    func aNewerSchemaIsRefusedAndLeftUntouched(_ backend: Backend) throws {
        let location = try backend.freshLocation()
        defer { location.remove() }
        do {
            let store = try location.open()
            try store.backend.performAll(Self.topology, at: Self.start)
        }
        try location.addUnknownMigration("v99-from-the-future")
        let fingerprint = try location.fingerprint()
        for access in [StateStore.Access.readOnly, .readWrite] {
            do {
                _ = try location.open(access)
                Issue.record("a state of a newer schema was opened \(access)")
            } catch let error as StateFileError {
                #expect(error.problem == .newerSchema, "\(error)")
                #expect(error.what.contains("v99-from-the-future"), "\(error)")
            }
            #expect(try location.fingerprint() == fingerprint, "changed by a refused \(access) open")
        }
    }

    @Test(arguments: Backend.allCases)
    func anOlderSchemaIsRefusedReadOnlyAndUpgradedOnWrite(_ backend: Backend) throws {
        let location = try backend.freshLocation()
        defer { location.remove() }
        let observed: ObservedState
        do {
            let store = try location.open()
            try store.backend.performAll(Self.topology, at: Self.start)
            try store.beginApply(id: "old", operation: "apply", now: Self.at(1))
            try store.backend.perform(
                .createVolume(VolumeSpec(name: "db", pool: "p1", size: .gib(10))), at: Self.at(1),
                journal: JournalEntry(applyID: "old", actionID: "1", address: "volume.db", outcome: .applied, at: Self.at(1)))
            try store.finishApply(id: "old", outcome: "done", now: Self.at(1))
            observed = try store.backend.observe(at: Self.at(2))
        }
        try location.downgradeApplyWho()
        let fingerprint = try location.fingerprint()
        do {
            _ = try location.open(.readOnly)
            Issue.record("a state of an older schema was opened read-only")
        } catch let error as StateFileError {
            #expect(error.problem == .olderSchema, "\(error)")
            #expect(error.what.contains("v4-apply-who"), "\(error)")
        }
        #expect(try location.fingerprint() == fingerprint, "changed by a refused read-only open")

        do {
            let store = try location.open()
            #expect(try store.backend.observe(at: Self.at(2)) == observed)
            #expect(try store.applyRuns(since: nil).map { [$0.id, $0.outcome ?? "-", $0.who ?? "nobody"] } == [["old", "done", "nobody"]])
            // The restored column takes writes (for PostgreSQL: the row carried there has it).
            try store.beginApply(id: "new", operation: "apply", now: Self.at(3))
        }
        #expect(try location.migrations() == ["v1-bookkeeping", "v1-storage", "v2-content", "v3-applied-size", "v4-apply-who"])
        let reader = try location.open(.readOnly)
        #expect(try reader.applyRuns(since: nil).map(\.id) == ["old", "new"])
        #expect(try reader.applyRuns(since: nil).last?.who?.contains("@") == true)
        #expect(try reader.journalEntries(applyID: "old").map(\.address) == ["volume.db"])
    }

    // MARK: - Random histories

    /// A seeded generator (SplitMix64): a failing history is replayed by its seed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A random step. Names are mostly drawn from what `known` (the SQLite state before
    /// the step) holds, so that most steps act on objects that exist; the rest come from a
    /// small fixed set, so that refusals (which must agree too) happen as well.
    static func randomStep(_ random: inout SeededGenerator, now: Date, known: ObservedState) -> Step {
        let pools = ["p1", "p2", "p3"]
        let arrays = ["fs1", "fs2", "fs3"]
        let hosts = ["h1", "h2"]
        func pick(_ names: [String]) -> String { names.randomElement(using: &random)! }
        func likely(_ existing: [String], _ others: [String]) -> String {
            !existing.isEmpty && Int.random(in: 0..<100, using: &random) < 85 ? pick(existing) : pick(others)
        }
        func volume() -> String { likely(known.volumes.map(\.name), ["v0", "v1", "v2", "v3", "v4", "v5"]) }
        func snapshot() -> (volume: String, name: String) {
            if !known.snapshots.isEmpty, Int.random(in: 0..<100, using: &random) < 85 {
                let snapshot = known.snapshots.randomElement(using: &random)!
                return (snapshot.volume, snapshot.name)
            }
            return (volume(), pick(["s0", "s1", "s2", "s3"]))
        }
        func newSnapshot() -> String { "s\(Int.random(in: 0..<12, using: &random))" }
        func destination() -> String { likely(known.relationships.map(\.destination), known.volumes.map(\.name) + ["v0"]) }
        func clone() -> String { likely(known.clones.map(\.name), ["c0", "c1"]) }
        let sizes: [ByteCount] = [.gib(10), .gib(100), .gib(500), .tib(1), .tb(3)]
        // Few volumes: mostly create more, or nearly every other step would be refused.
        let roll = known.volumes.count < 3 && Bool.random(using: &random) ? 0 : Int.random(in: 0..<100, using: &random)
        switch roll {
        case 0..<12:
            return .operation(.createVolume(VolumeSpec(
                name: pick(["v0", "v1", "v2", "v3", "v4", "v5"]), pool: pick(pools), size: sizes.randomElement(using: &random)!,
                accessProtocol: Int.random(in: 0..<8, using: &random) == 0 ? .smb : .fc,
                thin: Bool.random(using: &random), compressed: Bool.random(using: &random),
                mirrorPool: Int.random(in: 0..<4, using: &random) == 0 ? pick(pools) : nil,
                changeRate: Percentage(Double(Int.random(in: 1...20, using: &random))))))
        case 12..<30:
            let immutable = Int.random(in: 0..<5, using: &random) == 0 ? now.addingTimeInterval(Double(Int.random(in: 1...48, using: &random)) * 3600) : nil
            return .operation(.createSnapshot(SnapshotSpec(
                volume: volume(), name: newSnapshot(), label: pick(["daily", "hourly"]), hosts: [pick(hosts)],
                tag: Bool.random(using: &random) ? "t" : nil, group: Bool.random(using: &random) ? "g" : nil, immutableUntil: immutable)))
        case 30..<37:
            let target = snapshot()
            return .operation(.deleteSnapshot(volume: target.volume, name: target.name))
        case 37..<39:
            let target = snapshot()
            return .operation(.renameSnapshot(volume: target.volume, name: target.name, newName: newSnapshot()))
        case 39..<41:
            let target = snapshot()
            return .operation(.restoreSnapshot(volume: target.volume, name: target.name))
        case 41..<43: return .operation(.destroyVolume(name: volume()))
        case 43..<46: return .operation(.resizeVolume(name: volume(), size: sizes.randomElement(using: &random)!))
        case 46..<48: return .operation(.migrateVolume(name: volume(), toPool: pick(pools)))
        case 48..<50: return .operation(.mapHost(volume: volume(), host: pick(hosts)))
        case 50..<51: return .operation(.unmapHost(volume: volume(), host: pick(hosts)))
        case 51..<55:
            // Mostly a pair that can replicate: a destination other than the source, at least as large.
            let source = volume()
            let size = known.volumes.first { $0.name == source }?.size ?? .zero
            let fitting = known.volumes.filter { $0.name != source && !(size > $0.size) }.map(\.name)
            return .operation(.createRelationship(
                source: source, destination: likely(fitting, ["v0", "v1", "v2", "v3", "v4", "v5"]), type: Bool.random(using: &random) ? .mirror : .vault,
                mode: Bool.random(using: &random) ? .async : .sync, group: Bool.random(using: &random) ? "g" : nil))
        case 55..<58: return .operation(.initializeRelationship(destination: destination()))
        case 58..<63:
            let source = known.relationships.randomElement(using: &random)
            let transfer = known.snapshots.filter { $0.volume == source?.source }.map(\.name)
            let dropped = known.snapshots.filter { $0.volume == source?.destination }.map(\.name)
            return .operation(.updateRelationship(
                destination: source?.destination ?? destination(), transfer: transfer.isEmpty ? [newSnapshot()] : [pick(transfer)],
                drop: !dropped.isEmpty && Bool.random(using: &random) ? [pick(dropped)] : []))
        case 63..<64: return .operation(.resyncRelationship(destination: destination()))
        case 64..<68:
            let target = snapshot()
            return .operation(.createClone(
                name: pick(["c0", "c1", "c2"]), volume: target.volume, snapshot: target.name, host: Bool.random(using: &random) ? pick(hosts) : nil))
        case 68..<70: return .operation(.deleteClone(name: clone()))
        case 70..<71: return .operation(.addMirrorCopy(volume: volume(), pool: pick(pools)))
        case 71..<72: return .operation(.removeMirrorCopy(volume: volume()))
        case 72..<73:
            return .operation(.modifyPool(
                name: pick(pools), warningThreshold: Percentage(Double(Int.random(in: 50...90, using: &random))),
                maxOvercommit: Percentage(Double(Int.random(in: 100...400, using: &random))), easyTier: Bool.random(using: &random)))
        case 73..<74: return .operation(.addPoolCapacity(pool: pick(pools), array: pick(arrays), capacity: .tb(1)))
        case 74..<76: return .event(.arrayOffline(array: pick(arrays)))
        case 76..<80: return .event(.arrayOnline(array: pick(arrays)))
        case 80..<81: return .event(.moduleFailure(array: pick(arrays)))
        case 81..<83:
            let target = snapshot()
            return .event(.deleteSnapshot(volume: target.volume, name: target.name))
        case 83..<85: return .event(.createSnapshot(volume: volume(), name: newSnapshot(), label: "manual"))
        case 85..<86: return .event(.resizeVolume(volume: volume(), size: sizes.randomElement(using: &random)!))
        case 86..<88: return .event(.breakRelationship(destination: destination()))
        case 88..<90: return .event(.fillPool(pool: pick(pools), percent: Percentage(Double(Int.random(in: 0...95, using: &random)))))
        case 90..<92: return .event(.failNext(count: Int.random(in: 1...2, using: &random), array: pick(arrays)))
        default: return .event(.writeVolume(volume: volume()))
        }
    }

    /// Histories and their length: `FLASHPLAN_CONFORMANCE_HISTORIES` runs more (the default
    /// keeps the suite well inside CI's time).
    static let histories = Int(ProcessInfo.processInfo.environment["FLASHPLAN_CONFORMANCE_HISTORIES"] ?? "") ?? 30
    static let historyLength = 40

    @Test func randomHistoriesLeaveBothBackendsInTheSameState() throws {
        for seed in 0..<UInt64(Self.histories) {
            try checkHistory(seed: seed)
        }
    }

    func checkHistory(seed: UInt64) throws {
        // PostgreSQL first: without a server the test is cancelled before any file is made.
        let postgres = try Backend.postgres.freshLocation()
        let file = try Backend.sqlite.freshLocation()
        defer {
            file.remove()
            postgres.remove()
        }
        let sqlite = try file.open()
        let first = try postgres.open()
        try sqlite.backend.performAll(Self.topology, at: Self.start)
        try first.backend.performAll(Self.topology, at: Self.start)
        // Opened before the history: its copy holds only the topology until it next writes.
        let second = try postgres.open()

        var random = SeededGenerator(state: seed)
        var now = Self.start
        let applyID = "h\(seed)"
        try sqlite.beginApply(id: applyID, operation: "apply", now: now)
        try first.beginApply(id: applyID, operation: "apply", now: now)
        var steps: [String] = []
        for index in 0..<Self.historyLength {
            now = now.addingTimeInterval(Double(Int.random(in: 0...360, using: &random)) * 60)
            let step = Self.randomStep(&random, now: now, known: try sqlite.backend.observe(at: now))
            steps.append("\(now.timeIntervalSince(Self.start) / 3600)h \(step)")
            let journal = Bool.random(using: &random)
                ? JournalEntry(applyID: applyID, actionID: "\(index)", address: "step.\(index)", outcome: .applied, at: now) : nil
            let expected = Self.run(step, on: sqlite, at: now, journal: journal)
            let outcome = Self.run(step, on: first, at: now, journal: journal)
            guard outcome == expected else {
                Issue.record("seed \(seed), step \(index) \(step): SQLite \(expected), PostgreSQL \(outcome); history:\n\(steps.joined(separator: "\n"))")
                return
            }
        }
        try sqlite.finishApply(id: applyID, outcome: "done", now: now)
        try first.finishApply(id: applyID, outcome: "done", now: now)
        let end = now.addingTimeInterval(3600)
        let expected = Self.comparable(try sqlite.backend.observe(at: end))
        let context = "seed \(seed); history:\n\(steps.joined(separator: "\n"))"
        #expect(Self.comparable(try first.backend.observe(at: end)) == expected, "the writer: \(context)")
        #expect(try first.journalEntries(applyID: nil) == (try sqlite.journalEntries(applyID: nil)), "\(context)")
        #expect(try first.applies() == (try sqlite.applies()), "\(context)")
        // Reloaded from PostgreSQL, not from the writer's copy.
        let reloaded = try postgres.open(.readOnly)
        #expect(Self.comparable(try reloaded.backend.observe(at: end)) == expected, "reloaded: \(context)")
        #expect(try reloaded.journalEntries(applyID: nil) == (try sqlite.journalEntries(applyID: nil)), "reloaded: \(context)")
        #expect(try reloaded.applyRuns(since: nil) == (try sqlite.applyRuns(since: nil)), "reloaded: \(context)")

        // The second writer catches up through flashplan_change before its own write.
        try sqlite.backend.perform(.createHost(name: "late", site: nil), at: end, journal: nil)
        try second.backend.perform(.createHost(name: "late", site: nil), at: end, journal: nil)
        let caughtUp = Self.comparable(try sqlite.backend.observe(at: end))
        #expect(Self.comparable(try second.backend.observe(at: end)) == caughtUp, "the second writer: \(context)")
        #expect(try second.journalEntries(applyID: nil) == (try sqlite.journalEntries(applyID: nil)), "\(context)")
        #expect(Self.comparable(try first.backend.observe(at: end)) == caughtUp, "the first writer after the second: \(context)")
    }
}
