import FlashPlanConfig
import FlashPlanEngine
import FlashPlanModel
import Foundation

/// What `status`, `check` and `history` read: the storage, and the record of past applies.
public struct StatusSource: Sendable {
    public var backend: any StorageBackend
    public var ledger: any ApplyLedger
    public var history: any ApplyHistoryReader

    public init(backend: any StorageBackend, ledger: any ApplyLedger, history: any ApplyHistoryReader) {
        self.backend = backend
        self.ledger = ledger
        self.history = history
    }
}

/// What `flashplan status` and `flashplan check` were asked to look at.
public struct StatusRequest: Sendable {
    public enum Format: String, Sendable, CaseIterable { case text, json }

    public var configDirectory: String
    public var statePath: String
    public var now: Date
    public var format: Format
    /// After a schedule elapse, how long a missing backup is not yet late.
    public var grace: TimeInterval
    /// Pool use (percent) from which a pool is critical (or its warning threshold, if higher).
    public var poolCritical: Double

    /// The default grace: the timer runs 30 s past the hour and may wait for the lock for
    /// up to 5 minutes; an apply of a large estate takes a few more.
    public static let defaultGrace: TimeInterval = 15 * 60
    public static let defaultPoolCritical: Double = 90

    public init(
        configDirectory: String, statePath: String, now: Date, format: Format = .text, grace: TimeInterval = defaultGrace,
        poolCritical: Double = defaultPoolCritical
    ) {
        self.configDirectory = configDirectory
        self.statePath = statePath
        self.now = now
        self.format = format
        self.grace = grace
        self.poolCritical = poolCritical
    }
}

/// Why a status could not be made: the state or the configuration cannot be read.
public struct StatusUnavailable: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Reads the configuration and the state (read-only: opened by `open`, which must never
/// create one), plans at `now`, and computes the status.
enum StatusInputs {
    static func gather(_ request: StatusRequest, open: (String) throws -> StatusSource) throws -> EstateStatus {
        var history: (any ApplyHistoryReader)?
        let (loaded, _, observation) = try PlanInputs.load(
            directory: request.configDirectory, strict: false, statePath: request.statePath, now: request.now
        ) { path in
            let source = try open(path)
            history = source.history
            return StateSession(backend: source.backend, ledger: source.ledger)
        }
        guard !loaded.hasErrors, let observed = observation, let history else {
            let errors = loaded.diagnostics.filter { $0.severity == .error }.count
            throw StatusUnavailable(description: "the configuration in \(Escaping.escape(request.configDirectory)) has \(errors) error\(errors == 1 ? "" : "s"); run `flashplan validate` to see them")
        }
        let plan = Planner(configuration: loaded.configuration, observed: observed, now: request.now).plan()
        return EstateStatus.evaluate(
            configuration: loaded.configuration, observed: observed, plan: plan, lastApply: try history.lastApplyRun(),
            now: request.now, grace: request.grace, criticalPoolUse: request.poolCritical)
    }
}

/// `flashplan status`.
public enum StatusRunner {
    public static func run(_ request: StatusRequest, open: (String) throws -> StatusSource) -> CommandOutcome {
        let status: EstateStatus
        do {
            status = try StatusInputs.gather(request, open: open)
        } catch {
            // The error may quote a path or a name as typed: printed escaped.
            return CommandOutcome(stderr: "Error: \(Escaping.escape("\(error)"))\nNo status was made; nothing was changed.", exitCode: 1)
        }
        switch request.format {
        case .text:
            return CommandOutcome(stdout: StatusTextRenderer.render(status))
        case .json:
            do {
                return CommandOutcome(stdout: try StatusJSON.render(status))
            } catch {
                return CommandOutcome(stderr: "Error: could not write the status as JSON: \(error)", exitCode: 1)
            }
        }
    }
}

/// JSON of `status` and `history`: snake_case keys (set by each type), times in
/// ISO-8601 UTC, keys sorted so that the output is stable.
enum StatusJSON {
    static func render(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.iso8601)
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
