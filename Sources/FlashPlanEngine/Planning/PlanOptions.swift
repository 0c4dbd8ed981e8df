import FlashPlanModel

/// How a plan is scoped.
public struct PlanOptions: Sendable, Hashable {
    /// `--target GROUP`: only these groups' work (and the infrastructure it needs).
    public var targets: [String]
    /// `--exclude GROUP`: not these groups' work.
    public var excludes: [String]
    /// `--allow-clock-jump`: the clock was checked; prune by age even though it runs
    /// before flashplan's last activity or more than `ClockCheck.maximumGap` after it.
    public var allowClockJump: Bool
    /// `flashplan backup GROUP --policy P`: that policy's backup of that group is due now,
    /// whatever its schedule (`frequency: none` included), and the plan holds only that
    /// group's work; no other label of the group is taken by it.
    public var onDemand: OnDemand?

    /// An on-demand backup: one policy entry of one group made due now.
    public struct OnDemand: Sendable, Hashable {
        public var group: String
        public var policy: String

        public init(group: String, policy: String) {
            self.group = PlanOptions.groupName(group)
            self.policy = policy
        }
    }

    /// Groups are named as in the configuration (`erp`) or by their address (`group.erp`).
    public init(targets: [String] = [], excludes: [String] = [], onDemand: OnDemand? = nil, allowClockJump: Bool = false) {
        self.targets = targets.map(Self.groupName)
        self.excludes = excludes.map(Self.groupName)
        self.onDemand = onDemand
        self.allowClockJump = allowClockJump
        if let onDemand { self.targets = [onDemand.group] }
    }

    static func groupName(_ text: String) -> String {
        if case .group(let name)? = Address(text) { return name }
        return text
    }
}
