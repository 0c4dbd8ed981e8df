import FlashPlanModel
import Foundation
import Testing

@testable import FlashPlanEngine
@testable import FlashPlanApp

/// One situation that makes a rule of the plan stage fire: a configuration (the planner
/// tests' estate plus `rest`), the storage state once that configuration is provisioned,
/// changed by `observed` (which removes what the plan is to create), and the plan options.
struct PlannerRuleCase: Sendable, CustomTestStringConvertible {
    var rule: Rule
    var title: String
    var volumes = Estate.volumes
    var rest = ""
    var observed: @Sendable (inout ObservedState) -> Void = { _ in }
    /// Changes the loaded configuration (for what no YAML can express).
    var configure: @Sendable (inout Configuration) -> Void = { _ in }
    var options = PlanOptions()
    /// Text the message of the first diagnostic of `rule` must contain.
    var message: String

    var testDescription: String { "\(rule): \(title)" }
}

/// The record of which case makes each planner rule fire; `RuleCoverage` below checks it
/// against the catalogue. The planner's own tests go deeper into each behaviour; these
/// cases are the smallest that show a rule is reachable with its catalogued severity.
enum PlannerRuleCases {
    static let handMadeSnapshots = 255

    static let all: [PlannerRuleCase] = [
        PlannerRuleCase(
            rule: .arrayDiffers, title: "installed array has another capacity",
            observed: { $0.arrays[$0.arrays.firstIndex { $0.name == "a1" }!].capacity = .tb(48) },
            message: "array 'a1' is a FlashSystem 820 of"),
        PlannerRuleCase(
            rule: .poolShrink, title: "pool has more from an array than declared",
            observed: { $0.pools[$0.pools.firstIndex { $0.name == "gold" }!].capacityFrom[0].capacity = .tb(12) },
            message: "removing pool capacity is not supported"),
        PlannerRuleCase(
            rule: .volumeShrink, title: "volume is larger than declared",
            observed: { $0.volumes[$0.volumes.firstIndex { $0.name == "v1" }!].size = .gib(200) },
            message: "volume 'v1' is 200GiB; shrinking it"),
        PlannerRuleCase(
            rule: .volumePropertyFixed, title: "volume has another protocol than declared",
            observed: { $0.volumes[$0.volumes.firstIndex { $0.name == "v1" }!].accessProtocol = .iscsi },
            message: "cannot change in place"),
        PlannerRuleCase(
            rule: .undeclaredVolume, title: "a volume nobody declared",
            observed: { $0.volumes.append(ObservedVolume(name: "v9", pool: "gold", size: .gib(10), created: .distantPast)) },
            message: "volume 'v9' exists but is not declared"),
        PlannerRuleCase(
            rule: .destroyPrevented, title: "state: absent under the default prevent_destroy",
            volumes: Estate.volumes + "\n  v3: {pool: gold, size: 10GiB, state: absent}",
            observed: { $0.volumes.append(ObservedVolume(name: "v3", pool: "gold", size: .gib(10), created: .distantPast)) },
            message: "volume 'v3' is state: absent but prevent_destroy is true"),
        PlannerRuleCase(
            rule: .destroyBlocked, title: "state: absent with a clone of it",
            volumes: Estate.volumes + "\n  v3: {pool: gold, size: 10GiB, state: absent, prevent_destroy: false}",
            observed: {
                $0.volumes.append(ObservedVolume(name: "v3", pool: "gold", size: .gib(10), created: .distantPast))
                $0.clones.append(ObservedClone(name: "c_v3", volume: "v3", pool: "gold", parentSnapshot: "s", created: .distantPast))
            },
            message: "volume 'v3' cannot be destroyed while clones c_v3"),
        PlannerRuleCase(
            rule: .relationshipMismatch, title: "destination already a vault where a mirror is declared",
            rest: Estate.group(extra: "    replicate: [{to: dr, type: mirror}]"),
            observed: {
                $0.volumes.append(Estate.destination("v1", in: "dr"))
                $0.relationships.append(Estate.relationship("v1", to: "dr", .vault))
            },
            message: "'v1_dr' is the vault destination of 'v1', not the mirror of 'v1'"),
        PlannerRuleCase(
            rule: .orphanedLabel, title: "backups of a label no policy of the group uses",
            rest: Estate.group(),
            observed: { $0.snapshots += Estate.backup("g_h1_11-01-2026_00.00.00", label: "weekly", at: "2026-11-01T00:00:00Z") },
            message: "holds 1 backup labelled 'weekly'"),
        PlannerRuleCase(
            rule: .snapshotCeiling, title: "a backup on a volume full of snapshots taken by hand",
            rest: Estate.group(),
            observed: {
                $0.snapshots += (0..<PlannerRuleCases.handMadeSnapshots).map {
                    PlannerFixture.snapshot("v1", "manual-\($0)", label: "manual", group: nil, at: "2026-01-01T00:00:00Z")
                }
            },
            message: "volume 'v1' would hold 256 snapshots"),
        PlannerRuleCase(
            rule: .unmanagedBackups, title: "backups of a resource group no longer declared",
            rest: Estate.group(),
            observed: { $0.snapshots += Estate.backup("gone_h1_11-20-2026_00.00.00", group: "gone", at: "2026-11-20T00:00:00Z") },
            message: "1 backup of resource group 'gone' on v1 is unmanaged: the group is no longer declared"),
        PlannerRuleCase(
            rule: .scheduleNotParsed, title: "a configuration built without the loader's parsed schedules",
            rest: Estate.group(),
            configure: { $0.resourceGroups["g"]!.policies[0].parsedSchedule = nil },
            message: "the schedule of policy 'p' was not parsed by validation"),
        PlannerRuleCase(
            rule: .protectsNothing, title: "a configuration without resource groups against a state holding backups",
            observed: { $0.snapshots += Estate.backup("g_h1_11-20-2026_00.00.00", group: "g", at: "2026-11-20T00:00:00Z") },
            message: "the configuration protects no volume, but the state holds 1 backup of resource group 'g'"),
        PlannerRuleCase(
            rule: .poolFull, title: "a thick volume bigger than the room left",
            volumes: Estate.volumes + "\n  v5: {pool: gold, size: 3TB, thin: false}",
            observed: {
                $0.volumes.removeAll { $0.name == "v5" }
                $0.pools[$0.pools.firstIndex { $0.name == "gold" }!].usedCapacity = .tb(8)
            },
            message: "pool 'gold' would use"),
        PlannerRuleCase(
            rule: .poolOvercommitted, title: "a thin volume past max_overcommit",
            volumes: Estate.volumes + "\n  v5: {pool: gold, size: 30TB}",
            observed: {
                $0.volumes.removeAll { $0.name == "v5" }
                $0.pools[$0.pools.firstIndex { $0.name == "gold" }!].virtualCapacity = .gib(200)
            },
            message: "overcommitted"),
        PlannerRuleCase(
            rule: .poolWarning, title: "a pool above its warning_threshold",
            observed: { $0.pools[$0.pools.firstIndex { $0.name == "gold" }!].usedCapacity = .tb(8) + .gib(500) },
            message: "above its warning_threshold 80%"),
        PlannerRuleCase(
            rule: .unknownTarget, title: "--target names no group",
            rest: Estate.group(), options: PlanOptions(targets: ["nope"]),
            message: "no resource group 'nope'"),
        PlannerRuleCase(
            rule: .targeting, title: "--target in effect",
            rest: Estate.group(), options: PlanOptions(targets: ["g"]),
            message: "targeting is in effect (only g)"),
        PlannerRuleCase(
            rule: .clockJump, title: "a clock 40 days after the last apply",
            observed: { $0.lastActivity = PlannerFixture.date("2026-10-12T10:00:00Z") },
            message: "40 days after flashplan's last apply"),
        PlannerRuleCase(
            rule: .sizeLowered, title: "a declared size below the size flashplan applied",
            observed: { state in
                let index = state.volumes.firstIndex { $0.name == "v1" }!
                state.volumes[index].size = .gib(4096)
                state.volumes[index].appliedSize = .gib(4096)
            },
            configure: { $0.volumes["v1"]!.size = .gib(1) },
            message: "lower than the"),
    ]
}

@Suite struct PlannerRuleTests {
    @Test(arguments: PlannerRuleCases.all)
    func fires(_ c: PlannerRuleCase) throws {
        var configuration = Estate.configuration(volumes: c.volumes, c.rest)
        c.configure(&configuration)
        var observed = PlannerFixture.provisioned(configuration)
        c.observed(&observed)
        let plan = PlannerFixture.plan(configuration, observed, now: Estate.now, options: c.options)
        let found = plan.diagnostics(c.rule)
        let first = try #require(found.first, "[\(c.rule)] did not fire; diagnostics: \(plan.diagnostics)")
        for diagnostic in found {
            #expect(diagnostic.severity == c.rule.severity, "\(diagnostic)")
        }
        #expect(first.message.contains(c.message), "message was: \(first.message)")
        #expect(plan.hasErrors == plan.diagnostics.contains { $0.severity == .error })
    }
}

/// Every rule of the plan stage has a case above; the rules of the decode and validate
/// stages are held to the same by `RuleCoverageTests` in FlashPlanConfigTests.
@Suite struct PlannerRuleCoverageTests {
    static func isCoveredHere(_ stage: Rule.Stage) -> Bool {
        // Exhaustive on purpose: a new stage must be given to one of the two coverage tests.
        switch stage {
        case .plan: true
        case .decode, .validate: false
        }
    }

    @Test(arguments: Rule.allCases.filter { isCoveredHere($0.stage) })
    func hasACaseThatMakesItFire(_ rule: Rule) {
        #expect(
            PlannerRuleCases.all.contains { $0.rule == rule },
            "[\(rule)] has no case in PlannerRuleCases (Tests/FlashPlanEngineTests/PlannerRuleTests.swift) that makes it fire")
    }

    @Test func everyCaseIsOfThePlanStage() {
        for c in PlannerRuleCases.all {
            #expect(Self.isCoveredHere(c.rule.stage), "\(c.testDescription): [\(c.rule)] is checked at stage \(c.rule.stage)")
        }
    }
}
