import Foundation
import Testing

import FlashPlanModel

@Suite struct RuleTests {
    @Test(arguments: Rule.allCases)
    func idIsKebabCase(_ rule: Rule) {
        #expect(rule.rawValue.range(of: #"^[a-z0-9]+(-[a-z0-9]+)*$"#, options: .regularExpression) != nil, "\(rule.rawValue)")
    }

    @Test func aDiagnosticEncodesItsRuleAsThePlainId() throws {
        let diagnostic = Diagnostic.warning(.vaultLabelUnused, at: SourceLocation(file: "t.yaml", line: 2, column: 3), "m")
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(diagnostic)) as? [String: Any]
        #expect(object?["rule"] as? String == "vault-label-unused")
        #expect(try JSONDecoder().decode(Diagnostic.self, from: JSONEncoder().encode(diagnostic)) == diagnostic)
    }

    @Test func interpolationShowsTheId() {
        #expect("[\(Rule.unknownKey)]" == "[unknown-key]")
    }

    @Test func diagnosticsSortByRuleIdAtOnePlace() {
        let at = SourceLocation(file: "t.yaml", line: 1, column: 1)
        let sorted = [Diagnostic.error(.wrongType, at: at, "m"), .error(.duplicateKey, at: at, "m")].sortedByLocation()
        #expect(sorted.map(\.rule) == [.duplicateKey, .wrongType])
    }
}
