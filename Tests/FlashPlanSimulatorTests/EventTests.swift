import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

/// Outside events (`flashplan sim …`): each goes through the simulator's rules and
/// advances the serial; a refused one changes nothing.
@Suite struct EventTests {
    @Test func eachEventAdvancesTheSerial() throws {
        let sim = try SimFixture()
        try sim.volume("db")
        try sim.volume("db_p2", pool: "p2")
        try sim.perform(.mapHost(volume: "db", host: "h1"))
        try sim.perform(.createRelationship(source: "db", destination: "db_p2", type: .mirror, mode: .async, group: nil))
        try sim.perform(.initializeRelationship(destination: "db_p2"))
        let events: [SimulatorEvent] = [
            .createSnapshot(volume: "db", name: "by-hand", label: "manual"),
            .deleteSnapshot(volume: "db", name: "by-hand"),
            .resizeVolume(volume: "db", size: .gib(150)),
            .breakRelationship(destination: "db_p2"),
            .fillPool(pool: "p1", percent: Percentage(60)),
            .failNext(count: 1, array: "fs1"),
            .moduleFailure(array: "fs4"),
            .arrayOffline(array: "fs2"),
            .arrayOnline(array: "fs2"),
        ]
        for (index, event) in events.enumerated() {
            #expect(try sim.backend.inject(event, at: sim.at(Double(index))) == index + 1, "\(event)")
        }
        let state = try sim.observe(hours: 10)
        #expect(state.serial == events.count)
        #expect(state.volumes.first { $0.name == "db" }?.size == .gib(150))
        #expect(state.relationships.first?.state == .broken)
        #expect(state.arrays.first { $0.name == "fs4" }?.status == .offline)  // an 810 has no hot spare
        #expect(try sim.store.consistencyProblems().isEmpty)
    }

    @Test func aSnapshotByHandIsValidForTheMappedHostsAndCountsTowardTheLimit() throws {
        let sim = try SimFixture()
        try sim.volume("db")
        try sim.perform(.mapHost(volume: "db", host: "h1"))
        try sim.backend.inject(.createSnapshot(volume: "db", name: "mine", label: "manual"), at: sim.at(1))
        let snapshot = try #require(try sim.observe(hours: 1).snapshots.first)
        #expect(snapshot == ObservedSnapshot(volume: "db", name: "mine", label: "manual", created: sim.at(1), hosts: ["h1"]))
        for index in 0..<254 { try sim.snapshot("db", "s\(index)", hours: 1) }
        expectRefusal(.limitExceeded, "volume 'db' already has 255 snapshots, the most a FlashSystem volume can hold; snapshot 'one-more' was not taken") {
            try sim.backend.inject(.createSnapshot(volume: "db", name: "one-more", label: "manual"), at: sim.at(2))
        }
        #expect(try sim.store.serial == 1)
    }

    @Test func refusedEvents() throws {
        let sim = try SimFixture()
        try sim.volume("db")
        expectRefusal(.notFound, "array 'fs9' does not exist") { try sim.backend.inject(.arrayOffline(array: "fs9"), at: sim.at(0)) }
        expectRefusal(.refused, "fill-pool takes a percentage from 0% to 100%, not 120%") {
            try sim.backend.inject(.fillPool(pool: "p1", percent: Percentage(120)), at: sim.at(0))
        }
        expectRefusal(.refused, "fail-next needs a count of 0 or more, not -1") {
            try sim.backend.inject(.failNext(count: -1, array: "fs1"), at: sim.at(0))
        }
        expectRefusal(.notFound, "relationship 'db' does not exist: no relationship has destination 'db'") {
            try sim.backend.inject(.breakRelationship(destination: "db"), at: sim.at(0))
        }
        try sim.backend.inject(.arrayOffline(array: "fs3"), at: sim.at(0))
        expectRefusal(.refused, "array 'fs3' is offline already") {
            try sim.backend.inject(.moduleFailure(array: "fs3"), at: sim.at(0))
        }
        // While an array is offline its volumes cannot be changed by hand either.
        try sim.volume("v2", pool: "p4")
        try sim.backend.inject(.arrayOffline(array: "fs4"), at: sim.at(0))
        expectRefusal(.offline, "cannot resize volume 'v2': its copy in pool 'p4' is on array 'fs4', which is offline") {
            try sim.backend.inject(.resizeVolume(volume: "v2", size: .gib(200)), at: sim.at(0))
        }
        #expect(try sim.store.serial == 2)
    }

    @Test func injectedFaultsCoverBothEndsOfARelationship() throws {
        let sim = try SimFixture()
        try sim.volume("db")
        try sim.volume("db_p2", pool: "p2")
        try sim.perform(.createRelationship(source: "db", destination: "db_p2", type: .vault, mode: .async, group: nil))
        try sim.backend.inject(.failNext(count: 1, array: "fs1"), at: sim.at(0))
        // The relationship is addressed by its destination (on fs2); its source is on fs1.
        expectRefusal(.injectedFailure, "array 'fs1' failed the operation (injected with `flashplan sim fail-next`; 0 more to fail)") {
            try sim.perform(.initializeRelationship(destination: "db_p2"))
        }
        try sim.perform(.initializeRelationship(destination: "db_p2"))
    }
}
