/// Why a calendar event expression was rejected, and where.
///
/// `offset` is the 0-based character offset inside the expression of the
/// token that is wrong (the place to put a caret under); `message` says what
/// is wrong with it in words a user can act on.
public struct CalendarEventError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 0-based character offset inside the expression.
    public var offset: Int
    /// What is wrong, e.g. "hour 25 is out of range 0..23".
    public var message: String

    /// Creates an error pointing at `offset`.
    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    /// `offset+1: message` — the 1-based column first, as compilers print it.
    public var description: String { "\(offset + 1): \(message)" }

    /// Renders the error for a terminal: `error: EXPR:COL: message`, the
    /// expression, and a caret under the offending character.
    public func rendered(expression: String) -> String {
        let caretColumn = min(max(offset, 0), expression.count)
        return "error: \(expression):\(offset + 1): \(message)\n"
            + "  \(expression)\n"
            + "  \(String(repeating: " ", count: caretColumn))^"
    }
}
