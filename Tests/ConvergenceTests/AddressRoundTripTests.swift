import FlashPlanConfig
import FlashPlanEngine
import FlashPlanApp
import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

/// One vocabulary (DESIGN §1): every address a plan prints parses back to itself and is
/// found by `state show` — a deletion's in the state before the apply, anything else's
/// in the state after it.
@Suite("Addresses round-trip through state show")
struct AddressRoundTripTests {
    static var policies: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("policies").path
    }

    static func removes(_ kind: ActionKind) -> Bool {
        [.prune, .destroyVolume, .deleteClone, .unmapHost, .removeMirrorCopy].contains(kind)
    }

    @Test func everyAddressOfTheShippedPoliciesPlansIsShown() async throws {
        let loaded = try ConfigurationLoader.load(directory: Self.policies)
        let errors = loaded.diagnostics.filter { $0.severity == .error }.map(\.description)
        try #require(errors.isEmpty, "\(errors)")
        var h = try Harness("settings: {timezone: UTC}")
        h.configuration = loaded.configuration
        var now = Harness.date("2026-11-20T00:30:00Z")
        var kinds: Set<ActionKind> = []
        for _ in 0..<(24 * 9) {
            let before = try h.observe(now)
            let (plan, _) = try await h.apply(now)
            let after = try h.observe(now)
            for action in plan.actions {
                kinds.insert(action.kind)
                let text = action.address.description
                #expect(try Address(parsing: text) == action.address, "\(text)")
                #expect(ActionID(parsing: action.id.description) == action.id)
                let state = Self.removes(action.kind) ? before : after
                #expect(throws: Never.self, "\(action.id)") { _ = try StateInspector.show(action.address, in: state, format: .text) }
            }
            for item in plan.drift {
                guard let address = item.address else { continue }
                #expect(throws: Never.self, "\(address)") { _ = try StateInspector.show(address, in: before, format: .text) }
            }
            now = now.adding(hours: 1)
        }
        // The walk covered provisioning, backups, pruning and replication.
        #expect(kinds.isSuperset(of: [.createVolume, .createPool, .mapHost, .snapshot, .prune, .createRelationship, .transfer]), "\(kinds)")
    }
}
