import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `flashplan validate` on bad input of every kind, as a timer job would run it: a clear
/// error for each (file:line:col, what is wrong, how to fix it), in bounded time, and
/// nothing on the terminal that the input controls.
@Suite("flashplan validate / hostile input")
struct ValidateHostileInputEndToEndTests {
    static let infrastructure = """
        arrays:
          fs-a: { model: FlashSystem 720, capacity: 12TB }
          fs-b: { model: FlashSystem 720, capacity: 12TB }
        clusters:
          svc: {}
        pools:
          gold: { cluster: svc, capacity_from: [{ array: fs-a, capacity: 10TB }] }
          vault: { cluster: svc, capacity_from: [{ array: fs-b, capacity: 10TB }] }
        volumes:
          app: { pool: gold, size: 1TiB }

        """

    func writeBytes(_ bytes: [UInt8], to name: String, in dir: ScratchDirectory) throws {
        try Data(bytes).write(to: dir.url.appendingPathComponent(name))
    }

    @Test func aFIFOAndOtherNonFilesAreNamedAndNeverBlock() throws {
        let dir = try ScratchDirectory(files: ["infra.yaml": Self.infrastructure])
        defer { dir.remove() }
        #expect(mkfifo(dir.path + "/pipe.yaml", 0o644) == 0)
        #expect(symlink(dir.path + "/gone.yaml", dir.path + "/dangling.yaml") == 0)
        try FileManager.default.createDirectory(atPath: dir.path + "/folder.yaml", withIntermediateDirectories: true)

        // Nobody ever writes to the FIFO: opening it for reading would wait forever.
        let run = try FlashPlanBinary.run(["validate", "--config", "."], in: dir.url, timeout: 60)
        #expect(run.exitCode == 1, "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        #expect(
            run.stderrLines.filter { $0.contains(": error: ") } == [
                "./dangling.yaml: error: the path is a dangling symbolic link to '\(dir.path)/gone.yaml': its target does not exist [file-unreadable]",
                "./folder.yaml: error: the path is a directory, not a file, although its name ends in .yaml or .yml [file-unreadable]",
                "./pipe.yaml: error: the path is a named pipe (FIFO), not a file; it is not read [file-unreadable]",
            ], "\(run)")
        #expect(run.stderrLines.last == "3 errors, 0 warnings; nothing was changed.", "\(run)")
    }

    @Test func aUTF16FileIsNamedAsSuchWithTheFix() throws {
        let dir = try ScratchDirectory(files: ["infra.yaml": Self.infrastructure])
        defer { dir.remove() }
        let text = "hosts:\n  web: {}\n"
        try writeBytes([0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }, to: "hosts.yaml", in: dir)
        let run = try FlashPlanBinary.run(["validate", "--config", "."], in: dir.url)
        #expect(run.exitCode == 1, "\(run)")
        #expect(
            run.stderr.contains(
                "./hosts.yaml:1:1: error: the file is UTF-16 (little-endian, it starts with a byte order mark), not UTF-8; the file is not read [invalid-encoding]\n"),
            "\(run)")
        #expect(run.stderr.contains("  note: save it as UTF-8"), "\(run)")
    }

    @Test func controlCharactersNeverReachTheTerminalOrTheJSON() throws {
        let dir = try ScratchDirectory(files: ["infra.yaml": Self.infrastructure])
        defer { dir.remove() }
        try dir.write("evil.yaml", "hosts:\n  \"a\\e[31mb\": {}\n  web: { \"si\\nte\": x }\n")
        let run = try FlashPlanBinary.run(["validate", "--config", "."], in: dir.url)
        #expect(run.exitCode == 1, "\(run)")
        #expect(!run.stderr.unicodeScalars.contains { $0.value == 0x1B }, "\(run)")
        #expect(run.stderr.contains("./evil.yaml:2:3: error: 'a\\u{1B}[31mb' is not a valid name [invalid-name]"), "\(run)")
        #expect(run.stderr.contains("./evil.yaml:3:10: error: unknown key 'si\\nte'"), "\(run)")
        // Each diagnostic is one header line: a newline in a key cannot forge another.
        #expect(run.stderrLines.filter { $0.wholeMatch(of: ValidateEndToEndTests.diagnosticLine) != nil }.count == 2, "\(run)")

        let json = try FlashPlanBinary.run(["validate", "--config", ".", "--format", "json"], in: dir.url)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]], "\(json)")
        let messages = rows.compactMap { $0["message"] as? String }
        #expect(messages.contains("'a\\u{1B}[31mb' is not a valid name"), "\(json)")
        #expect(!messages.joined().unicodeScalars.contains { $0.value < 0x20 }, "\(json)")
    }

    @Test func aBillionLaughsFailsFast() throws {
        let dir = try ScratchDirectory(files: ["infra.yaml": Self.infrastructure])
        defer { dir.remove() }
        // Used as a key, the last alias made the YAML library hash 10⁹ values: the run never ended.
        var lines = ["x:", "  - &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for (previous, name) in zip("abcdefgh", "bcdefghi") {
            lines.append("  - &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]")
        }
        lines += ["? *i", ": 1"]
        try dir.write("laughs.yaml", lines.joined(separator: "\n") + "\n")
        let started = Date()
        let run = try FlashPlanBinary.run(["validate", "--config", "."], in: dir.url, timeout: 60)
        #expect(Date().timeIntervalSince(started) < 30, "\(run)")
        #expect(run.exitCode == 1, "\(run)")
        #expect(
            run.stderr.contains(
                "./laughs.yaml:6:37: error: aliases expand the document by more than 100000 values (alias '*d'); a 'billion laughs' document?; the rest of the file is not checked [document-too-complex]"),
            "\(run)")
    }

    @Test func everyRepeatIsReportedOnceWithoutConsequences() throws {
        let dir = try ScratchDirectory(files: [
            "infra.yaml": Self.infrastructure,
            "groups.yaml": """
                policies:
                  daily: { frequency: daily, retention: { count: 7 } }
                  hourly: { frequency: hourly, retention: { count: 24 } }
                hosts:
                  web: {}
                resource_groups:
                  apps:
                    hosts: [web, db]
                    volumes: [app, app]
                    policies: [{ policy: daily }, { policy: hourly, schedule: "*:0/30" }]
                    replicate:
                      - { to: gold, type: vault, retention: { daily: { count: 3 } } }
                hosts:
                  db: {}
                  db: {}

                """,
        ])
        defer { dir.remove() }
        let run = try FlashPlanBinary.run(["validate", "--config", "."], in: dir.url)
        #expect(run.exitCode == 1, "\(run)")
        #expect(
            run.stderrLines.filter { $0.wholeMatch(of: ValidateEndToEndTests.diagnosticLine) != nil } == [
                "./groups.yaml:9:20: error: volume 'app' is listed twice in the volumes of resource group 'apps' [duplicate-entry]",
                "./groups.yaml:10:64: error: schedule '*:0/30' fires every 30min at times, more often than policy 'hourly' (hourly) allows [schedule-too-frequent]",
                "./groups.yaml:12:15: error: volume 'app' would be replicated into its own pool 'gold' [replication-same-pool]",
                "./groups.yaml:13:1: error: key 'hosts' appears twice in the same mapping [duplicate-key]",
                "./groups.yaml:15:3: error: key 'db' appears twice in the same mapping [duplicate-key]",
            ], "\(run)")
        #expect(run.stderr.contains("  note: first listed at ./groups.yaml:9:15; remove one of them"), "\(run)")
    }

    @Test func numbersBeyondTheirRangeAreRefusedNotTrapped() throws {
        let dir = try ScratchDirectory(files: [
            "infra.yaml": Self.infrastructure,
            "big.yaml": """
                volumes:
                  huge: { pool: gold, size: 18446744073709551615PiB, change_rate: 1e9% }
                  wide: { pool: gold, size: 2PiB }
                policies:
                  forever: { frequency: daily, retention: { days: 99999999999999999999 } }
                clusters:
                  big: { io_groups: -99999999999999999999 }

                """,
        ])
        defer { dir.remove() }
        let run = try FlashPlanBinary.run(["validate", "--config", "."], in: dir.url)
        #expect(run.exitCode == 1, "\(run)")
        #expect(
            run.stderrLines.filter { $0.wholeMatch(of: ValidateEndToEndTests.diagnosticLine) != nil } == [
                "./big.yaml:2:29: error: 'size' is 18446744073709551615PiB, more than the largest size, 1PiB [value-out-of-range]",
                "./big.yaml:2:67: error: 'change_rate' must be a percentage such as 80%, not '1e9%' [invalid-percentage]",
                "./big.yaml:3:29: error: 'size' is 2PiB, more than the largest size, 1PiB [value-out-of-range]",
                "./big.yaml:5:51: error: retention days 99999999999999999999 is outside 1..36500 [retention-out-of-range]",
                "./big.yaml:7:21: error: 'io_groups' is -99999999999999999999, outside 1..4 [value-out-of-range]",
            ], "\(run)")
    }
}
