import ArgumentParser
import FlashPlanEngine
import FlashPlanApp
import Foundation

/// Writes a command's outcome and exits with its code.
func emit(_ outcome: CommandOutcome) throws {
    if !outcome.stdout.isEmpty {
        FileHandle.standardOutput.write(Data((outcome.stdout.hasSuffix("\n") ? outcome.stdout : outcome.stdout + "\n").utf8))
    }
    if !outcome.stderr.isEmpty {
        FileHandle.standardError.write(Data((outcome.stderr.hasSuffix("\n") ? outcome.stderr : outcome.stderr + "\n").utf8))
    }
    if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
}

enum Terminal {
    /// Colors only on a terminal, and never with NO_COLOR set (https://no-color.org).
    static var colorEnabled: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }
}
