import FlashPlanEngine
/// ANSI colors for a terminal; none when writing to a file or pipe, or with `NO_COLOR`.
public struct TerminalStyle: Sendable {
    public var enabled: Bool

    public init(enabled: Bool) { self.enabled = enabled }

    public static let plain = TerminalStyle(enabled: false)

    func paint(_ text: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func green(_ t: String) -> String { paint(t, "32") }
    func yellow(_ t: String) -> String { paint(t, "33") }
    func red(_ t: String) -> String { paint(t, "31") }
    func cyan(_ t: String) -> String { paint(t, "36") }
    func bold(_ t: String) -> String { paint(t, "1") }
    func dim(_ t: String) -> String { paint(t, "2") }

    func symbol(_ kind: ActionKind) -> String {
        switch kind.category {
        case .create, .snapshot: green(kind.symbol)
        case .change: yellow(kind.symbol)
        case .prune, .destroy: red(kind.symbol)
        case .transfer: cyan(kind.symbol)
        }
    }
}
