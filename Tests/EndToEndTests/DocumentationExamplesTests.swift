import Foundation
import Testing

/// The shell examples of README.md and docs/*.md, run with the built flashplan first on
/// PATH, so that what a reader copies works verbatim. The convention (docs/documentation.md):
/// every fenced block names its language; a `sh` block runs as a bash script with `-e`
/// and must succeed; a `console` block is a transcript whose `$ ` lines run and must
/// print exactly the lines under them; a block that cannot run here (it installs,
/// needs root, or has placeholders) has `<!-- illustrative: why -->` on the line above.
/// Each example runs in a scratch directory holding a copy of `policies/`.
@Suite(.serialized) struct DocumentationExamplesTests {
    struct Block: CustomStringConvertible {
        var file: String
        var line: Int
        var language: String
        var illustrative: Bool
        var lines: [String]
        var description: String { "\(file):\(line) (```\(language))" }
    }

    static let documents: [String] = {
        let docs = (try? FileManager.default.contentsOfDirectory(atPath: Repository.url("docs").path)) ?? []
        return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
    }()

    static let shellLanguages: Set<String> = ["sh", "bash", "shell", "console"]

    /// The fenced blocks of one document, with their indentation (a block inside a list item) removed.
    static func blocks(of file: String) throws -> [Block] {
        let text = try String(contentsOf: Repository.url(file), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        var blocks: [Block] = []
        var index = 0
        while index < lines.count {
            let trimmed = lines[index].drop { $0 == " " }
            guard trimmed.hasPrefix("```") else { index += 1; continue }
            let indent = lines[index].count - trimmed.count
            let language = trimmed.dropFirst(3).split(separator: " ").first.map(String.init) ?? ""
            let above = lines[..<index].last { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? ""
            let illustrative = above.trimmingCharacters(in: .whitespaces).hasPrefix("<!-- illustrative")
            var body: [String] = []
            var end = index + 1
            while end < lines.count, !lines[end].drop(while: { $0 == " " }).hasPrefix("```") {
                body.append(String(lines[end].dropFirst(min(indent, lines[end].prefix { $0 == " " }.count))))
                end += 1
            }
            blocks.append(Block(file: file, line: index + 1, language: language, illustrative: illustrative, lines: body))
            index = end + 1
        }
        return blocks
    }

    static func allBlocks() throws -> [Block] { try documents.flatMap { try blocks(of: $0) } }

    /// A bare ``` leaves the reader (and this test) guessing whether it is a command or output.
    @Test func everyFencedBlockNamesItsLanguage() throws {
        let bare = try Self.allBlocks().filter { $0.language.isEmpty }
        #expect(bare.isEmpty, "fenced blocks without a language: \(bare.map(\.description))")
    }

    /// The shell examples exist and are found: a parser that found none would pass everything.
    @Test func theExamplesAreFound() throws {
        let shell = try Self.allBlocks().filter { Self.shellLanguages.contains($0.language) }
        #expect(shell.contains { !$0.illustrative && $0.language == "sh" })
        #expect(shell.contains { !$0.illustrative && $0.language == "console" })
    }

    @Test(arguments: try DocumentationExamplesTests.allBlocks().filter { DocumentationExamplesTests.shellLanguages.contains($0.language) && !$0.illustrative })
    func runsVerbatim(_ block: Block) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try FileManager.default.copyItem(at: Repository.url("policies"), to: scratch.url.appendingPathComponent("policies"))
        if block.language == "console" {
            try runTranscript(block, in: scratch)
        } else {
            let run = try shell(block.lines.joined(separator: "\n"), in: scratch)
            #expect(run.exitCode == 0, "\(block) failed:\n\(run)")
        }
    }

    /// Each `$ command` runs in turn; what it prints must be the lines up to the next `$ `.
    private func runTranscript(_ block: Block, in scratch: ScratchDirectory) throws {
        var commands: [(command: String, expected: [String])] = []
        for line in block.lines {
            if line.hasPrefix("$ ") {
                commands.append((String(line.dropFirst(2)), []))
            } else if !commands.isEmpty {
                commands[commands.count - 1].expected.append(line)
            }
        }
        #expect(!commands.isEmpty, "\(block) has no `$ ` line")
        for (command, expected) in commands {
            let run = try shell(command, in: scratch)
            #expect(run.exitCode == 0, "\(block): `\(command)` failed:\n\(run)")
            let printed = (run.stdout + run.stderr).components(separatedBy: "\n")
            #expect(trimmed(printed) == trimmed(expected), "\(block): `\(command)` printed\n\(run.stdout)\(run.stderr)")
        }
    }

    private func trimmed(_ lines: [String]) -> [String] {
        var lines = lines.map { String($0.reversed().drop { $0 == " " }.reversed()) }
        while lines.last == "" { lines.removeLast() }
        return lines
    }

    private func shell(_ script: String, in scratch: ScratchDirectory) throws -> FlashPlanBinary.Result {
        let binaryDirectory = try FlashPlanBinary.locate().deletingLastPathComponent().path
        let path = binaryDirectory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        return try FlashPlanBinary.run(
            ["-e", "-o", "pipefail", "-c", script], in: scratch.url, environment: ["PATH": path],
            executable: URL(fileURLWithPath: "/bin/bash"))
    }

    /// Links between the documents point at files of this repository that exist; nothing
    /// refers to a document the reader of the repository does not have.
    @Test func linksStayInsideTheRepositoryAndResolve() throws {
        let link = /\]\(([^)#\s]+)(#[^)]*)?\)/
        var broken: [String] = []
        for file in Self.documents {
            let text = try String(contentsOf: Repository.url(file), encoding: .utf8)
            for match in text.matches(of: link) {
                let target = String(match.output.1)
                if target.contains("://") || target.hasPrefix("mailto:") { continue }
                let resolved = Repository.url(file).deletingLastPathComponent().appendingPathComponent(target).standardizedFileURL
                if !resolved.path.hasPrefix(Repository.root.standardizedFileURL.path + "/")
                    || !FileManager.default.fileExists(atPath: resolved.path)
                {
                    broken.append("\(file): \(target)")
                }
            }
            if text.contains("DESIGN") { broken.append("\(file): refers to DESIGN, a document outside the repository") }
        }
        #expect(broken.isEmpty, "\(broken)")
    }
}

/// `flashplan --version` names the version and the commit the binary was built from.
@Suite struct VersionEndToEndTests {
    @Test func versionNamesTheCommitOrSaysItIsUnknown() throws {
        let run = try FlashPlanBinary.run(["--version"])
        #expect(run.exitCode == 0, "\(run)")
        let line = run.stdout.trimmingCharacters(in: .newlines)
        #expect(
            line.wholeMatch(of: /flashplan [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{7,}(-dirty)?|unknown)\)/) != nil,
            "\(line)")
    }
}
