import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

@Suite struct ObserveTests {
    let now = SimFixture.start

    @Test func seedFleetBuildsASortedConsistentFleet() throws {
        let store = try StateStore.inMemory()
        try store.backend.seedFleet(volumes: 1_500, groups: 7, snapshotsPerVolume: 4, now: now)
        let state = try store.backend.observe(at: now)
        #expect(state.arrays.map(\.name) == ["fs000", "fs001"])
        #expect(state.pools.map(\.name) == ["pool000", "pool001"])
        #expect(state.hosts.count == 7 && state.volumes.count == 1_500 && state.snapshots.count == 6_000)
        #expect(state.pools[0].virtualCapacity == ByteCount(bytes: SimulatorBackend.Fleet.volumeSize.bytes * 1_000))
        #expect(state.pools[0].usedCapacity < state.pools[0].physicalCapacity)
        let first = state.snapshots[0]
        #expect(first == ObservedSnapshot(volume: "vol00000", name: "rg0000_host0000_11-21-2026_06.00.00", label: "hourly", created: now.addingTimeInterval(-4 * 3600), hosts: ["host0000"], group: "rg0000"))
        #expect(state.volumes[8].hosts == ["host0001"])
        // Sorted by volume, then created, then name.
        let keys = state.snapshots.map { ($0.volume, $0.created, $0.name) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 })
        #expect(try store.consistencyProblems().isEmpty)
        #expect(throws: BackendError(.refused, "seedFleet needs an empty state; this one already holds arrays")) {
            try store.backend.seedFleet(volumes: 1, groups: 1, snapshotsPerVolume: 1, now: now)
        }
        // The seeded fleet takes ordinary operations.
        try store.backend.perform(.createSnapshot(SnapshotSpec(volume: "vol00003", name: "extra", label: "daily")), at: now, journal: nil)
        try store.backend.perform(.deleteSnapshot(volume: "vol00003", name: "rg0003_host0003_11-21-2026_06.00.00"), at: now, journal: nil)
        #expect(try store.consistencyProblems().isEmpty)
    }

    /// Snapshots of a large state are read in batches by one thread and assembled by
    /// another; many batches (here 5,000 volumes × 11, over `SnapshotAssembler.threadedFrom`)
    /// must come out whole, in order, each row with its own columns: every seeded name
    /// spells its group, host and time, so a row joined to another's name, label or hosts
    /// shows. (Smaller states, as in every other test, are assembled on the reader's thread.)
    @Test func snapshotsReadInManyBatchesKeepEveryRowWhole() throws {
        let store = try StateStore.inMemory()
        try store.backend.seedFleet(volumes: 5_000, groups: 13, snapshotsPerVolume: 11, now: now)
        // Backups with every optional column set, between batches and at the very end.
        let marked = ["vol01000", "vol04999"]
        for volume in marked {
            try store.backend.perform(
                .createSnapshot(
                    SnapshotSpec(
                        volume: volume, name: "zz_\(volume)_marked", label: "daily", hosts: ["h1", "h2"], tag: "t-\(volume)",
                        group: "g", immutableUntil: now.addingTimeInterval(86_400))), at: now, journal: nil)
        }
        let state = try store.backend.observe(at: now)
        #expect(state.snapshots.count == 5_000 * 11 + marked.count)
        #expect(state.snapshots.count >= 50_000, "over SnapshotAssembler.threadedFrom")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "MM-dd-yyyy_HH.mm.ss"
        var perVolume: [String: Int] = [:]
        for snapshot in state.snapshots {
            perVolume[snapshot.volume, default: 0] += 1
            if snapshot.name.hasPrefix("zz_") {
                #expect(
                    snapshot == ObservedSnapshot(
                        volume: snapshot.volume, name: "zz_\(snapshot.volume)_marked", label: "daily", created: now, hosts: ["h1", "h2"],
                        tag: "t-\(snapshot.volume)", group: "g", immutableUntil: now.addingTimeInterval(86_400)))
                continue
            }
            let index = Int(snapshot.volume.dropFirst(3))!
            let group = SimulatorBackend.Fleet.group(index % 13), host = SimulatorBackend.Fleet.host(index % 13)
            #expect(snapshot.name == "\(group)_\(host)_\(formatter.string(from: snapshot.created))", "\(snapshot)")
            #expect(snapshot.group == group && snapshot.hosts == [host] && snapshot.label == "hourly" && snapshot.tag == nil)
            #expect(snapshot.immutableUntil == nil)
        }
        #expect(perVolume.count == 5_000)
        #expect(perVolume.values.allSatisfy { $0 == 11 || $0 == 12 })
        let keys = state.snapshots.map { ($0.volume, $0.created, $0.name) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func stateListJSONHasTheDocumentedShape() throws {
        let sim = try SimFixture()
        try sim.volume("db", mirror: "p2")
        try sim.volume("db_p4", pool: "p4")
        try sim.perform(.createSnapshot(SnapshotSpec(volume: "db", name: "s1", label: "daily", hosts: ["h1"], tag: "t", group: "g", immutableUntil: sim.at(24))))
        try sim.perform(.createRelationship(source: "db", destination: "db_p4", type: .vault, mode: .async, group: "g"))
        try sim.perform(.createClone(name: "c_db", volume: "db", snapshot: "s1", host: nil))
        let json = try StateInspector.list(try sim.observe(), format: .json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["lineage", "serial", "arrays", "clusters", "pools", "hosts", "volumes", "snapshots", "relationships", "clones"])
        let snapshot = try #require((object["snapshots"] as? [[String: Any]])?.first)
        #expect(snapshot["volume"] as? String == "db")
        #expect(snapshot["created"] as? String == "2026-11-21T10:00:00Z")
        #expect(snapshot["immutable_until"] as? String == "2026-11-22T10:00:00Z")
        #expect(snapshot["hosts"] as? [String] == ["h1"])
        let relationship = try #require((object["relationships"] as? [[String: Any]])?.first)
        #expect(relationship["source"] as? String == "db" && relationship["destination"] as? String == "db_p4")
        #expect(relationship["state"] as? String == "uninitialized" && relationship["type"] as? String == "vault")
        let clone = try #require((object["clones"] as? [[String: Any]])?.first)
        #expect(clone["parent_snapshot"] as? String == "s1" && clone["pool"] as? String == "p1" && clone["volume"] as? String == "db")
        // It decodes back to the same state.
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(ObservedState.self, from: Data(json.utf8)) == (try sim.observe()).withoutBookkeeping)
    }

    @Test func stateShowFindsEachKindOfAddress() throws {
        let sim = try SimFixture()
        try sim.volume("db")
        try sim.snapshot("db", "s1")
        let state = try sim.observe()
        for text in ["array.fs1", "cluster.svc1", "pool.p1", "host.h1", "volume.db", "snapshot.db/s1"] {
            let address = try Address(parsing: text)
            #expect(address.description == text)
            let shown = try StateInspector.show(address, in: state, format: .text)
            #expect(shown.hasPrefix(text + "\n"))
        }
        let volume = try StateInspector.show(.volume("db"), in: state, format: .text)
        #expect(volume.contains("  snapshots        1\n"))
        #expect(volume.contains("  created          2026-11-21T10:00:00Z\n"))
        #expect(try StateInspector.show(.array("fs1"), in: state, format: .text).contains("capacity  12 TB (10.91TiB)"))
        #expect(throws: StateInspector.NotFound(message: "volume.nope is not in the state (serial 0)")) {
            try StateInspector.show(.volume("nope"), in: state, format: .text)
        }
        #expect(throws: Address.ParseError.self) { try Address(parsing: "snapshot.db") }
        #expect(throws: Address.ParseError.self) { try Address(parsing: "lun.x") }
        #expect(try Address(parsing: "volume.db.01") == .volume("db.01"))
        #expect(try Address(parsing: "volume.db.01/h1") == .mapping(volume: "db.01", host: "h1"))
    }
}

@Suite struct ShowTests {
    @Test func relationshipsAndClonesShowTheirFields() throws {
        let sim = try SimFixture()
        try sim.volume("db")
        try sim.volume("db_p2", pool: "p2")
        try sim.snapshot("db", "s1")
        try sim.perform(.createRelationship(source: "db", destination: "db_p2", type: .vault, mode: .async, group: "g"))
        try sim.perform(.initializeRelationship(destination: "db_p2"), hours: 1)
        try sim.perform(.createClone(name: "dev_db", volume: "db", snapshot: "s1", host: "h1"))
        let state = try sim.observe(hours: 1)
        #expect(try StateInspector.show(.relationship(destination: "db_p2"), in: state, format: .text) == """
            relationship.db_p2
              source              db
              destination         db_p2
              type                vault
              mode                async
              state               idle
              last_transfer       2026-11-21T11:00:00Z
              group               g
              stopped_by_restore  -

            """)
        #expect(try StateInspector.show(.clone("dev_db"), in: state, format: .text) == """
            clone.dev_db
              name             dev_db
              volume           db
              pool             p1
              parent_snapshot  s1
              host             h1
              created          2026-11-21T10:00:00Z

            """)
        #expect(try StateInspector.show(.snapshot(volume: "db", name: "s1"), in: state, format: .text).contains("  clones           dev_db\n"))
        let json = try StateInspector.show(.relationship(destination: "db_p2"), in: state, format: .json)
        #expect(json.contains("\"last_transfer\" : \"2026-11-21T11:00:00Z\""))
    }
}

@Suite struct StateJSONTests {
    @Test func handWrittenSnapshotsDecodeLikeEncodedOnes() throws {
        let sim = try SimFixture()
        try sim.volume("v")
        try sim.perform(.createSnapshot(SnapshotSpec(volume: "v", name: "we\"ird\\name\t1", label: "dé\u{1}jà", hosts: ["a", "b\"c"], tag: "🙂", group: nil, immutableUntil: sim.at(2))))
        try sim.snapshot("v", "plain", hours: 1)
        let state = try sim.observe(hours: 1)
        let written = try StateInspector.list(state, format: .json)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(ObservedState.self, from: Data(written.utf8)) == state.withoutBookkeeping)
        let encoded = try StateInspector.encoder().encode(state)
        let viaEncoder = try #require(try JSONSerialization.jsonObject(with: encoded) as? NSDictionary)
        let viaHand = try #require(try JSONSerialization.jsonObject(with: Data(written.utf8)) as? NSDictionary)
        #expect(viaHand == viaEncoder)
    }
}

extension ObservedState {
    /// What `state list --format json` carries: flashplan's own bookkeeping (the last
    /// activity, the sizes it applied) is not part of it.
    var withoutBookkeeping: ObservedState {
        var copy = self
        copy.lastActivity = nil
        for index in copy.volumes.indices { copy.volumes[index].appliedSize = nil }
        return copy
    }
}
