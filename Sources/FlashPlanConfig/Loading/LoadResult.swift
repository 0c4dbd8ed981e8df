import FlashPlanModel

/// What loading a configuration directory produced.
public struct LoadResult: Sendable {
    /// The validated configuration; meaningful only when `diagnostics` has no errors.
    public var configuration: Configuration
    public var diagnostics: [Diagnostic]
    /// The files read, for diagnostic snippets.
    public var sources: [SourceFile]

    public var hasErrors: Bool { diagnostics.hasErrors }

    /// A renderer that can show snippets from the files read.
    public var renderer: DiagnosticRenderer {
        DiagnosticRenderer(sources: Dictionary(sources.map { ($0.path, $0.text) }, uniquingKeysWith: { a, _ in a }))
    }
}
