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

    /// Groups are named as in the configuration (`erp`) or by their address (`group.erp`).
    public init(targets: [String] = [], excludes: [String] = [], allowClockJump: Bool = false) {
        self.targets = targets.map(Self.groupName)
        self.excludes = excludes.map(Self.groupName)
        self.allowClockJump = allowClockJump
    }

    static func groupName(_ text: String) -> String {
        if case .group(let name)? = Address(text) { return name }
        return text
    }
}
