import Foundation
import Testing

/// Golden files under `Tests/FlashPlanEngineTests/Golden/`, read and written in the
/// source tree (found from `#filePath`), so that `FLASHPLAN_RECORD=1 swift test` rewrites them.
enum GoldenFile {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static var recording: Bool { ProcessInfo.processInfo.environment["FLASHPLAN_RECORD"] == "1" }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// Compares `actual` with the golden file `name` (or records it), reporting a line diff.
    static func check(_ actual: String, against name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let url = url(name)
        if recording {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try actual.write(to: url, atomically: true, encoding: .utf8)
            } catch {
                Issue.record("cannot record \(url.path): \(error)", sourceLocation: sourceLocation)
            }
            return
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            Issue.record("golden file Golden/\(name) is missing; run FLASHPLAN_RECORD=1 swift test to record it", sourceLocation: sourceLocation)
            return
        }
        let expected = String(decoding: data, as: UTF8.self)
        guard expected != actual else { return }
        let diff = lineDiff(expected: expected, actual: actual)
        Issue.record(
            "Golden/\(name) differs (- expected, + actual; FLASHPLAN_RECORD=1 swift test accepts the actual output):\n\(diff)",
            sourceLocation: sourceLocation)
    }

    /// A unified-style line diff with line numbers in the expected (-) and actual (+) text,
    /// two lines of context around each change, from a longest common subsequence.
    static func lineDiff(expected: String, actual: String, context: Int = 2) -> String {
        let a = expected.components(separatedBy: "\n")
        let b = actual.components(separatedBy: "\n")
        // lcs[i][j]: length of the LCS of a[i...] and b[j...].
        var lcs = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        enum Line { case same(Int, Int), removed(Int), added(Int) }
        var lines: [Line] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                lines.append(.same(i, j)); i += 1; j += 1
            } else if i < a.count, j == b.count || lcs[i + 1][j] >= lcs[i][j + 1] {
                lines.append(.removed(i)); i += 1
            } else {
                lines.append(.added(j)); j += 1
            }
        }
        let changed = lines.indices.filter { if case .same = lines[$0] { false } else { true } }
        var shown = Set<Int>()
        for index in changed { for k in max(0, index - context)...min(lines.count - 1, index + context) { shown.insert(k) } }
        let width = String(max(a.count, b.count)).count
        func number(_ n: Int) -> String { String(repeating: " ", count: width - String(n + 1).count) + String(n + 1) }
        var out: [String] = []
        var previous: Int?
        for index in shown.sorted() {
            if let previous, index != previous + 1 { out.append(String(repeating: " ", count: width) + " ...") }
            previous = index
            switch lines[index] {
            case .same(let x, _): out.append("\(number(x))   \(a[x])")
            case .removed(let x): out.append("\(number(x)) - \(a[x])")
            case .added(let y): out.append("\(number(y)) + \(b[y])")
            }
        }
        return out.joined(separator: "\n")
    }
}
