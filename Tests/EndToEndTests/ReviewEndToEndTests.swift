import Foundation
import Testing

/// `flashplan simulate` and `flashplan diff` through the built binary: the shipped
/// policies on a state a week of daily applies old, and a proposed copy whose daily
/// retention is lowered from 14 days to 2.
@Suite(.serialized) struct ReviewEndToEndTests {
    static let now = "2026-11-28T01:00:00Z"

    /// `base/` (the shipped policies), `policies/` (daily-14 lowered to 2 days) and a state
    /// made by daily applies of `base/`. Made once: simulate and diff only read it, which
    /// the tests check.
    static let workspace: Result<ApplyWorkspace, any Error> = Result {
        let workspace = try ApplyWorkspace(copyingPolicies: ())
        try FileManager.default.copyItem(at: Repository.url("policies"), to: workspace.url.appendingPathComponent("base"))
        let protection = workspace.url.appendingPathComponent("policies/protection.yaml")
        let text = try String(contentsOf: protection, encoding: .utf8)
        try text.replacingOccurrences(of: "retention: { days: 14 }", with: "retention: { days: 2 }")
            .write(to: protection, atomically: true, encoding: .utf8)
        for day in 21...27 {
            let run = try workspace.run(["apply", "--auto-approve", "--config", "base", "--state", workspace.state, "--now", "2026-11-\(day)T00:20:00Z"])
            guard run.exitCode == 0 else { throw Failure(description: "\(run)") }
        }
        return workspace
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Runs `arguments` with `--state` and `--now`, and checks that the state directory is
    /// byte-for-byte what it was (SQLite may add the empty -wal/-shm files a reader needs).
    static func readOnly(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> FlashPlanBinary.Result {
        let workspace = try Self.workspace.get()
        let directory = URL(fileURLWithPath: workspace.statePath).deletingLastPathComponent()
        let reader: (String) -> Bool = { $0.hasSuffix("-wal") || $0.hasSuffix("-shm") }
        let before = DirectorySnapshot(directory, excluding: reader)
        let run = try workspace.run(arguments + ["--state", workspace.state, "--now", now])
        let after = DirectorySnapshot(directory, excluding: reader)
        #expect(before.entries["state.db"] != nil)
        #expect(after == before, "the state changed:\nbefore\n\(before)\nafter\n\(after)", sourceLocation: sourceLocation)
        return run
    }

    @Test func simulateReportsProtectionSnapshotsAndPoolsInText() throws {
        let run = try Self.readOnly(["simulate", "--days", "3"])
        #expect(run.exitCode == 0, "\(run)")
        let text = run.stdout
        #expect(text.hasPrefix("Simulated 2026-11-28T01:00:00Z + 3 days, the timer every 1h (73 runs): "), "\(run)")
        #expect(text.contains("  erp/daily "), "per resource group and label")
        #expect(text.contains("RPO met") || text.contains("RPO MET"))
        #expect(text.contains("Snapshots per volume (the simulator's limit is 255):"))
        #expect(text.contains("  erp-data "))
        #expect(text.contains("Pools:") && text.contains("WARNING CROSSED"))
        #expect(run.stderr.contains("the state was not changed"))
        let positions = ["Protection", "Snapshots per volume", "Pools:"].compactMap { text.range(of: $0)?.lowerBound }
        #expect(positions.count == 3 && positions == positions.sorted())
    }

    @Test func simulateJSONValidatesAgainstItsSchemaAndAgreesWithTheLowerRetention() throws {
        let workspace = try Self.workspace.get()
        let base = try Self.readOnly(["simulate", "--config", "base", "--days", "3", "--format", "json"])
        let proposed = try Self.readOnly(["simulate", "--days", "3", "--format", "json"])
        #expect(base.exitCode == 0 && proposed.exitCode == 0, "\(base)\n\(proposed)")
        func daily(_ run: FlashPlanBinary.Result, volume: String) throws -> Int {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            #expect(object["format_version"] as? Int == 1)
            let volumes = try #require((object["simulation"] as? [String: Any])?["volumes"] as? [[String: Any]])
            let entry = try #require(volumes.first { $0["volume"] as? String == volume })
            let labels = try #require(entry["labels"] as? [[String: Any]])
            return labels.first { $0["label"] as? String == "daily" }?["at_end"] as? Int ?? 0
        }
        // crm takes its daily backups on weekdays and keeps them 14 days in base, 2 in the
        // proposal (and always the newest one).
        let kept = (try daily(base, volume: "crm-data"), try daily(proposed, volume: "crm-data"))
        #expect(kept.0 >= 5 && (1...2).contains(kept.1), "\(kept)")
        if JSONSchemaCheck.available {
            let file = workspace.url.appendingPathComponent("simulate.json").path
            try proposed.stdout.write(toFile: file, atomically: true, encoding: .utf8)
            let result = try JSONSchemaCheck.validate(document: file, schema: Repository.url("schemas/simulate.schema.json").path)
            #expect(result.ok, "\(result.message)")
        }
    }

    @Test func simulateMarkdownPutsTheSummaryTableFirstAndFoldsTheDetails() throws {
        let run = try Self.readOnly(["simulate", "--days", "2", "--format", "markdown"])
        #expect(run.exitCode == 0, "\(run)")
        let text = run.stdout
        #expect(text.hasPrefix("### flashplan simulate\n"))
        let table = try #require(text.range(of: "| RPO | "))
        let details = try #require(text.range(of: "<details>"))
        #expect(table.lowerBound < details.lowerBound)
        #expect(text.contains("| peak snapshots | ") && text.contains(" of 255 on `"))
        #expect(text.components(separatedBy: "<details>").count == text.components(separatedBy: "</details>").count)
    }

    @Test func simulateChartIsAnSVGThatRendersToAPictureThatIsNotBlank() throws {
        let workspace = try Self.workspace.get()
        let chart = workspace.url.appendingPathComponent("chart.svg").path
        let run = try Self.readOnly(["simulate", "--days", "3", "--chart", chart])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stderr.contains("Wrote the chart to"))
        let svg = try String(contentsOfFile: chart, encoding: .utf8)
        #expect(svg.contains("<polyline") && svg.contains("erp-data"))
        // Well-formed XML, as a browser's parser needs it.
        let parsed = try FlashPlanProcess.run("/usr/bin/env", ["python3", "-c", "import sys, xml.dom.minidom; d = xml.dom.minidom.parse(sys.argv[1]); print(d.documentElement.tagName, len(d.getElementsByTagName('polyline')))", chart])
        #expect(parsed.status == 0, "\(parsed.output)")
        #expect(parsed.output.hasPrefix("svg "), "\(parsed.output)")
        // A real converter renders it; the picture has drawn and coloured pixels.
        let rsvg = try FlashPlanProcess.run("/usr/bin/env", ["sh", "-c", "command -v rsvg-convert"])
        try #require(rsvg.status == 0, "rsvg-convert is not installed: apt-get install librsvg2-bin (.ci/run does)")
        let png = workspace.url.appendingPathComponent("chart.png").path
        let converted = try FlashPlanProcess.run("/usr/bin/env", ["rsvg-convert", "--format", "png", "--output", png, chart])
        #expect(converted.status == 0, "\(converted.output)")
        let pixels = try FlashPlanProcess.run("/usr/bin/env", ["python3", "-c", Self.pngPixels, png])
        #expect(pixels.status == 0, "\(pixels.output)")
        let figures = pixels.output.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(figures.count == 4, "\(pixels.output)")
        let (width, height, drawn, coloured) = (figures[0], figures[1], figures[2], figures[3])
        #expect(width == 960 && height > 600)
        #expect(drawn > width * height / 100, "at least 1% of the picture is drawn: \(pixels.output)")
        #expect(coloured > 500, "the coloured lines are there: \(pixels.output)")
    }

    /// Decodes an 8-bit PNG (zlib and the five scanline filters) and prints its width,
    /// height, pixels that are not near white, and pixels of a clear colour (not grey).
    static let pngPixels = """
        import struct, sys, zlib
        data = open(sys.argv[1], 'rb').read()
        assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n', 'not a PNG'
        pos, idat = 8, b''
        while pos < len(data):
            (n,) = struct.unpack('>I', data[pos:pos + 4]); kind = data[pos + 4:pos + 8]; body = data[pos + 8:pos + 8 + n]; pos += 12 + n
            if kind == b'IHDR': width, height, depth, colour = struct.unpack('>IIBB', body[:10])
            elif kind == b'IDAT': idat += body
        assert depth == 8, depth
        bpp = {6: 4, 2: 3, 4: 2, 0: 1}[colour]
        raw = zlib.decompress(idat); stride = width * bpp; prev = bytearray(stride); i = 0; drawn = coloured = 0
        for y in range(height):
            f = raw[i]; i += 1; line = bytearray(raw[i:i + stride]); i += stride
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
                if f == 1: line[x] = (line[x] + a) & 255
                elif f == 2: line[x] = (line[x] + b) & 255
                elif f == 3: line[x] = (line[x] + ((a + b) >> 1)) & 255
                elif f == 4:
                    p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            for x in range(0, stride, bpp):
                px = line[x:x + min(bpp, 3)]
                if bpp == 4 and line[x + 3] == 0: continue
                if min(px) < 200: drawn += 1
                if max(px) - min(px) > 80: coloured += 1
            prev = line
        print(width, height, drawn, coloured)
        """

    @Test func simulateWithoutAStateCreatesNoneAndBadFlagsAreRefused() throws {
        let workspace = try Self.workspace.get()
        let missing = "nowhere/state.db"
        let run = try workspace.run(["simulate", "--days", "1", "--step", "6h", "--state", missing, "--now", Self.now])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.contains("(5 runs)"), "\(run)")
        #expect(!FileManager.default.fileExists(atPath: workspace.url.appendingPathComponent("nowhere").path))
        let days = try workspace.run(["simulate", "--days", "0", "--state", missing])
        #expect(days.exitCode == 64 && days.stderr.contains("--days 0"), "\(days)")
        let step = try workspace.run(["simulate", "--days", "1", "--step", "1 hour", "--state", missing])
        #expect(step.exitCode == 64 && step.stderr.contains("--step"), "\(step)")
        let chart = try workspace.run(["simulate", "--days", "1", "--chart", "no-such-dir/c.svg", "--state", missing])
        #expect(chart.exitCode == 1 && chart.stderr.contains("--chart"), "\(chart)")
    }

    @Test func diffShowsTheLoweredRetentionWithFileAndLineAndItsPrunesBeforeRoutineWork() throws {
        let run = try Self.readOnly(["diff", "--base", "base", "--days", "2"])
        #expect(run.exitCode == 0, "\(run)")
        let text = run.stdout
        #expect(text.contains("Intent (1 change):"), "\(run)")
        #expect(text.contains("policies.daily-14  retention.days 14 → 2  policies/protection.yaml:9:"), "\(run)")
        let section = try #require(text.range(of: "only the proposed configuration would ("))
        let lines = text[section.upperBound...].split(separator: "\n").dropFirst().prefix { $0.hasPrefix("    ") }
        let prunes = lines.filter { $0.contains(" prune:backup.") }
        #expect(prunes.count >= 10, "the week of daily backups older than 2 days: \(lines)")
        let firstRoutine = lines.firstIndex { !$0.contains(" prune:") } ?? lines.endIndex
        #expect(lines[..<firstRoutine].count == prunes.count, "every prune comes before routine work: \(lines)")
        #expect(text.contains("Over 2 days (base → proposed"))
        #expect(text.contains("*  crm/daily"), "the backups kept per label differ")
    }

    @Test func diffMarkdownIsAPullRequestCommentSummaryFirstDetailsFolded() throws {
        let run = try Self.readOnly(["diff", "--base", "base", "--days", "2", "--format", "markdown"])
        #expect(run.exitCode == 0, "\(run)")
        let text = run.stdout
        #expect(text.hasPrefix("### flashplan diff\n"))
        let changes = try #require(text.range(of: "| **What changes** | 1 change in 1 object: `policies.daily-14` retention.days 14 → 2 |"), "\(text)")
        let destroys = try #require(text.range(of: "| **What it destroys now** | ⚠️ "))
        let costs = try #require(text.range(of: "| **What it costs over 2 days** | backups `"))
        let details = try #require(text.range(of: "<details>"))
        #expect(changes.lowerBound < destroys.lowerBound && destroys.lowerBound < costs.lowerBound && costs.lowerBound < details.lowerBound)
        #expect(text.contains("prunes the base would not make"))
        let prune = try #require(text.range(of: "`prune:backup."))
        let transfer = try #require(text.range(of: "`transfer:relationship."))
        #expect(prune.lowerBound < transfer.lowerBound, "destructive first")
        #expect(text.contains("`policies/protection.yaml:9:"))
    }

    @Test func planMarkdownListsTheLoweredRetentionsPrunesBeforeRoutineWork() throws {
        let run = try Self.readOnly(["plan", "--format", "markdown"])
        #expect(run.exitCode == 0, "\(run)")
        let text = run.stdout
        let destructive = try #require(text.range(of: "#### ⚠️ Destructive consequences ("), "\(text)")
        let routine = try #require(text.range(of: "#### Routine protection"))
        #expect(destructive.lowerBound < routine.lowerBound)
        let section = text[destructive.upperBound..<routine.lowerBound]
        let prunes = section.split(separator: "\n").filter { $0.contains("| prune |") && $0.contains("retention 2 days") }
        #expect(prunes.count >= 10, "each prune of the lowered retention is listed, not folded into a count: \(section)")
        #expect(!text[routine.lowerBound...].contains("retention 2 days"), "no prune among the routine work")
    }

    @Test func diffJSONValidatesAgainstItsSchema() throws {
        let workspace = try Self.workspace.get()
        let run = try Self.readOnly(["diff", "--base", "base", "--days", "1", "--format", "json"])
        #expect(run.exitCode == 0, "\(run)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let diff = try #require(object["diff"] as? [String: Any])
        let intent = try #require(diff["intent"] as? [[String: Any]])
        #expect(intent.count == 1)
        #expect(intent.first?["field"] as? String == "retention.days")
        #expect((intent.first?["location"] as? [String: Any])?["line"] as? Int == 9)
        let only = try #require((diff["plans"] as? [String: Any])?["only_proposed"] as? [[String: Any]])
        #expect(only.first?["kind"] as? String == "prune" && only.first?["severity"] as? String == "deletes")
        if JSONSchemaCheck.available {
            let file = workspace.url.appendingPathComponent("diff.json").path
            try run.stdout.write(toFile: file, atomically: true, encoding: .utf8)
            let result = try JSONSchemaCheck.validate(document: file, schema: Repository.url("schemas/diff.schema.json").path)
            #expect(result.ok, "\(result.message)")
        }
    }

    @Test func diffOfTheSameIntentInRenamedFilesShowsNothingAndBadInputChangesNothing() throws {
        let workspace = try Self.workspace.get()
        let moved = workspace.url.appendingPathComponent("moved")
        try? FileManager.default.removeItem(at: moved)
        try FileManager.default.createDirectory(at: moved.appendingPathComponent("sub"), withIntermediateDirectories: true)
        for name in ["infrastructure.yaml", "protection.yaml", "volumes.yaml"] {
            try FileManager.default.copyItem(
                at: workspace.url.appendingPathComponent("base/\(name)"), to: moved.appendingPathComponent("sub/renamed-\(name)"))
        }
        let run = try Self.readOnly(["diff", "--base", "base", "--config", "moved", "--days", "1", "--step", "6h"])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.contains("Intent (0 changes):\n  (none: the two configurations declare the same)"), "\(run)")
        #expect(run.stdout.contains("(none: both plans do the same now)"), "\(run)")
        try "volumes:\n  extra: {pool: nowhere, size: 1GiB}\n".write(to: moved.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        let broken = try Self.readOnly(["diff", "--base", "base", "--config", "moved", "--days", "1"])
        #expect(broken.exitCode == 1, "\(broken)")
        #expect(broken.stderr.contains("moved/broken.yaml:2:") && broken.stderr.contains("The proposed configuration (--config moved) has errors."), "\(broken)")
        #expect(broken.stdout.isEmpty)
    }
}
