import ArgumentParser
import FlashPlanConfig
import FlashPlanEngine
import Foundation

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Load and check the configuration; change nothing.",
        discussion: """
            Reports every problem as file:line:col: error: message [rule-id] with the offending \
            line. Exit 0 when valid, 1 when not.
            """)

    @OptionGroup var config: ConfigOptions

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Option(help: "Output format: text or json (diagnostics for CI annotations).")
    var format: OutputFormat = .text

    func run() throws {
        let options = ValidateOptions(directory: config.directory, strict: strict, json: format == .json)
        let outcome = try Validation.run(options)
        if !outcome.stdout.isEmpty { print(outcome.stdout) }
        if !outcome.stderr.isEmpty { FileHandle.standardError.write(Data((outcome.stderr + "\n").utf8)) }
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
