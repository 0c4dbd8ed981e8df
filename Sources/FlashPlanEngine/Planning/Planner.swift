import FlashPlanModel
import Foundation

/// Computes what must happen, and why, from the desired state, the observed state
/// and a time (DESIGN §4–§5).
///
/// A pure function: no I/O and no clock. The same inputs always give the same plan.
public struct Planner: Sendable {
    public var configuration: Configuration
    public var observed: ObservedState
    public var now: Date
    public var options: PlanOptions

    public init(configuration: Configuration, observed: ObservedState, now: Date, options: PlanOptions = PlanOptions()) {
        self.configuration = configuration
        self.observed = observed
        self.now = now
        self.options = options
    }

    public func plan() -> Plan {
        var builder = PlanBuilder(configuration: configuration, observed: observed, now: now)
        builder.checkClock(options)
        builder.onDemand = options.onDemand
        builder.planInfrastructure()
        let groups = configuration.resourceGroups.keys.sorted().map { configuration.resourceGroups[$0]! }
        builder.merge(builder.planGroups(groups))
        builder.planDestroys()
        builder.reportDrift()
        builder.reportUnmanaged()
        builder.markBlocked()
        builder.projectCapacity()
        builder.applyTargeting(options)
        builder.enforceCeiling()
        builder.blockConcerned()
        builder.sendWithoutHeldBackups()
        builder.holdRefreshesThatCannotComplete()
        return Plan(
            now: now, state: StateReference(lineage: observed.lineage, serial: observed.serial),
            configDigest: configuration.digest, actions: builder.actions, retention: builder.retention,
            drift: builder.drift, unmanaged: builder.unmanaged, diagnostics: builder.diagnostics.sortedByLocation(), capacity: builder.capacity,
            targets: options.targets, excludes: options.excludes)
    }
}
