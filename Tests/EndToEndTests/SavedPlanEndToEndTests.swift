import Foundation
import Testing

/// A saved plan is an approval, not a script (DESIGN §5): `apply FILE` recomputes the
/// plan at the plan's time and runs it only if it is the same, and refuses plans older
/// than `--plan-max-age`. Nothing is changed when it refuses.
@Suite(.serialized) struct SavedPlanEndToEndTests {
    static let t0 = "2026-11-21T10:00:00Z"
    static let t1 = "2026-11-21T11:00:00Z"

    static func prepared() throws -> (ApplyWorkspace, String) {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        #expect(try workspace.apply(Self.t0).exitCode == 0)
        let saved = try workspace.run(["plan", "--out", "p.json"] + workspace.flags(Self.t1))
        #expect(saved.exitCode == 0, "\(saved)")
        let text = try String(contentsOf: workspace.url.appendingPathComponent("p.json"), encoding: .utf8)
        return (workspace, text)
    }

    static func replacingFirst(_ target: String, with replacement: String, in text: String) -> String {
        guard let range = text.range(of: target) else { return text }
        return text.replacingCharacters(in: range, with: replacement)
    }

    @Test func anEditedPlanFileIsRefusedAndChangesNothing() throws {
        let (workspace, text) = try Self.prepared()
        defer { workspace.remove() }
        let before = try workspace.listing(Self.t1)
        // An operation pointed elsewhere, an action's destructiveness flipped, an action removed.
        let name = try #require(text.firstMatch(of: /"op" : "create_snapshot",\n\s*"tag" : [^\n]*\n\s*"volume" : "([^"]+)"/).map { String($0.1) }
            ?? text.firstMatch(of: /"volume" : "([^"]+)"/).map { String($0.1) })
        let edits: [(String, String)] = [
            ("volume.json", text.replacingOccurrences(of: "\"volume\" : \"\(name)\"", with: "\"volume\" : \"\(name)-x\"")),
            ("flip.json", Self.replacingFirst("\"destructive\" : false", with: "\"destructive\" : true", in: text)),
            ("drop.json", Self.replacingFirst("\"depends_on\" : [\n", with: "\"depends_on\" : [\n\"create-host:host.nobody\",\n", in: text)),
        ]
        for (file, edited) in edits {
            #expect(edited != text, "\(file): the edit changed nothing")
            try edited.write(to: workspace.url.appendingPathComponent(file), atomically: true, encoding: .utf8)
            let run = try workspace.run(["apply", file] + workspace.flags(Self.t1))
            #expect(run.exitCode == 1, "\(file): \(run)")
            #expect(run.stdout.contains("is not the plan the configuration and the state call for"), "\(file): \(run)")
            #expect(try workspace.listing(Self.t1).canonical == before.canonical, "\(file) changed the state")
        }
        #expect(try StateDatabase.applies(workspace.statePath).count == 1)
        // The file as saved applies.
        let applied = try workspace.run(["apply", "p.json"] + workspace.flags(Self.t1))
        #expect(applied.exitCode == 0, "\(applied)")
    }

    @Test func aPlanOlderThanPlanMaxAgeIsRefused() throws {
        let (workspace, _) = try Self.prepared()
        defer { workspace.remove() }
        let later = "2026-11-21T12:30:00Z"
        let old = try workspace.run(["apply", "p.json"] + workspace.flags(later))
        #expect(old.exitCode == 1, "\(old)")
        #expect(old.stdout.contains("--plan-max-age"), "\(old)")
        #expect(try StateDatabase.applies(workspace.statePath).count == 1)
        let allowed = try workspace.run(["apply", "p.json", "--plan-max-age", "2h"] + workspace.flags(later))
        #expect(allowed.exitCode == 0, "\(allowed)")
    }
}
