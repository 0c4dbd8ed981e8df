import FlashPlanEngine
import Foundation

/// What `flashplan plan` was asked to do.
public struct PlanRequest: Sendable {
    public enum Format: String, Sendable, CaseIterable { case text, json, markdown }

    public var configDirectory: String
    public var statePath: String
    public var now: Date
    public var format: Format
    /// Also write the plan as JSON to this file, for `flashplan apply FILE`.
    public var out: String?
    /// Exit 2 when the plan has changes.
    public var detailedExitCode: Bool
    public var options: PlanOptions
    /// Color the text output (a terminal, and no `NO_COLOR`).
    public var color: Bool
    public var strict: Bool

    public init(
        configDirectory: String, statePath: String, now: Date, format: Format = .text, out: String? = nil,
        detailedExitCode: Bool = false, options: PlanOptions = PlanOptions(), color: Bool = false, strict: Bool = false
    ) {
        self.configDirectory = configDirectory
        self.statePath = statePath
        self.now = now
        self.format = format
        self.out = out
        self.detailedExitCode = detailedExitCode
        self.options = options
        self.color = color
        self.strict = strict
    }
}
