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
private func write(_ text: String, to handle: FileHandle) {
    guard !text.isEmpty else { return }
    var text = text
    text.withUTF8 { buffer in
        guard let base = buffer.baseAddress else { return }
        handle.write(Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: buffer.count, deallocator: .none))
    }
    if !text.hasSuffix("\n") { handle.write(Data("\n".utf8)) }
}

enum Terminal {
    /// Colors only on a terminal, and never with NO_COLOR set (https://no-color.org).
    static var colorEnabled: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }
}
