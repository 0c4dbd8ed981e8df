/// Renders diagnostics as compiler-style text with the offending line and a caret.
public struct DiagnosticRenderer: Sendable {
    /// File contents by path, for snippets. A file not present renders without a snippet.
    public var sources: [String: String]

    public init(sources: [String: String] = [:]) {
        self.sources = sources
    }

    public func render(_ diagnostic: Diagnostic) -> String {
        var out = diagnostic.description
        if let text = sources[diagnostic.location.file], diagnostic.location.line > 0 {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if diagnostic.location.line <= lines.count {
                let line = String(lines[diagnostic.location.line - 1])
                let gutter = String(diagnostic.location.line)
                out += "\n \(gutter) | \(line)"
                let pad = String(repeating: " ", count: max(0, diagnostic.location.column - 1))
                out += "\n \(String(repeating: " ", count: gutter.count)) | \(pad)^"
            }
        }
        if let note = diagnostic.note {
            out += "\n  note: \(note)"
        }
        return out
    }

    public func render(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.map(render).joined(separator: "\n")
    }
}
