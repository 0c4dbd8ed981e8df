/// One problem found in the configuration, the state, or a plan.
///
/// Recoverable problems are collected, not thrown, so that a user sees every
/// problem of a configuration in one run. Messages are built by typed static
/// factories next to the code that emits them (see `Diagnostic+*.swift`).
public struct Diagnostic: Hashable, Sendable, Codable {
    public enum Severity: String, Sendable, Codable, Comparable {
        case warning
        case error

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .warning && rhs == .error
        }
    }

    public var severity: Severity
    /// Which rule of the catalogue was broken; encoded as its stable id, e.g. `unknown-key`.
    public var rule: Rule
    public var location: SourceLocation
    public var message: String
    /// How to fix it, or where the other half of a conflict is.
    public var note: String?
    /// The object a plan-time error concerns. Such an error blocks only the actions
    /// concerning that object (DESIGN §5: one problem blocks only what it concerns); an
    /// error without a subject (bad configuration, a plan that protects nothing) stops
    /// the whole apply.
    public var subject: Address?

    public init(
        _ severity: Severity, rule: Rule, at location: SourceLocation, _ message: String, note: String? = nil
    ) {
        self.severity = severity
        self.rule = rule
        self.location = location
        // Messages quote what users wrote; escaped here, once, for text and JSON alike (see `Escaping`).
        self.message = Escaping.escape(Escaping.shortened(message))
        self.note = note.map { Escaping.escape(Escaping.shortened($0)) }
    }

    public static func error(_ rule: Rule, at location: SourceLocation, _ message: String, note: String? = nil) -> Diagnostic {
        Diagnostic(.error, rule: rule, at: location, message, note: note)
    }

    public static func warning(_ rule: Rule, at location: SourceLocation, _ message: String, note: String? = nil) -> Diagnostic {
        Diagnostic(.warning, rule: rule, at: location, message, note: note)
    }

    /// This diagnostic, concerning `subject` alone.
    public func concerning(_ subject: Address) -> Diagnostic {
        var copy = self
        copy.subject = subject
        return copy
    }
}

extension Diagnostic: CustomStringConvertible {
    /// `file:line:col: error: message [rule-id]`; without a place in a file (a
    /// problem of the storage state or of the command line) just `error: message [rule-id]`.
    public var description: String {
        location == .unknown
            ? "\(severity.rawValue): \(message) [\(rule)]"
            : "\(Escaping.escape(location.description)): \(severity.rawValue): \(message) [\(rule)]"
    }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// Errors that stop everything: those not confined to one object.
    public var hasStoppingErrors: Bool { contains { $0.severity == .error && $0.subject == nil } }

    /// Sorted by file, line, column, then rule, for stable output.
    public func sortedByLocation() -> [Diagnostic] {
        sorted { ($0.location, $0.rule, $0.message) < ($1.location, $1.rule, $1.message) }
    }

    /// `--strict`: warnings become errors.
    public func promotingWarnings() -> [Diagnostic] {
        map { var d = $0; d.severity = .error; return d }
    }
}
