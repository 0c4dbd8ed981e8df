/// Progress of an apply, for the progress bar or log lines.
public enum ExecutionEvent: Sendable {
    case started(total: Int)
    case finished(ActionResult, done: Int, total: Int)
    case stopping(signal: Int32)
}
