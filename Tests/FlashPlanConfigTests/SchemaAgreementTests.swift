import Foundation
import Testing

@testable import FlashPlanConfig
import FlashPlanModel

/// The JSON Schema must accept exactly what the decoder accepts, or editors and CI
/// would pass files that `flashplan validate` rejects (or the other way round).
@Suite("Schema and decoder agree")
struct SchemaAgreementTests {
    static var schema: [String: Any] {
        let data = Data(ConfigurationSchema.json().utf8)
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    /// The `pattern` of a volume key in the generated schema.
    static func pattern(of key: String) throws -> NSRegularExpression {
        let volumes = (schema["properties"] as? [String: Any])?["volumes"] as? [String: Any]
        let volume = volumes?["additionalProperties"] as? [String: Any]
        let field = (volume?["properties"] as? [String: Any])?[key] as? [String: Any]
        let pattern = try #require(field?["pattern"] as? String, "no pattern for volumes.*.\(key)")
        return try NSRegularExpression(pattern: pattern)
    }

    static func matches(_ regex: NSRegularExpression, _ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Decodes `volumes: {v: {size: TEXT, change_rate: TEXT}}` and says which keys were accepted.
    static func accepted(size: String, changeRate: String) -> (size: Bool, changeRate: Bool) {
        let quote = { (s: String) in "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
        let yaml = "volumes:\n  v:\n    pool: p\n    size: \(quote(size))\n    change_rate: \(quote(changeRate))\n"
        let rules = ConfigurationLoader.load(sources: [SourceFile(path: "t.yaml", text: yaml)]).diagnostics.map(\.rule)
        return (!rules.contains(.invalidSize), !rules.contains(.invalidPercentage))
    }

    static let sizes = [
        "512GiB", "2TiB", "1.5TB", "100 GB", "1B", "0KB", "10PiB", "12.25MiB",
        ".5TB", "1.TB", "1  TB", " 7TB", "7TB ", "1e3GB", "+5GB", "-1TB", "12", "TB", "12tb", "1,5TB", "١TB", "12 TiB ", "0x10GiB",
    ]

    static let percentages = ["80%", "12.5%", "0%", "300%", "80 %", "80", "%", ".5%", "5.%", "1e2%", "+5%", "-5%", "80  %", "nan%", "lots%"]

    @Test(arguments: sizes)
    func sizeAcceptedByBothOrNeither(text: String) throws {
        let schemaSays = Self.matches(try Self.pattern(of: "size"), text)
        #expect(Self.accepted(size: text, changeRate: "5%").size == schemaSays, "schema \(schemaSays ? "accepts" : "rejects") '\(text)'")
    }

    @Test(arguments: percentages)
    func percentageAcceptedByBothOrNeither(text: String) throws {
        let schemaSays = Self.matches(try Self.pattern(of: "change_rate"), text)
        #expect(Self.accepted(size: "1TiB", changeRate: text).changeRate == schemaSays, "schema \(schemaSays ? "accepts" : "rejects") '\(text)'")
    }

    @Test func namesFollowTheSchemaPattern() throws {
        let regex = try NSRegularExpression(pattern: Language.namePattern)
        let long = String(repeating: "a", count: 63)
        for name in ["a", "_x", "erp-data", "fs_rome.a", "A1", long, long + "a", "9x", "-a", ".a", "my pool", "é", "a/b", ""] {
            #expect(Language.isValidName(name) == Self.matches(regex, name), "'\(name)'")
        }
    }
}
