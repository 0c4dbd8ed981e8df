import FlashPlanModel

/// `flashplan apply --scope site=NAME` (DESIGN §9): the part of a plan one site's runner
/// carries out while other sites' runners carry out theirs at the same time.
///
/// An action belongs to the sites of what it touches: the arrays it needs (`arrays`),
/// and for actions that need none, the array, cluster or host it installs or creates.
/// A runner applies the actions that touch its own site and no site whose lease it does
/// not hold: its site's own work, and an action spanning sites (a transfer from one
/// site to another) once it holds the other sites' leases too. Work wholly in another
/// site is that site's runner's even when this runner holds its lease for a transfer.
/// Everything else is left to other runners — never counted as held or failed, since
/// another runner applies it — and so is whatever depends on it. Objects of no site (an
/// array with no `site:`) belong to no site's runner: only a runner without `--scope`
/// applies actions on them.
public struct PlanScope: Sendable {
    /// The site this runner applies (`--scope site=NAME`).
    public var site: String
    /// The sites whose leases this runner holds: its own, and those it took for transfers.
    public var sites: Set<String>
    private var arraySites: [String: Set<String?>]
    private var clusterSites: [String: Set<String?>]
    private var hostSites: [String: Set<String?>]

    /// What was left to other runners, and why.
    public struct Left: Sendable, Hashable {
        public var action: ActionID
        public var reason: String
    }

    public init(site: String, configuration: Configuration, observed: ObservedState) {
        self.site = site
        self.sites = [site]
        // An object's sites are those the state records AND those the configuration
        // declares: a runner whose copy of the configuration moved an array to its own
        // site (a pull not yet made on another host, an array being moved) still needs
        // the lease of the site the state has it in, so two runners never both act on it.
        var arrays: [String: Set<String?>] = [:]
        for array in observed.arrays { arrays[array.name, default: []].insert(array.site) }
        for (name, array) in configuration.arrays { arrays[name, default: []].insert(array.site) }
        var clusters: [String: Set<String?>] = [:]
        for cluster in observed.clusters { clusters[cluster.name, default: []].insert(cluster.site) }
        for (name, cluster) in configuration.clusters { clusters[name, default: []].insert(cluster.site) }
        var hosts: [String: Set<String?>] = [:]
        for host in observed.hosts { hosts[host.name, default: []].insert(host.site) }
        for (name, host) in configuration.hosts { hosts[name, default: []].insert(host.site) }
        arraySites = arrays
        clusterSites = clusters
        hostSites = hosts
    }

    /// The sites `action` touches; `nil` among them for an object of no site.
    public func sites(of action: PlanAction) -> Set<String?> {
        var result = Set<String?>()
        for array in action.arrays { result.formUnion(arraySites[array] ?? [nil]) }
        if action.arrays.isEmpty {
            switch action.address {
            case .array(let name): result.formUnion(arraySites[name] ?? [nil])
            case .cluster(let name): result.formUnion(clusterSites[name] ?? [nil])
            case .host(let name): result.formUnion(hostSites[name] ?? [nil])
            default: result.insert(nil)
            }
        }
        return result
    }

    /// The other sites whose leases would let this runner apply `plan`'s actions that
    /// span its own site and others, sorted (the order leases are taken in).
    public func spannedSites(_ plan: Plan) -> [String] {
        var wanted = Set<String>()
        for action in plan.actions {
            let touched = sites(of: action)
            guard !touched.contains(nil), touched.contains(site) else { continue }
            for case let site? in touched where !sites.contains(site) { wanted.insert(site) }
        }
        return wanted.sorted()
    }

    /// `plan` without what this runner does not apply, and what was left out. Dependents of
    /// what was left out are left out too (they wait for it).
    public func restrict(_ plan: Plan) -> (plan: Plan, left: [Left]) {
        var left: [ActionID: String] = [:]
        for action in plan.actions {
            let touched = sites(of: action)
            if touched.contains(nil) {
                left[action.id] = "touches objects of no site; only a runner without --scope applies it"
            } else if !touched.contains(site) {
                let other = touched.compactMap { $0 }.sorted().joined(separator: ", ")
                left[action.id] = "is in site \(other); its runner applies it"
            } else if let outside = touched.compactMap({ $0 }).filter({ !sites.contains($0) }).sorted().first {
                left[action.id] = "spans site \(outside), whose lease this runner could not take; the runner that holds both applies it"
            }
        }
        // Dependents of what is left out wait for it: a fixed point over the graph.
        var changed = true
        while changed {
            changed = false
            for action in plan.actions where left[action.id] == nil {
                if let waited = action.dependsOn.first(where: { left[$0] != nil }) {
                    left[action.id] = "waits for \(waited), which another runner applies"
                    changed = true
                }
            }
        }
        var restricted = plan
        restricted.actions = plan.actions.filter { left[$0.id] == nil }
        let report = plan.actions.compactMap { action in left[action.id].map { Left(action: action.id, reason: $0) } }
        return (restricted, report)
    }
}
