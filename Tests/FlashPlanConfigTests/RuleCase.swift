import Foundation
import Testing

@testable import FlashPlanConfig
import FlashPlanModel

/// One configuration that must produce diagnostics of one rule at exact places, with the
/// severity the catalogue gives the rule. `RuleCoverageTests` uses the cases as the record
/// of which rules of the decode and validate stages are made to fire.
struct RuleCase: Sendable, CustomTestStringConvertible {
    var rule: Rule
    var title: String
    var files: [SourceFile]
    /// `file:line:column` of every diagnostic of `rule` the files produce (order does not matter).
    var locations: [String]
    /// Text the message of the first diagnostic at `locations[0]` must contain (or equal, with `exact`).
    var message: String?
    var exact = false
    /// Text its note must contain.
    var note: String?
    /// Instead of `files`: makes the files in a scratch directory (given its path), which
    /// is then loaded from disk; locations are relative to it.
    var directory: (@Sendable (String) throws -> Void)?

    var testDescription: String { "\(rule): \(title)" }

    /// A case on `t.yaml`, loaded after `Support.base` (as `base.yaml`) unless `base` is false.
    init(
        _ rule: Rule, _ title: String, base: Bool = true, _ yaml: String, at locations: [String],
        message: String? = nil, exact: Bool = false, note: String? = nil
    ) {
        self.rule = rule
        self.title = title
        self.files = (base ? [SourceFile(path: "base.yaml", text: Support.base)] : []) + [SourceFile(path: "t.yaml", text: yaml)]
        self.locations = locations
        self.message = message
        self.exact = exact
        self.note = note
    }

    /// A case on several files, loaded in the order given.
    init(
        _ rule: Rule, _ title: String, files: [(String, String)], at locations: [String],
        message: String? = nil, exact: Bool = false, note: String? = nil
    ) {
        self.rule = rule
        self.title = title
        self.files = files.map { SourceFile(path: $0.0, text: $0.1) }
        self.locations = locations
        self.message = message
        self.exact = exact
        self.note = note
    }

    /// A case on files made on disk by `directory`: what only a file system can hold.
    init(
        _ rule: Rule, _ title: String, directory: @escaping @Sendable (String) throws -> Void, at locations: [String],
        message: String? = nil, exact: Bool = false, note: String? = nil
    ) {
        self.rule = rule
        self.title = title
        self.files = []
        self.directory = directory
        self.locations = locations
        self.message = message
        self.exact = exact
        self.note = note
    }

    /// Loads the files and checks the diagnostics of `rule`: their places, severity, message and note.
    func check(sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        var result = ConfigurationLoader.load(sources: files)
        if let directory {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flashplan-case-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: dir) }
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                try directory(dir)
                result = try ConfigurationLoader.load(directory: dir)
            } catch {
                Issue.record("\(error)", sourceLocation: sourceLocation)
                return
            }
            for index in result.diagnostics.indices where result.diagnostics[index].location.file.hasPrefix(dir + "/") {
                result.diagnostics[index].location.file.removeFirst(dir.count + 1)
            }
        }
        let found = result.diagnostics.filter { $0.rule == rule }
        let all = Support.describe(result.diagnostics)
        #expect(
            found.map(\.location.description).sorted() == locations.sorted(),
            "diagnostics of [\(rule)] are not at the expected places; all diagnostics:\n\(all)", sourceLocation: sourceLocation)
        guard let first = found.first(where: { $0.location.description == locations.first }) else { return }
        for diagnostic in found {
            #expect(diagnostic.severity == rule.severity, "\(diagnostic)", sourceLocation: sourceLocation)
        }
        if let message {
            if exact {
                #expect(first.message == message, sourceLocation: sourceLocation)
            } else {
                #expect(first.message.contains(message), "message was: \(first.message)", sourceLocation: sourceLocation)
            }
        }
        if let note {
            #expect(first.note?.contains(note) == true, "note was: \(first.note ?? "nil")", sourceLocation: sourceLocation)
        }
    }
}
