import Synchronization

/// Large values a command has finished with, kept until the process exits instead of
/// being freed one allocation at a time.
///
/// At fleet scale the observed state (a million snapshots), the plan (a hundred thousand
/// retention decisions) and the configuration are millions of small allocations: freeing
/// them when a command returns costs the `flashplan` process tens of milliseconds after
/// its work is done, while the operating system takes the whole address space back at
/// exit for nothing. Only the `flashplan` executable asks for this
/// (`keepLargeValuesUntilExit()`), since its process ends with its command; a library
/// caller, a test or the benchmark's in-process runs free them as usual. Nothing that
/// holds a file or a database connection is ever kept: those close when their command ends.
public final class ExitTeardown: Sendable {
    /// The process's own: what `PlanRunner` and `ApplyRunner` hand over.
    public static let shared = ExitTeardown()

    private let kept = Mutex<(enabled: Bool, values: [any Sendable])>((false, []))

    init() {}

    /// Keeps what commands pass to `keep` alive until the process exits. Called by the
    /// `flashplan` executable, whose process ends right after its command.
    public func keepLargeValuesUntilExit() {
        kept.withLock { $0.enabled = true }
    }

    /// Keeps `values` (plain values only: no files, locks or connections) until exit when
    /// the process asked for it; otherwise does nothing and they are freed as usual.
    func keep(_ values: any Sendable...) {
        kept.withLock { state in
            if state.enabled { state.values.append(values) }
        }
    }
}
