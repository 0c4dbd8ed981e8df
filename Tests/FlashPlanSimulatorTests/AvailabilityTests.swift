import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

/// Offline arrays, module failures and volume mirroring.
@Suite struct AvailabilityTests {
    @Test func aMirroredVolumeSurvivesOneOfItsArraysGoingOffline() throws {
        let sim = try SimFixture()
        try sim.volume("db", pool: "p1", mirror: "p2", hours: -24)
        try sim.volume("plain", pool: "p1", hours: -24)
        try sim.perform(.mapHost(volume: "db", host: "h1"), hours: -24)
        try sim.backend.inject(.arrayOffline(array: "fs1"), at: sim.at(0))

        let state = try sim.observe()
        #expect(state.arrays.first { $0.name == "fs1" }?.status == .offline)
        let db = try #require(state.volumes.first { $0.name == "db" })
        #expect(db.online && !db.copiesInSync)
        #expect(state.volumes.first { $0.name == "plain" }?.online == false)

        // The surviving copy serves snapshots and mappings.
        try sim.snapshot("db", "during-outage", hours: 1)
        try sim.perform(.unmapHost(volume: "db", host: "h1"), hours: 1)
        // A clone lives in the pool of its snapshot's volume: not while that pool is down.
        expectRefusal(.offline, "pool 'p1' is offline: it takes capacity from array 'fs1', which is offline") {
            try sim.perform(.createClone(name: "c_db", volume: "db", snapshot: "during-outage", host: nil), hours: 1)
        }
        // Changing the volume itself needs both copies.
        expectRefusal(.offline, "cannot resize volume 'db': its copy in pool 'p1' is on array 'fs1', which is offline") {
            try sim.perform(.resizeVolume(name: "db", size: .gib(200)), hours: 1)
        }
        // A volume without a mirror copy is down with its array.
        expectRefusal(.offline, "volume 'plain' is offline: its pool 'p1' takes capacity from array 'fs1', which is offline") {
            try sim.snapshot("plain", "s1", hours: 1)
        }
        expectRefusal(.offline, "pool 'p1' is offline: it takes capacity from array 'fs1', which is offline") {
            try sim.volume("new", pool: "p1", hours: 1)
        }

        // Back online at +2h: the copies resync for ten minutes.
        try sim.backend.inject(.arrayOnline(array: "fs1"), at: sim.at(2))
        #expect(try sim.volumeState("db", hours: 2).copiesInSync == false)
        #expect(try sim.volumeState("db", hours: 2 + 9.0 / 60).copiesInSync == false)
        #expect(try sim.volumeState("db", hours: 2 + 10.0 / 60).copiesInSync == true)
        #expect(try sim.volumeState("plain", hours: 2).online)
        try sim.snapshot("plain", "s1", hours: 2)
        // A volume created after the outage had nothing to resync.
        try sim.volume("later", pool: "p1", mirror: "p2", hours: 2.05)
        #expect(try sim.volumeState("later", hours: 2.05).copiesInSync)
    }

    @Test func bothCopiesOfflineTakesTheVolumeOffline() throws {
        let sim = try SimFixture()
        try sim.volume("db", pool: "p1", mirror: "p2")
        try sim.backend.inject(.arrayOffline(array: "fs1"), at: sim.at(0))
        try sim.backend.inject(.arrayOffline(array: "fs2"), at: sim.at(0))
        #expect(try sim.volumeState("db").online == false)
        expectRefusal(.offline, "volume 'db' is offline: its pool 'p1' takes capacity from array 'fs1', which is offline and so is its mirror copy") {
            try sim.snapshot("db", "s1")
        }
        expectRefusal(.refused, "array 'fs1' is already offline") {
            try sim.backend.inject(.arrayOffline(array: "fs1"), at: sim.at(0))
        }
    }

    @Test func aMirrorCopyOnADeadArrayCanBeRemoved() throws {
        let sim = try SimFixture()
        try sim.volume("db", pool: "p1", mirror: "p2")
        try sim.backend.inject(.arrayOffline(array: "fs2"), at: sim.at(0))
        try sim.perform(.removeMirrorCopy(volume: "db"))
        let db = try sim.volumeState("db")
        #expect(db.mirrorPool == nil && db.online && db.copiesInSync)
    }

    @Test func a720SurvivesAModuleFailureDegradedA710GoesOffline() throws {
        let sim = try SimFixture()
        try sim.volume("on720", pool: "p1")
        try sim.volume("on710", pool: "p3")
        try sim.backend.inject(.moduleFailure(array: "fs1"), at: sim.at(0))
        try sim.backend.inject(.moduleFailure(array: "fs3"), at: sim.at(0))
        var state = try sim.observe()
        #expect(state.arrays.first { $0.name == "fs1" }?.status == .degraded)
        #expect(state.arrays.first { $0.name == "fs3" }?.status == .offline)
        try sim.snapshot("on720", "s1")
        expectRefusal(.offline, "volume 'on710' is offline: its pool 'p3' takes capacity from array 'fs3', which is offline") {
            try sim.snapshot("on710", "s1")
        }
        // The hot spare is used: a second module failure takes the 720 offline.
        try sim.backend.inject(.moduleFailure(array: "fs1"), at: sim.at(1))
        state = try sim.observe(hours: 1)
        #expect(state.arrays.first { $0.name == "fs1" }?.status == .offline)
        try sim.backend.inject(.arrayOnline(array: "fs1"), at: sim.at(2))
        #expect(try sim.observe(hours: 2).arrays.first { $0.name == "fs1" }?.status == .online)
        expectRefusal(.refused, "array 'fs1' is already online") {
            try sim.backend.inject(.arrayOnline(array: "fs1"), at: sim.at(2))
        }
    }

    @Test func anOfflineArrayGivesNoCapacity() throws {
        let sim = try SimFixture()
        try sim.backend.inject(.arrayOffline(array: "fs4"), at: sim.at(0))
        expectRefusal(.offline, "array 'fs4' is offline: it cannot give capacity to pool 'q'") {
            try sim.perform(SimFixture.pool("q", ("fs4", .tb(1))))
        }
        // Pool settings are SVC metadata: still changeable.
        try sim.perform(.modifyPool(name: "p4", warningThreshold: Percentage(90), maxOvercommit: Percentage(200), easyTier: false))
    }

    @Test func failNextInjectsFaultsOnOneArrayOnly() throws {
        let sim = try SimFixture()
        try sim.volume("a", pool: "p1")
        try sim.volume("b", pool: "p2")
        try sim.backend.inject(.failNext(count: 2, array: "fs1"), at: sim.at(0))
        let journal = JournalEntry(applyID: "x", actionID: "1", address: "snapshot.a/s1", outcome: .applied, at: sim.at(0))
        do {
            try sim.backend.perform(.createSnapshot(SnapshotSpec(volume: "a", name: "s1", label: "daily")), at: sim.at(0), journal: journal)
            Issue.record("expected an injected failure")
        } catch let error as BackendError {
            #expect(error.kind == .injectedFailure)
            #expect(error.message == "array 'fs1' failed the operation (injected with `flashplan sim fail-next`; 1 more to fail)")
        }
        try sim.snapshot("b", "s1")  // another array: unaffected
        expectRefusal(.injectedFailure, "array 'fs1' failed the operation (injected with `flashplan sim fail-next`; 0 more to fail)") {
            try sim.snapshot("a", "s1")
        }
        try sim.snapshot("a", "s1")
        #expect(try sim.observe().snapshots.map(\.volume) == ["a", "b"])
        #expect(try sim.store.journalEntries().isEmpty)
    }
}
