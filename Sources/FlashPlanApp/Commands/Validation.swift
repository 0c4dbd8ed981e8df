import FlashPlanEngine
import FlashPlanConfig
import FlashPlanModel
import Foundation

/// What `flashplan validate` was asked to do.
public struct ValidateOptions: Sendable {
    public var directory: String
    public var strict: Bool
    public var json: Bool

    public init(directory: String, strict: Bool = false, json: Bool = false) {
        self.directory = directory
        self.strict = strict
        self.json = json
    }
}

/// What a command prints and how it exits; the executable only writes it out.
public struct CommandOutcome: Sendable {
    public var stdout: String
    public var stderr: String
    public var exitCode: Int32

    public init(stdout: String = "", stderr: String = "", exitCode: Int32 = 0) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitCode = exitCode
    }
}

/// `flashplan validate`.
public enum Validation {
    public static func run(_ options: ValidateOptions) throws -> CommandOutcome {
        let result = try loadConfiguration(directory: options.directory, strict: options.strict)
        let failed = result.diagnostics.hasErrors
        if options.json {
            return CommandOutcome(stdout: diagnosticsJSON(result.diagnostics), exitCode: failed ? 1 : 0)
        }
        var stderr = result.renderer.render(result.diagnostics)
        let errors = result.diagnostics.filter { $0.severity == .error }.count
        let warnings = result.diagnostics.count - errors
        if failed {
            stderr += (stderr.isEmpty ? "" : "\n") + "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s"); nothing was changed."
            return CommandOutcome(stderr: stderr, exitCode: 1)
        }
        let c = result.configuration
        let summary = "\(options.directory): valid (\(result.sources.count) file\(result.sources.count == 1 ? "" : "s"): \(c.arrays.count) arrays, \(c.pools.count) pools, \(c.volumes.count) volumes, \(c.policies.count) policies, \(c.resourceGroups.count) resource groups" + (warnings > 0 ? ", \(warnings) warnings" : "") + ")"
        return CommandOutcome(stdout: summary, stderr: stderr)
    }

    /// Loads and validates; with `strict`, warnings become errors.
    public static func loadConfiguration(directory: String, strict: Bool) throws -> LoadResult {
        var result = try ConfigurationLoader.load(directory: directory)
        if strict { result.diagnostics = result.diagnostics.promotingWarnings() }
        return result
    }

    /// `[{file, line, column, severity, rule, message, note}]`
    public static func diagnosticsJSON(_ diagnostics: [Diagnostic]) -> String {
        let rows: [[String: Any]] = diagnostics.map { d in
            var row: [String: Any] = [
                "file": d.location.file, "line": d.location.line, "column": d.location.column,
                "severity": d.severity.rawValue, "rule": d.rule.rawValue, "message": d.message,
            ]
            if let note = d.note { row["note"] = note }
            return row
        }
        let data = (try? JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
