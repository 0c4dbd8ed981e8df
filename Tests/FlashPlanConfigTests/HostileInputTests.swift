import Foundation
import Testing

@testable import FlashPlanConfig
import FlashPlanModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bad input of every kind gets a clear error (file:line:col, what is wrong, how to fix
/// it) in bounded time, and nothing else goes wrong because of it.
@Suite("Hostile input")
struct HostileInputTests {
    /// A scratch directory with `files` written as bytes.
    final class Scratch {
        let url: URL
        var path: String { url.path }

        init(_ files: [String: [UInt8]] = [:]) throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("flashplan-hostile-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            for (name, bytes) in files { try write(name, bytes) }
        }

        func write(_ name: String, _ bytes: [UInt8]) throws {
            try Data(bytes).write(to: url.appendingPathComponent(name))
        }

        func write(_ name: String, _ text: String) throws { try write(name, Array(text.utf8)) }

        deinit { try? FileManager.default.removeItem(at: url) }
    }

    static let valid = "hosts:\n  h1: {}\n"

    func describe(_ result: LoadResult) -> [String] {
        result.diagnostics.map { "\($0.location.description.split(separator: "/").last!) \($0.rule)" }
    }

    // MARK: what a path is

    @Test func everyKindOfNonFileIsNamedForWhatItIs() throws {
        let dir = try Scratch(["ok.yaml": Array(Self.valid.utf8)])
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("dir.yaml"), withIntermediateDirectories: true)
        #expect(mkfifo(dir.path + "/fifo.yaml", 0o644) == 0)
        #expect(symlink("/dev/null", dir.path + "/device.yaml") == 0)
        #expect(symlink(dir.path + "/nowhere.yaml", dir.path + "/dangling.yaml") == 0)
        #expect(symlink(dir.path + "/loop-b.yaml", dir.path + "/loop-a.yaml") == 0)
        #expect(symlink(dir.path + "/loop-a.yaml", dir.path + "/loop-b.yaml") == 0)
        try dir.write("target.txt", "hosts:\n  h9: {}\n")
        #expect(symlink(dir.path + "/target.txt", dir.path + "/link.yaml") == 0)

        let started = Date()
        let result = try ConfigurationLoader.load(directory: dir.path)
        #expect(Date().timeIntervalSince(started) < 10, "reading must not block on the FIFO")
        let messages = Dictionary(
            result.diagnostics.map { (String($0.location.file.split(separator: "/").last!), $0) }, uniquingKeysWith: { a, _ in a })
        #expect(result.diagnostics.allSatisfy { $0.rule == .fileUnreadable }, "\(Support.describe(result.diagnostics))")
        #expect(messages["dir.yaml"]?.message.contains("is a directory, not a file") == true)
        #expect(messages["fifo.yaml"]?.message.contains("is a named pipe (FIFO), not a file; it is not read") == true)
        #expect(messages["device.yaml"]?.message.contains("is a character device, not a file") == true)
        #expect(messages["dangling.yaml"]?.message.contains("is a dangling symbolic link to '\(dir.path)/nowhere.yaml'") == true)
        #expect(messages["loop-a.yaml"]?.message.contains("is a symbolic link loop") == true)
        #expect(messages["loop-b.yaml"]?.message.contains("is a symbolic link loop") == true)
        #expect(messages["link.yaml"] == nil, "a link to a regular file is read")
        #expect(result.configuration.hosts["h9"] != nil)
        #expect(messages.count == 6, "\(Support.describe(result.diagnostics))")
        // No line: the file itself is the problem.
        #expect(messages["fifo.yaml"]?.description.hasPrefix(dir.path + "/fifo.yaml: error: ") == true)
        #expect(result.hasErrors)
    }

    @Test func aSymbolicLinkToADirectoryIsNotFollowedSoALoopCannotHang() throws {
        let dir = try Scratch(["a.yaml": Array(Self.valid.utf8)])
        #expect(symlink(dir.path, dir.path + "/again") == 0)
        #expect(symlink(dir.path, dir.path + "/again.yaml") == 0)
        let result = try ConfigurationLoader.load(directory: dir.path)
        #expect(result.sources.map { $0.path.split(separator: "/").last! } == ["a.yaml"])
        #expect(describe(result) == ["again.yaml file-unreadable"], "\(Support.describe(result.diagnostics))")
    }

    @Test func aFileAboveTheLimitIsRefusedWithoutReadingIt() throws {
        let dir = try Scratch()
        let path = dir.path + "/big.yaml"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("hosts: {}\n".utf8)))
        #expect(truncate(path, off_t(Limits.maximumFileSize + 1)) == 0)
        let result = try ConfigurationLoader.load(directory: dir.path)
        #expect(describe(result) == ["big.yaml file-too-large"])
        #expect(result.diagnostics.first?.message == "the file is 16.0 MiB, more than the 16 MiB a configuration file may have; it is not read")
    }

    // MARK: encodings

    @Test func encodingsAreNamedPrecisely() throws {
        let utf16LE: [UInt8] = [0xFF, 0xFE] + Self.valid.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let utf16BE: [UInt8] = [0xFE, 0xFF] + Self.valid.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let utf16Bare: [UInt8] = Self.valid.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let latin1: [UInt8] = Array("hosts:\n  h1: { site: ".utf8) + [0x4D, 0xFC, 0x6E] + Array(" }\n".utf8)  // "Mün" in Latin-1
        let dir = try Scratch([
            "a-utf16le.yaml": utf16LE, "b-utf16be.yaml": utf16BE, "c-utf16.yaml": utf16Bare, "d-latin1.yaml": latin1,
            "e-bom.yaml": [0xEF, 0xBB, 0xBF] + Array("hosts:\n  h2: {}\n".utf8),
            "f-esc.yaml": Array("hosts:\n  h3: { site: a\u{1B}b }\n".utf8),
        ])
        let result = try ConfigurationLoader.load(directory: dir.path)
        #expect(
            result.diagnostics.map { "\($0.location.description.split(separator: "/").last!) \($0.rule): \($0.message)" } == [
                "a-utf16le.yaml:1:1 invalid-encoding: the file is UTF-16 (little-endian, it starts with a byte order mark), not UTF-8; the file is not read",
                "b-utf16be.yaml:1:1 invalid-encoding: the file is UTF-16 (big-endian, it starts with a byte order mark), not UTF-8; the file is not read",
                "c-utf16.yaml:1:1 invalid-encoding: the file looks like UTF-16 (little-endian, no byte order mark), not UTF-8; the file is not read",
                "d-latin1.yaml:2:16 invalid-encoding: byte 0xFC is not UTF-8 (the file may be Latin-1 or Windows-1252); the file is not read",
                "f-esc.yaml:2:16 yaml-syntax: YAML syntax error: control characters are not allowed (#x1B)",
            ], "\(Support.describe(result.diagnostics))")
        #expect(result.diagnostics.allSatisfy { $0.rule == .yamlSyntax || $0.note == "save it as UTF-8" })
        #expect(result.configuration.hosts["h2"] != nil, "a UTF-8 byte order mark is fine")
    }

    @Test func invalidUTF8IsFoundAtItsLineAndColumn() {
        for (bytes, expected) in [
            ([0xC0, 0x80], "2:5"),  // overlong NUL
            ([0xED, 0xA0, 0x80], "2:5"),  // a surrogate
            ([0xF4, 0x90, 0x80, 0x80], "2:5"),  // above U+10FFFF
            ([0xE2, 0x82], "2:5"),  // truncated
        ] as [([UInt8], String)] {
            let text = Array("a: é\nb: x".utf8) + bytes + Array("\n".utf8)
            let r = ConfigurationLoader.load(files: [(path: "t.yaml", content: .success(text))])
            #expect(r.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.rule)" } == ["\(expected) invalid-encoding"], "\(bytes)")
        }
    }

    // MARK: escaping

    @Test func controlCharactersInAnythingEchoedAreEscaped() throws {
        let result = Support.load(
            "hosts:\n  \"a\\e[31mb\": {}\n  h2: { \"si\\nte\": x }\nvolumes:\n  v2: { pool: \"p\\u202Eq\", size: 1TiB }\n", base: false)
        let rendered = result.renderer.render(result.diagnostics)
        #expect(result.diagnostics.map(\.message).contains("'a\\u{1B}[31mb' is not a valid name"), "\(Support.describe(result.diagnostics))")
        #expect(result.diagnostics.map(\.message).contains { $0.hasPrefix("unknown key 'si\\nte'") })
        #expect(result.diagnostics.map(\.message).contains { $0.hasPrefix("'p\\u{202E}q' is not a valid name") })
        #expect(!rendered.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E }, "\(rendered)")
        // One line per diagnostic header: a newline in a key cannot forge another one.
        #expect(rendered.split(separator: "\n").filter { $0.contains(": error: ") }.count == result.diagnostics.count)

        // A file name and a source line are escaped by the renderer.
        let line = Diagnostic.error(.yamlSyntax, at: SourceLocation(file: "x\u{1B}.yaml", line: 1, column: 3), "m")
        let text = DiagnosticRenderer(sources: ["x\u{1B}.yaml": "a\u{1B}: b\n"]).render(line)
        #expect(text == "x\\u{1B}.yaml:1:3: error: m [yaml-syntax]\n 1 | a\\u{1B}: b\n   |        ^", "\(text)")
    }

    @Test func aVeryLongLineIsCutAroundTheColumnInSnippets() {
        let long = String(repeating: "x", count: 5000) + "BAD" + String(repeating: "y", count: 5000)
        let d = Diagnostic.error(.yamlSyntax, at: SourceLocation(file: "t.yaml", line: 1, column: 5001), "m")
        let text = DiagnosticRenderer(sources: ["t.yaml": long]).render(d)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[1].count < DiagnosticRenderer.snippetWidth + 10, "\(lines[1])")
        #expect(lines[1].contains("…xxx") && lines[1].contains("BADyyy") && lines[1].hasSuffix("…"))
        let caret = lines[2].firstIndex(of: "^")!
        #expect(lines[1][lines[1].index(lines[1].startIndex, offsetBy: lines[2].distance(from: lines[2].startIndex, to: caret))] == "B")
        // Messages quoting a huge value are cut too.
        #expect(Diagnostic.error(.yamlSyntax, at: .unknown, String(repeating: "z", count: 100_000)).message.count <= Escaping.maximumMessageLength + 1)
    }

    // MARK: root causes first

    @Test func aDuplicateSectionCausesNoFalseUnknownReference() {
        let result = Support.load(
            """
            hosts:
              h2: {}
            volumes:
              v2: { pool: p1, size: 1TiB, hosts: [h2, h3] }
            hosts:
              h3: {}
              h2: {}
            """)
        #expect(describe(result) == ["t.yaml:5:1 duplicate-key"], "\(Support.describe(result.diagnostics))")
    }

    @Test func aFileThatDoesNotParseHidesOnlyTheReferencesItMayDeclare() {
        let result = ConfigurationLoader.load(sources: [
            SourceFile(path: "a.yaml", text: Support.base),
            SourceFile(path: "b.yaml", text: "pools:\n  gold: { cluster: c1, capacity_from: [{ array: a1, capacity: 1TB }\npolicies:\n  hourly: {}\n"),
            SourceFile(path: "c.yaml", text: """
                volumes:
                  v2: { pool: gold, size: 1TiB }
                  v3: { pool: silver, size: 1TiB }
                resource_groups:
                  g1: { volumes: [v2], policies: [{ policy: hourly }], replicate: [{ to: p2, type: vault, retention: { hourly: { count: 3 } } }] }
                """),
        ])
        #expect(
            result.diagnostics.map { "\($0.location) \($0.rule)" } == ["b.yaml:3:1 yaml-syntax", "c.yaml:3:15 unknown-reference"],
            "\(Support.describe(result.diagnostics))")
    }

    @Test func anUnreadableFileHidesAllUnknownReferences() throws {
        let dir = try Scratch(["a.yaml": Array("volumes:\n  v2: { pool: gold, size: 1TiB }\n".utf8), "b.yaml": [0xFF, 0xFE, 0x41, 0x00]])
        let result = try ConfigurationLoader.load(directory: dir.path)
        #expect(describe(result) == ["b.yaml:1:1 invalid-encoding"])
    }

    // MARK: numbers

    /// Every accepted number at its bound: loading does not trap, and no sum or product
    /// the later stages make of them can leave 64 bits.
    @Test func extremesAreAcceptedOrRefusedWithoutOverflow() {
        let volumes = (1...63).map { "  x\($0): { pool: p3, size: 1PiB, change_rate: 100%, hosts: [h1] }" }.joined(separator: "\n")
        let result = Support.load(
            """
            clusters:
              c2: { io_groups: 4 }
            pools:
              p3:
                cluster: c2
                capacity_from: [{ array: a1, capacity: 1PiB }]
                warning_threshold: 100%
                max_overcommit: 1000%
            volumes:
            \(volumes)
            policies:
              forever: { frequency: hourly, retention: { days: 36500 } }
              many: { frequency: hourly, label: many, retention: { count: 255 } }
            resource_groups:
              g1:
                volumes: [x1]
                policies: [{ policy: forever, schedule: "*:*:*" }, { policy: many }]
            """)
        let rules = Set(result.diagnostics.map(\.rule))
        #expect(rules == [.scheduleTooFrequent, .tooManySnapshots, .arrayOvercommitted], "\(Support.describe(result.diagnostics))")
        #expect(result.configuration.volumes.count == 64)
        // 36500 days of a schedule firing every second: counted, not overflowed.
        #expect(result.diagnostics.first { $0.rule == .tooManySnapshots }?.message.contains("3153600256 snapshots") == true)
        let total = result.configuration.volumes.values.reduce(UInt64(0)) { $0 + $1.size.bytes }
        #expect(total <= Limits.maximumTotalSize)
        #expect(!Limits.maximumTotalSize.multipliedReportingOverflow(by: 10).overflow, "size × max_overcommit (1000%)")
        #expect(Limits.maximumTotalSize * 10 < UInt64(Int64.max), "and fits the state store's Int64")
        #expect(Retention.daysRange.upperBound.multipliedReportingOverflow(by: 86_400 * 1_000_000).overflow == false, "days in µs")
    }

    // MARK: the snapshot estimate is what the documentation says

    @Test func theSnapshotEstimateIsTheDocumentedOne() throws {
        let doc = try String(contentsOf: Support.repositoryRoot.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        #expect(doc.contains("divided by the shortest time between two backups of its schedule, rounded up"))
        #expect(doc.contains("14 days of an hourly schedule are 337"))
        #expect(doc.contains("7 days of a daily schedule in `Europe/Rome` are 9"))
        func estimate(_ policy: String, zone: String) -> [String] {
            let result = Support.load(
                """
                settings: { timezone: \(zone) }
                policies:
                  p: \(policy)
                  big: { frequency: hourly, label: big, retention: { count: 250 } }
                resource_groups:
                  g1: { volumes: [v1], policies: [{ policy: p }, { policy: big }] }
                """)
            return result.diagnostics.compactMap(\.note)
        }
        #expect(estimate("{ frequency: hourly, retention: { days: 14 } }", zone: "UTC") == [
            "retention adds up as: 337 (group 'g1', label 'hourly', 14 days) + 250 (group 'g1', label 'big', count 250); lower a count or days, or vault long-term copies",
        ])
        #expect(estimate("{ frequency: daily, retention: { days: 7 } }", zone: "Europe/Rome") == [
            "retention adds up as: 9 (group 'g1', label 'daily', 7 days) + 250 (group 'g1', label 'big', count 250); lower a count or days, or vault long-term copies",
        ])
        #expect(estimate("{ frequency: daily, retention: { days: 4 } }", zone: "UTC").isEmpty, "4 days of a daily schedule in UTC are 5")
    }

    // MARK: the limits are documented

    @Test func theLimitsAreDocumented() throws {
        let doc = try String(contentsOf: Support.repositoryRoot.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        for text in [
            "\(Limits.maximumFileSize >> 20) MiB", "\(Limits.maximumScalarLength >> 10) KiB", "\(Limits.maximumDepth) levels",
            "100,000 values", "1PiB", "64PiB", "1000%",
        ] {
            #expect(doc.contains(text), "docs/configuration.md should state \(text)")
        }
        #expect(Limits.maximumAliasExpansion == 100_000)
        #expect(ByteCount(bytes: Limits.maximumSize).description == "1PiB")
        #expect(ByteCount(bytes: Limits.maximumTotalSize).description == "64PiB")
    }
}
