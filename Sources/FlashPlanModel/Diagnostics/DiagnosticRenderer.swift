/// Renders diagnostics as compiler-style text with the offending line and a caret.
///
/// Messages and notes arrive escaped (`Diagnostic.init`); the file name and the source
/// line come straight from the file system and the file, so they are escaped here
/// (`Escaping`), and a very long line is cut to a window around the column.
public struct DiagnosticRenderer: Sendable {
    /// File contents by path, for snippets. A file not present renders without a snippet.
    public var sources: [String: String]

    /// Characters of a source line shown at most; a longer line is cut around the column.
    public static let snippetWidth = 120

    public init(sources: [String: String] = [:]) {
        self.sources = sources
    }

    public func render(_ diagnostic: Diagnostic) -> String {
        render(diagnostic, lines: { file, line in
            sources[file].map { Self.lines($0, maxSplits: line) }
        })
    }

    /// `lines(file, n)`: the file's lines, at least its first `n` when it has them.
    private func render(_ diagnostic: Diagnostic, lines: (String, Int) -> [Substring]?) -> String {
        var out = diagnostic.description
        if diagnostic.location.line > 0, let lines = lines(diagnostic.location.file, diagnostic.location.line) {
            if diagnostic.location.line <= lines.count {
                let (line, caret) = Self.snippet(lines[diagnostic.location.line - 1], column: diagnostic.location.column)
                let gutter = String(diagnostic.location.line)
                out += "\n \(gutter) | \(line)"
                out += "\n \(String(repeating: " ", count: gutter.count)) | \(caret)^"
            }
        }
        if let note = diagnostic.note {
            out += "\n  note: \(note)"
        }
        return out
    }

    /// The line as shown (escaped, cut to `snippetWidth` around `column` with `…`) and
    /// the padding that puts a caret under `column` (tabs kept, so that it lines up).
    static func snippet(_ line: Substring, column: Int) -> (line: String, caret: String) {
        var scalars = Array(line.unicodeScalars)
        if scalars.last == "\r" { scalars.removeLast() }
        var index = max(0, min(column - 1, scalars.count))
        var prefix = "", suffix = ""
        if scalars.count > snippetWidth {
            let start = max(0, min(index - snippetWidth / 2, scalars.count - snippetWidth))
            let end = min(scalars.count, start + snippetWidth)
            prefix = start > 0 ? "…" : ""
            suffix = end < scalars.count ? "…" : ""
            scalars = Array(scalars[start..<end])
            index -= start
        }
        var shown = prefix, pad = prefix.isEmpty ? "" : " "
        for (i, scalar) in scalars.enumerated() {
            let text = scalar == "\t" ? "\t" : Escaping.escape(String(scalar))
            shown += text
            if i < index { pad += scalar == "\t" ? "\t" : String(repeating: " ", count: text.count) }
        }
        return (shown + suffix, pad)
    }

    /// The lines of `text`, each ended by LF as diagnostics count them. CR LF is one
    /// Character, not "\n": split at Characters alone, a file with CR LF line ends
    /// would be one line, and no diagnostic in it would show its snippet.
    static func lines(_ text: String, maxSplits: Int = .max) -> [Substring] {
        text.split(maxSplits: maxSplits, omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }

    /// Each file is split into lines once, so that rendering stays linear in the size of
    /// the files however many diagnostics a file has.
    public func render(_ diagnostics: [Diagnostic]) -> String {
        var split: [String: [Substring]] = [:]
        return diagnostics.map { diagnostic in
            render(diagnostic, lines: { file, _ in
                if let lines = split[file] { return lines }
                let lines = sources[file].map { Self.lines($0) }
                split[file] = lines
                return lines
            })
        }.joined(separator: "\n")
    }
}
