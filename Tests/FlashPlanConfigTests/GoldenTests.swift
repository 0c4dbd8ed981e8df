import Foundation
import Testing

@testable import FlashPlanConfig
import FlashPlanModel

/// The exact text users see for a directory full of problems: every diagnostic with
/// its snippet, caret and note, as `DiagnosticRenderer` draws it.
///
/// `Fixtures/invalid/*.yaml` is loaded with paths `invalid/<file>` so that the text
/// does not depend on where the checkout lives; it is compared with `Fixtures/invalid.golden`.
/// Run with `FLASHPLAN_RECORD=1` to rewrite the golden file after an intended change.
@Suite("Golden diagnostics")
struct GoldenTests {
    static let fixtures = Support.testsDirectory.appendingPathComponent("Fixtures")

    @Test func invalidDirectoryRendersAsRecorded() throws {
        let directory = Self.fixtures.appendingPathComponent("invalid")
        let sources = try ConfigurationLoader.configurationFiles(in: directory.path).map { path in
            SourceFile(
                path: "invalid/" + String(path.dropFirst(directory.path.count + 1)),
                text: try String(contentsOfFile: path, encoding: .utf8))
        }
        #expect(sources.count >= 3)
        let result = ConfigurationLoader.load(sources: sources)
        let actual = result.renderer.render(result.diagnostics) + "\n"
        try Golden.compare(actual, with: Self.fixtures.appendingPathComponent("invalid.golden"))

        // The fixture is meant to be full of problems of many kinds.
        #expect(Set(result.diagnostics.map(\.rule)).count >= 20)
        #expect(Set(result.diagnostics.map(\.location.file)).count == sources.count)
    }
}

/// Compares text with a golden file, or records it when `FLASHPLAN_RECORD=1`.
enum Golden {
    static var recording: Bool { ProcessInfo.processInfo.environment["FLASHPLAN_RECORD"] == "1" }

    static func compare(_ actual: String, with url: URL, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        if recording {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("\(url.path) is missing; run the tests with FLASHPLAN_RECORD=1 to create it", sourceLocation: sourceLocation)
            return
        }
        if expected != actual {
            let message = "\(url.lastPathComponent) differs (- expected, + actual); if the change is intended, run with FLASHPLAN_RECORD=1\n"
                + diff(expected, actual)
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        }
    }

    /// A line diff (longest common subsequence) showing only changed lines with two lines of context.
    static func diff(_ old: String, _ new: String) -> String {
        let a = old.components(separatedBy: "\n"), b = new.components(separatedBy: "\n")
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        enum Line { case same(String), removed(Int, String), added(Int, String) }
        var lines: [Line] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                lines.append(.same(a[i])); i += 1; j += 1
            } else if i < a.count, j == b.count || lcs[i + 1][j] >= lcs[i][j + 1] {
                lines.append(.removed(i + 1, a[i])); i += 1
            } else {
                lines.append(.added(j + 1, b[j])); j += 1
            }
        }
        var show = [Bool](repeating: false, count: lines.count)
        for (index, line) in lines.enumerated() {
            if case .same = line { continue }
            for k in max(0, index - 2)...min(lines.count - 1, index + 2) { show[k] = true }
        }
        var out: [String] = []
        var skipped = false
        for (index, line) in lines.enumerated() {
            guard show[index] else { skipped = true; continue }
            if skipped { out.append("   ..."); skipped = false }
            switch line {
            case .same(let text): out.append("    \(text)")
            case .removed(let n, let text): out.append("-\(String(n).padding(toLength: 4, withPad: " ", startingAt: 0))\(text)")
            case .added(let n, let text): out.append("+\(String(n).padding(toLength: 4, withPad: " ", startingAt: 0))\(text)")
            }
        }
        if skipped, !out.isEmpty { out.append("   ...") }
        return out.joined(separator: "\n")
    }
}

@Suite("Golden diff")
struct GoldenDiffTests {
    @Test func diffShowsChangedLinesWithContext() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh"
        let new = "a\nb\nc\nd\nE\nf\ng\nh"
        #expect(Golden.diff(old, new) == "   ...\n    c\n    d\n-5   e\n+5   E\n    f\n    g\n   ...")
    }

    @Test func diffOfEqualTextIsEmpty() {
        #expect(Golden.diff("a\nb", "a\nb") == "")
    }
}
