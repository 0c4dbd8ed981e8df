import FlashPlanConfig
import FlashPlanModel
import Foundation
import Testing

@testable import FlashPlanEngine

/// `apply --scope site=NAME`: which actions a site's runner applies (DESIGN §9).
@Suite struct PlanScopeTests {
    /// The golden estate (rome primary, milan dr and vault) plus an array of no site.
    static let yaml = PlanGoldenTests.yaml.replacingOccurrences(
        of: "  fs-milan: {model: FlashSystem 810, capacity: 10TB, site: milan}\n",
        with: "  fs-milan: {model: FlashSystem 810, capacity: 10TB, site: milan}\n  fs-lab: {model: FlashSystem 710, capacity: 2TB}\n")

    static func firstPlan() -> (Plan, PlanScope.Type, Configuration, ObservedState) {
        let (configuration, _) = PlanGoldenTests.load(yaml)
        let observed = ObservedState(lineage: PlannerFixture.lineage, serial: 0)
        let plan = Planner(configuration: configuration, observed: observed, now: PlanGoldenTests.time("2026-11-10T08:00:00Z")).plan()
        return (plan, PlanScope.self, configuration, observed)
    }

    @Test func aSiteRunnerKeepsOnlyActionsWhollyInItsSitesAndWhatDependsOnThem() throws {
        let (plan, _, configuration, observed) = Self.firstPlan()
        let rome = PlanScope(site: "rome", configuration: configuration, observed: observed)
        let (kept, left) = rome.restrict(plan)
        #expect(!kept.actions.isEmpty)
        #expect(kept.actions.count + left.count == plan.actions.count)
        let keptIDs = Set(kept.actions.map(\.id))
        for action in kept.actions {
            #expect(rome.sites(of: action) == ["rome"], "\(action.id) touches \(rome.sites(of: action))")
            // Nothing kept waits for what another runner applies.
            #expect(action.dependsOn.allSatisfy { keptIDs.contains($0) || !plan.actions.map(\.id).contains($0) }, "\(action.id)")
        }
        let leftIDs = Set(left.map(\.action))
        #expect(leftIDs.contains(ActionID(.installArray, .array("fs-milan"))))
        #expect(leftIDs.contains(ActionID(.installCluster, .cluster("svc-milan"))))
        // The array of no site is only a whole-state runner's.
        let lab = try #require(left.first { $0.action == ActionID(.installArray, .array("fs-lab")) })
        #expect(lab.reason.contains("no site"))
        // A transfer spans rome and milan: left while milan's lease is not held.
        let spanning = plan.actions.filter { rome.sites(of: $0) == ["rome", "milan"] }
        #expect(!spanning.isEmpty)
        for action in spanning { #expect(leftIDs.contains(action.id)) }
        #expect(rome.spannedSites(plan) == ["milan"])
        #expect(kept.actions.contains { $0.id == ActionID(.installArray, .array("fs-rome")) })
    }

    @Test func holdingBothSitesKeepsTheTransfersBetweenThemButNotTheOtherSitesOwnWork() {
        // Eleven days on, the routine run has backups in rome and transfers to milan.
        let (configuration, _) = PlanGoldenTests.load(Self.yaml)
        let observed = PlanGoldenTests.history()
        let plan = Planner(configuration: configuration, observed: observed, now: PlanGoldenTests.time("2026-11-21T01:45:00Z")).plan()
        let alone = PlanScope(site: "rome", configuration: configuration, observed: observed)
        #expect(alone.spannedSites(plan) == ["milan"])
        let transfers = plan.actions.filter { alone.sites(of: $0) == ["rome", "milan"] }
        #expect(!transfers.isEmpty)
        // Without milan's lease the transfers are left; with it they are kept.
        #expect(alone.restrict(plan).plan.actions.allSatisfy { alone.sites(of: $0) == ["rome"] })
        var both = alone
        both.sites.insert("milan")
        let (kept, left) = both.restrict(plan)
        for transfer in transfers { #expect(kept.actions.contains { $0.id == transfer.id }, "\(transfer.id)") }
        // milan's own work stays milan's runner's, even with its lease held.
        #expect(kept.actions.allSatisfy { both.sites(of: $0).contains("rome") })
        #expect(left.contains { $0.action == ActionID(.installArray, .array("fs-lab")) })
        #expect(both.spannedSites(plan).isEmpty)
    }

    @Test func theTwoSitesRunnersTogetherCoverThePlanOnceExceptSpanningAndSitelessWork() {
        let (plan, _, configuration, observed) = Self.firstPlan()
        let rome = PlanScope(site: "rome", configuration: configuration, observed: observed).restrict(plan).plan
        let milan = PlanScope(site: "milan", configuration: configuration, observed: observed).restrict(plan).plan
        let romeIDs = Set(rome.actions.map(\.id)), milanIDs = Set(milan.actions.map(\.id))
        // Never both: two runners never do the same action.
        #expect(romeIDs.isDisjoint(with: milanIDs))
    }

    /// Red team: a rome runner whose configuration moved milan's array to rome acted on it
    /// while milan's runner held milan's lease. The site the state records counts too.
    @Test func anArrayTheConfigurationMovesStillNeedsTheLeaseOfTheSiteTheStateHasItIn() {
        let moved = PlanGoldenTests.yaml.replacingOccurrences(
            of: "fs-milan: {model: FlashSystem 810, capacity: 10TB, site: milan}",
            with: "fs-milan: {model: FlashSystem 810, capacity: 10TB, site: rome}")
        let (configuration, _) = PlanGoldenTests.load(moved)
        let observed = PlanGoldenTests.history()
        #expect(observed.arrays.first { $0.name == "fs-milan" }?.site == "milan")
        let plan = Planner(configuration: configuration, observed: observed, now: PlanGoldenTests.time("2026-11-21T01:45:00Z")).plan()
        let rome = PlanScope(site: "rome", configuration: configuration, observed: observed)
        let onMilan = plan.actions.filter { $0.arrays.contains("fs-milan") }
        #expect(!onMilan.isEmpty)
        for action in onMilan { #expect(rome.sites(of: action).contains("milan"), "\(action.id)") }
        #expect(rome.spannedSites(plan) == ["milan"])
        let kept = rome.restrict(plan).plan
        #expect(!kept.actions.contains { $0.arrays.contains("fs-milan") })
    }
}
