import ArgumentParser
import FlashPlanConfig

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema (2020-12) of the configuration language.")


    func run() throws {
        print(ConfigurationSchema.json(), terminator: "")
    }
}
