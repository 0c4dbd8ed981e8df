/// How a plan is scoped.
public struct PlanOptions: Sendable, Hashable {
    /// `--target GROUP`: only these groups' work (and the infrastructure it needs).
    public var targets: [String]
    /// `--exclude GROUP`: not these groups' work.
    public var excludes: [String]

    public init(targets: [String] = [], excludes: [String] = []) {
        self.targets = targets
        self.excludes = excludes
    }
}
