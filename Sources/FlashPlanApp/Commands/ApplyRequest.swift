import FlashPlanEngine
import Foundation

/// What `flashplan apply` was asked to do.
public struct ApplyRequest: Sendable {
    public var configDirectory: String
    public var statePath: String
    public var now: Date
    /// Apply exactly this saved plan (refused when stale).
    public var planFile: String?
    public var autoApprove: Bool
    /// `--allow-destructive`: under `--auto-approve`, carry out destructive actions too.
    public var allowDestructive: Bool
    /// `--allow-clock-jump`: the clock was checked; prune by age even though it jumped.
    public var allowClockJump: Bool = false
    public var lockTimeout: TimeInterval
    /// The leases to take on a shared state (`site=NAME`); empty: the whole state.
    public var scopes: [String] = []
    /// `--scope site=NAME`: the site this runner applies.
    public var site: String? {
        scopes.first { $0.hasPrefix("site=") }.map { String($0.dropFirst(5)) }
    }
    /// A saved plan made longer ago than this is refused (`--plan-max-age`, default 1h).
    public var planMaxAge: TimeInterval
    public var parallelism: Int
    public var metricsFile: String?
    /// Standard input is a terminal: the approval prompt may be asked.
    public var interactive: Bool
    public var color: Bool
    /// Standard error is a terminal: show a progress bar instead of log lines.
    public var progressBar: Bool

    public init(
        configDirectory: String, statePath: String, now: Date, planFile: String? = nil, autoApprove: Bool = false, allowDestructive: Bool = false,
        lockTimeout: TimeInterval = 30, planMaxAge: TimeInterval = 3600, parallelism: Int = 4, metricsFile: String? = nil, interactive: Bool = false,
        color: Bool = false, progressBar: Bool = false
    ) {
        self.configDirectory = configDirectory
        self.statePath = statePath
        self.now = now
        self.planFile = planFile
        self.autoApprove = autoApprove
        self.allowDestructive = allowDestructive
        self.lockTimeout = lockTimeout
        self.planMaxAge = planMaxAge
        self.parallelism = parallelism
        self.metricsFile = metricsFile
        self.interactive = interactive
        self.color = color
        self.progressBar = progressBar
    }
}
