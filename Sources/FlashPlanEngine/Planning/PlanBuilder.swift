import FlashPlanModel
import Foundation

/// The planner's working state while it builds one plan: indexes over the observed
/// state, the actions so far, and what they will change. Split by stage into
/// `PlanBuilder+*.swift` files, run in the order of `Planner.plan()`.
struct PlanBuilder {
    let configuration: Configuration
    let observed: ObservedState
    let now: Date
    let timeZone: TimeZone
    let calendar: Calendar

    var actions: [PlanAction] = []
    var actionIndex: [ActionID: Int] = [:]
    var retention: [RetentionDecision] = []
    var drift: [DriftItem] = []
    var diagnostics: [Diagnostic] = []
    var capacity: [PoolProjection] = []
    var unmanaged: [UnmanagedBackups] = []

    // Indexes over the observed state.
    let arrays: [String: ObservedArray]
    let clusters: [String: ObservedCluster]
    let pools: [String: ObservedPool]
    let hosts: [String: ObservedHost]
    let volumes: [String: ObservedVolume]
    let snapshotsByVolume: SnapshotIndex
    let relationshipsByDestination: [String: ObservedRelationship]
    let clones: [String: ObservedClone]
    /// `volume/snapshot` of every clone parent.
    let cloneParents: [String: [ObservedClone]]
    /// Clones by the volume whose snapshot they were made from.
    let clonesByVolume: [String: [ObservedClone]]

    /// Arrays behind each existing or declared volume, computed once.
    let volumeArrays: [String: [String]]
    let anyArrayOffline: Bool

    /// Volumes the plan creates (name → pool, arrays), so later stages can depend on them.
    var plannedVolumes: [String: VolumeSpec] = [:]
    /// Pools the plan creates.
    var plannedPools: Set<String> = []
    /// False while the clock is in doubt (`checkClock`): `days:` rules then keep everything.
    var pruneByAge = true
    /// `flashplan backup`: the one (group, policy) due now, instead of the schedules.
    var onDemand: PlanOptions.OnDemand?

    init(configuration: Configuration, observed: ObservedState, now: Date) {
        self.configuration = configuration
        self.observed = observed
        self.now = now
        self.timeZone = configuration.settings.timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = configuration.settings.timeZone
        self.calendar = calendar
        arrays = Dictionary(observed.arrays.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        clusters = Dictionary(observed.clusters.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        pools = Dictionary(observed.pools.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        hosts = Dictionary(observed.hosts.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        volumes = Dictionary(observed.volumes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        snapshotsByVolume = SnapshotIndex(observed.snapshots)
        relationshipsByDestination = Dictionary(observed.relationships.map { ($0.destination, $0) }, uniquingKeysWith: { a, _ in a })
        clones = Dictionary(observed.clones.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        cloneParents = Dictionary(grouping: observed.clones, by: { "\($0.volume)/\($0.parentSnapshot)" })
        clonesByVolume = Dictionary(grouping: observed.clones, by: \.volume)
        anyArrayOffline = observed.arrays.contains { $0.status == .offline }
        var poolArrays: [String: [String]] = [:]
        for pool in observed.pools { poolArrays[pool.name] = pool.arrays }
        for pool in configuration.pools.values { poolArrays[pool.name] = pool.arrays }
        var volumeArrays: [String: [String]] = [:]
        func remember(_ name: String, _ pools: [String]) {
            volumeArrays[name] = Array(Set(pools.flatMap { poolArrays[$0] ?? [] })).sorted()
        }
        for volume in configuration.volumes.values { remember(volume.name, [volume.pool] + (volume.mirrorPool.map { [$0] } ?? [])) }
        for volume in observed.volumes { remember(volume.name, [volume.pool] + (volume.mirrorPool.map { [$0] } ?? [])) }
        self.volumeArrays = volumeArrays
    }

    /// Names other groups' backups of this plan may take, per volume: groups sharing a
    /// volume are planned apart, so a later group (in name order) keeps clear of the base
    /// names of the earlier ones (`a` + host `b_x` and `a_b` + host `x` both make `a_b_x_…`).
    var reservedNames: [String: Set<String>] = [:]

    /// Ids of the actions earlier stages added, for a group planned on a fork of the
    /// builder: it looks them up but never copies or changes them.
    var earlierActionIDs: Set<ActionID> = []

    /// Primary prunes of a replication base, with the updates that release each one: the
    /// prune waits for them, and the 255 ceiling may never move it before them.
    var basePrunes: [ActionID: [BaseRelease]] = [:]

    /// Adds an action and returns its id; an action with the same id is added once.
    @discardableResult
    mutating func add(_ action: PlanAction) -> ActionID {
        if actionIndex[action.id] == nil && !earlierActionIDs.contains(action.id) {
            actionIndex[action.id] = actions.count
            actions.append(action)
        }
        return action.id
    }

    func has(_ id: ActionID) -> Bool { actionIndex[id] != nil || earlierActionIDs.contains(id) }

    /// The id of the action creating `address` with `kind`, if the plan has one.
    func planned(_ kind: ActionKind, _ address: Address) -> ActionID? {
        let id = ActionID(kind, address)
        return has(id) ? id : nil
    }

    // MARK: Where things live

    /// The arrays behind a pool (declared, else observed).
    func arrays(ofPool pool: String) -> [String] {
        configuration.pools[pool]?.arrays ?? pools[pool]?.arrays ?? []
    }

    /// The pools a volume's copies live in (observed, else planned, else declared).
    func copyPools(ofVolume name: String) -> [String] {
        if let v = volumes[name] { return [v.pool] + (v.mirrorPool.map { [$0] } ?? []) }
        if let v = plannedVolumes[name] { return [v.pool] + (v.mirrorPool.map { [$0] } ?? []) }
        if let v = configuration.volumes[name] { return [v.pool] + (v.mirrorPool.map { [$0] } ?? []) }
        return []
    }

    func arrays(ofVolume name: String) -> [String] {
        if let cached = volumeArrays[name] { return cached }
        let pools = copyPools(ofVolume: name)
        if pools.count == 1 { return arrays(ofPool: pools[0]).sorted() }
        return Array(Set(pools.flatMap { arrays(ofPool: $0) })).sorted()
    }

    func isOffline(_ array: String) -> Bool { arrays[array]?.status == .offline }

    /// A volume is reachable while one of its copies has all its arrays available.
    func isReachable(volume name: String) -> Bool {
        guard anyArrayOffline else { return true }
        return copyPools(ofVolume: name).contains { pool in arrays(ofPool: pool).allSatisfy { !isOffline($0) } }
    }

    /// The name of an array that keeps `volume` out of reach, if any.
    func blockingArray(forVolume name: String) -> String? {
        isReachable(volume: name) ? nil : arrays(ofVolume: name).first(where: isOffline)
    }

    /// Ids of the actions that create a volume and its pools, for dependencies.
    func volumeDependencies(_ name: String) -> [ActionID] {
        planned(.createVolume, Address.volume(name)).map { [$0] } ?? []
    }

    func poolDependencies(_ pool: String) -> [ActionID] {
        planned(.createPool, Address.pool(pool)).map { [$0] } ?? []
    }

    // MARK: Formatting

    /// A time in the configured zone, for reasons a reader checks against schedules.
    func local(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) \(timeZone.identifier)"
    }
}
