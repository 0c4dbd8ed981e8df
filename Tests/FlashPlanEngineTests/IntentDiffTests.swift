import FlashPlanConfig
import FlashPlanModel
import Foundation
import Testing

@testable import FlashPlanApp

/// `flashplan diff`'s semantic difference of intent: objects by section and name, fields
/// by their effective value, each change with where it is written.
struct IntentDiffTests {
    static func load(_ files: [String: String]) -> Configuration {
        let result = ConfigurationLoader.load(sources: files.sorted { $0.key < $1.key }.map { SourceFile(path: $0.key, text: $0.value) })
        #expect(!result.hasErrors, "fixture YAML is invalid: \(result.diagnostics.map(\.description))")
        return result.configuration
    }

    static let policies = """
        policies:
          daily-7:
            frequency: daily
            retention:
              days: 7
          weekly: {frequency: weekly, retention: {count: 4}}
        """

    static let group = """
        resource_groups:
          g:
            hosts: [h1, h2]
            volumes: [v1, v2]
            policies: [{policy: daily-7}, {policy: weekly, schedule: "Sun 03:00"}]
            replicate:
              - {to: dr, type: mirror}
              - {to: vault, type: vault, retention: {weekly: {count: 52}}}
        """

    static func base(policies: String = policies, group: String = group) -> [String: String] {
        ["estate.yaml": Estate.yaml(), "policies.yaml": policies, "groups.yaml": group]
    }

    @Test func loweredRetentionIsOneFieldChangeWithItsFileAndLine() throws {
        let proposed = Self.policies.replacingOccurrences(of: "days: 7", with: "days: 2")
        let changes = IntentDiff.compare(base: Self.load(Self.base()), proposed: Self.load(Self.base(policies: proposed)))
        #expect(changes.count == 1, "\(changes)")
        let change = try #require(changes.first)
        #expect(change.kind == .changed)
        #expect(change.object == "policies.daily-7")
        #expect(change.field == "retention.days")
        #expect(change.before == "7" && change.after == "2")
        #expect(change.text == "retention.days 7 → 2")
        #expect(change.location.file == "policies.yaml" && change.location.line == 5, "\(change.location)")
        #expect(change.side == "proposed")
    }

    @Test func addedAndRemovedObjectsPointAtTheirOwnSide() {
        let proposed = Self.policies.replacingOccurrences(of: "  weekly: {frequency: weekly, retention: {count: 4}}", with: "  weekly: {frequency: weekly, retention: {count: 4}}\n  monthly: {frequency: monthly, retention: {count: 12}}")
        var files = Self.base(policies: proposed)
        files["hosts.yaml"] = "hosts: {h3: {site: rome}}\n"
        var baseFiles = Self.base()
        baseFiles["old.yaml"] = "hosts: {legacy: {}}\n"
        let changes = IntentDiff.compare(base: Self.load(baseFiles), proposed: Self.load(files))
        let summary = changes.map { "\($0.symbol) \($0.object) \($0.location.file):\($0.location.line) \($0.side)" }
        #expect(summary == [
            "+ hosts.h3 hosts.yaml:1 proposed",
            "- hosts.legacy old.yaml:1 base",
            "+ policies.monthly policies.yaml:7 proposed",
        ], "\(summary)")
    }

    @Test func anObjectMovedToAnotherFileIsNoChange() {
        var moved = Self.base()
        moved["renamed/policies-new.yaml"] = moved.removeValue(forKey: "policies.yaml")
        let changes = IntentDiff.compare(base: Self.load(Self.base()), proposed: Self.load(moved))
        #expect(changes.isEmpty, "\(changes)")
    }

    @Test func reorderedListsAndKeysAndWrittenDefaultsAreNoChange() {
        let reordered = """
            resource_groups:
              g:
                replicate:
                  - {type: vault, to: vault, mode: async, retention: {weekly: {count: 52}}}
                  - {to: dr, type: mirror}
                policies: [{policy: weekly, schedule: "Sun 03:00"}, {policy: daily-7}]
                volumes: [v2, v1]
                hosts: [h1, h2]
            """
        let changes = IntentDiff.compare(base: Self.load(Self.base()), proposed: Self.load(Self.base(group: reordered)))
        #expect(changes.isEmpty, "\(changes)")
    }

    @Test func theFirstHostNamesBackupsSoItsChangeIsShown() {
        let swapped = Self.group.replacingOccurrences(of: "hosts: [h1, h2]", with: "hosts: [h2, h1]")
        let changes = IntentDiff.compare(base: Self.load(Self.base()), proposed: Self.load(Self.base(group: swapped)))
        #expect(changes.map(\.text) == ["hosts[0] h1 → h2"], "\(changes)")
    }

    @Test func listEntriesAreComparedByKeyAndFieldByField() {
        let proposed = Self.group
            .replacingOccurrences(of: "{to: dr, type: mirror}", with: "{to: dr, type: mirror, mode: sync}")
            .replacingOccurrences(of: "weekly: {count: 52}", with: "weekly: {days: 365}")
            .replacingOccurrences(of: "schedule: \"Sun 03:00\"", with: "schedule: \"Sat 03:00\"")
            .replacingOccurrences(of: "volumes: [v1, v2]", with: "volumes: [v1]")
        let changes = IntentDiff.compare(base: Self.load(Self.base()), proposed: Self.load(Self.base(group: proposed)))
        #expect(changes.map(\.text) == [
            "policies[policy=weekly].schedule Sun 03:00 → Sat 03:00",
            "replicate[to=dr].mode async → sync",
            "replicate[to=vault].retention.weekly.count 52 → (not set)",
            "replicate[to=vault].retention.weekly.days (not set) → 365",
            "volumes [v1, v2] → [v1]",
        ], "\(changes.map(\.text))")
        #expect(changes.allSatisfy { $0.object == "resource_groups.g" && $0.location.file == "groups.yaml" && $0.location.line > 0 })
    }

    @Test func anEntryAddedOrRemovedIsOneChangeNotOnePerField() {
        let proposed = Self.group.replacingOccurrences(of: "      - {to: vault, type: vault, retention: {weekly: {count: 52}}}", with: "")
        let changes = IntentDiff.compare(base: Self.load(Self.base()), proposed: Self.load(Self.base(group: proposed)))
        #expect(changes.count == 1, "\(changes)")
        #expect(changes.first?.field == "replicate[to=vault]")
        #expect(changes.first?.after == nil)
        #expect(changes.first?.side == "base", "a removed entry points at the base files")
    }
}
