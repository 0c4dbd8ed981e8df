import Testing

@testable import FlashPlanConfig
import FlashPlanModel

/// What the fuzzer (`flashplan-fuzz`, .ci/fuzz.sh) found, each kept as a test: bad input
/// gets a diagnostic at a place that exists in the file (docs/reliability.md, "Fuzzing").
@Suite("Fuzzing findings")
struct FuzzRegressionTests {
    /// Loads `text` as the one file `f.yaml`, from its bytes as a file on disk is.
    func load(_ text: String) -> LoadResult {
        ConfigurationLoader.load(contents: [(path: "f.yaml", bytes: Array(text.utf8))])
    }

    /// Every diagnostic points at a line of the file and a column of that line, or just
    /// after its end; so the renderer can show the line with a caret under the column.
    func expectInside(_ text: String, _ result: LoadResult, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        // At LF bytes: as a Character, CR LF is one, which is not "\n".
        let lines = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        #expect(!result.diagnostics.isEmpty, sourceLocation: sourceLocation)
        for diagnostic in result.diagnostics {
            let at = diagnostic.location
            #expect(at.file == "f.yaml", "\(diagnostic)", sourceLocation: sourceLocation)
            #expect((1...lines.count).contains(at.line), "\(diagnostic) is past line \(lines.count)", sourceLocation: sourceLocation)
            guard (1...lines.count).contains(at.line) else { continue }
            #expect(
                (1...(lines[at.line - 1].unicodeScalars.count + 1)).contains(at.column), "\(diagnostic)",
                sourceLocation: sourceLocation)
            #expect(result.renderer.render(diagnostic).contains("^"), "a snippet with a caret: \(result.renderer.render(diagnostic))", sourceLocation: sourceLocation)
        }
    }

    /// Finding 1 (config-crash-228f5e99…): a syntax error at the end of a file that does not
    /// end in a newline was reported one line past the end (libyaml counts a line break it
    /// adds there), so the diagnostic named a line the file does not have and showed no snippet.
    @Test func aSyntaxErrorAtTheEndOfAFileWithoutFinalNewlineIsOnItsLastLine() throws {
        let text = "version: 1\n\nseversiot"
        let result = load(text)
        expectInside(text, result)
        let error = try #require(result.diagnostics.first { $0.rule == .yamlSyntax })
        #expect(error.location.line == 3, "\(error)")
        #expect(!error.message.contains("line 4"), "the message's own position is the same line: \(error.message)")
    }

    /// The same for a value left empty at the very end (`key:`): its implied null is at the
    /// end of the last line.
    @Test func anEmptyValueAtTheEndOfAFileIsOnItsLastLine() {
        let text = "version: 1\nsettings:\n  timezone:"
        expectInside(text, load(text))
    }

    /// libyaml also breaks lines at a lone CR, NEL (U+0085), LS (U+2028) and PS (U+2029),
    /// which neither the renderer nor editors do: positions are counted at LF only.
    @Test func lineBreaksOtherThanLFDoNotShiftPositions() {
        for separator in ["\r", "\u{85}", "\u{2028}", "\u{2029}"] {
            let text = "version: 1\(separator)hosts: [\(separator)\(separator)\nbogus: {"
            expectInside(text, load(text))
        }
        let text = "version: 1\r\nunknown_key: 1\r\n"
        let result = load(text)
        expectInside(text, result)
        #expect(result.diagnostics.first?.location.line == 2)
    }

    /// Finding 3 (config-crash-1f8ad961…, CI of 2026-12-02): an invalid schedule's column was
    /// its scalar's start plus the offset of the fault in the parsed text; for a quoted
    /// scalar folded over two lines (and for escapes or block scalars) that text is not what
    /// stands in the file, so the column fell past the end of the line.
    @Test func anInvalidScheduleThatIsNotWrittenVerbatimIsPointedAtItsStart() {
        let schedules = [
            "\"*-*-*\n          hosts 00/4:00:00\"",  // folded double-quoted
            "'*-*-*\n          hosts 00/4:00:00'",  // folded single-quoted
            "Mon\n          hosts 00/4:00:00",  // folded plain
            "\"\\x2A-*-* 25:00\"",  // an escape: shorter than written
            "'it''s 25:00'",  // a doubled quote
            ">-\n          Mon 25:00",  // a block scalar
            "|\n          Mon 25:00 hosts",
        ]
        for schedule in schedules {
            let text = """
                version: 1
                policies:
                  daily: { frequency: daily, retention: { count: 7 } }
                resource_groups:
                  g1:
                    volumes: [v1]
                    policies:
                      - policy: daily
                        schedule: \(schedule)

                """
            let result = load(text)
            expectInside(text, result)
            #expect(result.diagnostics.contains { $0.rule == .invalidSchedule }, "\(result.diagnostics)")
        }
    }
}
