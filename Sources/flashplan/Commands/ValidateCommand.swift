import ArgumentParser
import FlashPlanConfig
import FlashPlanEngine
import FlashPlanApp
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
        try emit(Validation.run(options))
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
