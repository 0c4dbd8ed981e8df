import Foundation
import Testing

import FlashPlanModel

/// The rule table of `docs/configuration.md` is generated from the catalogue (`Rule`):
/// the lines between its two marker comments are one header and one row per rule, in
/// catalogue order. After changing a rule, `FLASHPLAN_RECORD=1 swift test --filter
/// RuleTableTests` rewrites them; review the diff.
@Suite("docs/configuration.md rule table")
struct RuleTableTests {
    static let path = DocumentationTests.path
    static let begin =
        "<!-- rule table: generated from Sources/FlashPlanModel/Diagnostics/Rule.swift; FLASHPLAN_RECORD=1 swift test --filter RuleTableTests rewrites it -->"
    static let end = "<!-- end of rule table -->"
    static let header = ["| rule | severity | stage | what it means | how to fix it |", "| --- | --- | --- | --- | --- |"]

    static var recording: Bool { ProcessInfo.processInfo.environment["FLASHPLAN_RECORD"] == "1" }

    static func row(_ rule: Rule) -> String {
        "| `\(rule.rawValue)` | \(rule.severity.rawValue) | \(rule.stage.rawValue) | \(rule.summary) | \(rule.fix) |"
    }

    static var table: [String] { header + Rule.allCases.map(row) }

    /// The indices of the lines strictly between the markers.
    static func generatedLines(in lines: [String]) -> Range<Int>? {
        guard let first = lines.firstIndex(of: begin), let last = lines[first...].firstIndex(of: end) else { return nil }
        return (first + 1)..<last
    }

    @Test func theTableIsTheCatalogue() throws {
        let url = Support.repositoryRoot.appendingPathComponent(Self.path)
        var lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        let region = try #require(
            Self.generatedLines(in: lines), "\(Self.path) needs the marker lines\n\(Self.begin)\n\(Self.end)\naround its rule table")
        if Self.recording {
            lines.replaceSubrange(region, with: Self.table)
            try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let documented = Array(lines[region])
        // Row by row first, so that a failure names the rule that is missing or out of date.
        for rule in Rule.allCases {
            let rows = documented.filter { $0.hasPrefix("| `\(rule.rawValue)` |") }
            #expect(rows.count == 1, "\(Self.path) has \(rows.count) rows for `\(rule.rawValue)`, not 1; run with FLASHPLAN_RECORD=1")
            if rows.count == 1 {
                #expect(rows[0] == Self.row(rule), "\(Self.path): the row of `\(rule.rawValue)` is not the catalogue's; run with FLASHPLAN_RECORD=1")
            }
        }
        let known = Set(Self.table)
        for line in documented where !known.contains(line) && !Rule.allCases.contains(where: { line.hasPrefix("| `\($0.rawValue)` |") }) {
            Issue.record("\(Self.path): a line of the rule table that is no rule of the catalogue: \(line)")
        }
        #expect(documented == Self.table, "\(Self.path): the rule table differs from the catalogue (header or order); run with FLASHPLAN_RECORD=1")
    }

    @Test(arguments: Rule.allCases)
    func entryFitsATableRow(_ rule: Rule) {
        for (name, text) in [("summary", rule.summary), ("fix", rule.fix)] {
            #expect(!text.isEmpty, "[\(rule)] has no \(name)")
            #expect(!text.contains("|") && !text.contains("\n"), "[\(rule)]: the \(name) would break its Markdown table row")
            #expect(text.hasSuffix("."), "[\(rule)]: the \(name) is a sentence and ends with a full stop")
        }
    }
}
