import Foundation
import Testing

@testable import FlashPlanConfig
import FlashPlanModel

/// Keeps `docs/configuration.md` true to the language (`Language`, from which the
/// decoder and the JSON Schema are built). Its rule table is `RuleTableTests`' concern.
@Suite("docs/configuration.md")
struct DocumentationTests {
    static let path = "docs/configuration.md"

    static func text() throws -> String {
        try String(contentsOf: Support.repositoryRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// The text under `### \`name\``, up to the next `##` or `###` heading (`####` subsections included).
    static func section(_ name: String, in text: String) -> String? {
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: "### `\(name)`") else { return nil }
        let end = lines[(start + 1)...].firstIndex { $0.hasPrefix("## ") || $0.hasPrefix("### ") } ?? lines.count
        return lines[start..<end].joined(separator: "\n")
    }

    /// Every field reachable from `kind`, nested objects, lists and retentions included.
    static func fields(of kind: ValueKind) -> [Field] {
        switch kind {
        case .object(let fields): fields + fields.flatMap { Self.fields(of: $0.kind) }
        case .list(let element): fields(of: element)
        case .nameMap(let value): fields(of: value)
        case .retention: [Field("count", .integer(Retention.countRange), ""), Field("days", .integer(Retention.daysRange), "")]
        default: []
        }
    }

    static func tableRows(for key: String, in section: String) -> [String] {
        section.components(separatedBy: "\n").filter { $0.hasPrefix("| `\(key)` |") }
    }

    @Test(arguments: Language.file.map(\.key))
    func everyKeyOfTheSectionIsDocumented(section name: String) throws {
        let text = try Self.text()
        let section = try #require(Self.section(name, in: text), "\(Self.path) has no heading ### `\(name)`")
        let top = try #require(Language.file.first { $0.key == name })
        let keys = Set(Self.fields(of: top.kind).map(\.key))
        for key in keys.sorted() {
            #expect(section.contains("`\(key)`"), "section `\(name)` of \(Self.path) does not mention `\(key)`")
        }
        if keys.isEmpty {
            #expect(!Self.tableRows(for: name, in: section).isEmpty, "section `\(name)` has no table row for `\(name)`")
        }
    }

    @Test(arguments: Language.file.map(\.key))
    func tablesGiveEveryDefaultAndRequiredKey(section name: String) throws {
        let text = try Self.text()
        let section = try #require(Self.section(name, in: text))
        let top = try #require(Language.file.first { $0.key == name })
        let fields = Self.fields(of: top.kind) + (name == "version" ? [top] : [])
        for field in fields where field.required || field.defaultValue != nil {
            let rows = Self.tableRows(for: field.key, in: section)
            #expect(!rows.isEmpty, "section `\(name)`: no table row `| \\`\(field.key)\\` |`")
            if field.required {
                #expect(rows.contains { $0.contains("*required*") }, "section `\(name)`: `\(field.key)` is required; rows: \(rows)")
            }
            if let value = field.defaultValue {
                #expect(rows.contains { $0.contains(value) }, "section `\(name)`: the default of `\(field.key)` is \(value); rows: \(rows)")
            }
        }
    }

    @Test func theArrayCatalogueMatchesTheModels() throws {
        let text = try Self.text()
        let lines = text.components(separatedBy: "\n")
        for model in ArrayModel.allCases {
            let row = lines.first { $0.hasPrefix("| \(model.rawValue) |") }
            let capacities = model.capacitiesTB.map(String.init).joined(separator: ", ")
            #expect(row?.contains("| \(model.flash) | \(capacities) |") == true, "catalogue row of \(model.rawValue): \(row ?? "missing")")
            #expect(row?.contains(model.survivesModuleFailure ? "| yes" : "| no") == true)
        }
    }

    @Test func theExampleIsValid() throws {
        let text = try Self.text()
        let example = try #require(text.components(separatedBy: "## Example").last)
        let yaml = try #require(example.components(separatedBy: "```yaml\n").dropFirst().first?.components(separatedBy: "```").first)
        let result = ConfigurationLoader.load(sources: [SourceFile(path: "example.yaml", text: yaml)])
        #expect(result.diagnostics.isEmpty, "\(Support.describe(result.diagnostics))")
        #expect(result.configuration.resourceGroups["db"]?.clones.count == 1)
    }

    @Test func theSampleDiagnosticIsReal() throws {
        // The sample in "Files and directories" is what a typo in the shipped policies prints.
        let text = try Self.text()
        let directory = Support.repositoryRoot.appendingPathComponent("policies")
        var sources = try ConfigurationLoader.configurationFiles(in: directory.path).map { path in
            SourceFile(path: "policies/" + (path as NSString).lastPathComponent, text: try String(contentsOfFile: path, encoding: .utf8))
        }
        let index = try #require(sources.firstIndex { $0.path == "policies/volumes.yaml" })
        var lines = sources[index].text.components(separatedBy: "\n")
        #expect(lines[11] == "    pool: gold")
        lines[11] = "    pool: gld"
        sources[index].text = lines.joined(separator: "\n")
        let result = ConfigurationLoader.load(sources: sources)
        let rendered = result.renderer.render(result.diagnostics)
        #expect(text.contains("```text\n" + rendered.components(separatedBy: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n  ```"), "\(rendered)")
    }
}
