import FlashPlanModel
import Testing

@Test func diagnosticDescriptionIsCompilerStyle() {
    let d = Diagnostic.error(.unknownKey, at: SourceLocation(file: "p.yaml", line: 3, column: 5), "unknown key 'sitee'")
    #expect(d.description == "p.yaml:3:5: error: unknown key 'sitee' [unknown-key]")
}

@Test func rendererShowsSnippetCaretAndNote() {
    let d = Diagnostic.error(.wrongType, at: SourceLocation(file: "p.yaml", line: 2, column: 9), "bad", note: "fix it")
    let text = DiagnosticRenderer(sources: ["p.yaml": "a: 1\nsize:   x\n"]).render(d)
    #expect(text == "p.yaml:2:9: error: bad [wrong-type]\n 2 | size:   x\n   |         ^\n  note: fix it")
}

@Test func strictPromotesWarnings() {
    let w = Diagnostic.warning(.targeting, at: .unknown, "m")
    #expect(![w].hasErrors)
    #expect([w].promotingWarnings().hasErrors)
}
