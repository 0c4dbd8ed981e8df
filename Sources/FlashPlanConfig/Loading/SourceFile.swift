/// One configuration file as read from disk.
public struct SourceFile: Sendable, Hashable {
    /// The path as shown in diagnostics (relative to the working directory when given so).
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}
