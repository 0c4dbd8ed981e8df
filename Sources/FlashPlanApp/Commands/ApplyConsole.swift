import FlashPlanEngine
import Foundation
import Logging

/// Where `apply` talks to its user: standard output for the plan and the summary,
/// standard error for progress and log lines, and the approval prompt.
public struct ApplyConsole: Sendable {
    public var write: @Sendable (String) -> Void
    public var progress: @Sendable (String) -> Void
    /// Shows the question and returns the answer line (nil at end of input).
    public var ask: @Sendable (String) -> String?
    public var logger: Logger

    public init(
        write: @escaping @Sendable (String) -> Void, progress: @escaping @Sendable (String) -> Void,
        ask: @escaping @Sendable (String) -> String?, logger: Logger
    ) {
        self.write = write
        self.progress = progress
        self.ask = ask
        self.logger = logger
    }
}
