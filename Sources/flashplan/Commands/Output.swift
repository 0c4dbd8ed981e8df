import ArgumentParser
import FlashPlanEngine
import FlashPlanApp
import Foundation

/// Writes a command's outcome and exits with its code.
func emit(_ outcome: CommandOutcome) throws {
    write(outcome.stdout, to: .standardOutput)
    write(outcome.stderr, to: .standardError)
    if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
}

/// Writes `text`, ending in a newline, from the string's own storage: a fleet's plan JSON
/// is 35 MiB, which a copy into `Data` would fault in again.
func write(_ text: String, to handle: FileHandle) {
    guard !text.isEmpty else { return }
    var text = text
    do {
        try text.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return }
            try handle.write(contentsOf: Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: buffer.count, deallocator: .none))
        }
        if !text.hasSuffix("\n") { try handle.write(contentsOf: Data("\n".utf8)) }
    } catch {
        // A reader that went away (`flashplan check | head -1`). SwiftNIO, which a
        // PostgreSQL state brings in, ignores SIGPIPE for the whole process, so the write
        // fails instead of the process ending: end it as SIGPIPE would have, as on a file.
        signal(SIGPIPE, SIG_DFL)
        raise(SIGPIPE)
    }
}

enum Terminal {
    /// Colors only on a terminal, and never with NO_COLOR set (https://no-color.org).
    static var colorEnabled: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }
}
