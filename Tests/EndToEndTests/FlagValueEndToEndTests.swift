import Foundation
import Testing

/// DESIGN §5: `--now` is a full ISO-8601 date-time with `Z` or an offset, anything else
/// refused, never truncated; durations are a whole number and a unit. Through the built
/// binary: a refused value is a usage error (exit 64) that names the flag, echoes the
/// value escaped and shows what to write, and nothing is created or changed.
@Suite struct FlagValueEndToEndTests {
    typealias Fleet = SmallFleet

    /// What is in the workspace besides the configuration (the state, its lock, its directory).
    func created(_ workspace: ApplyWorkspace) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: workspace.url.path).filter { $0 != "policies" }.sorted()
    }

    static let badTimes = [
        "2026-11-21", "2026-11-21T10:00:00", "2026-11-21T10:00:00.5Z", "2026-11-21T10:00:00+2", "2026-13-01T00:00:00Z",
        "2026-02-30T10:00:00Z", "2026-11-21T10:00:00Z trailing", " 2026-11-21T10:00:00Z", "2026-11-21T10:00:00Z\u{1B}[2J",
    ]

    @Test(arguments: badTimes)
    func everyCommandRefusesABadNowBeforeTouchingAnything(value: String) throws {
        let workspace = try ApplyWorkspace(config: Fleet.config)
        defer { workspace.remove() }
        let commands: [[String]] = [
            ["plan", "--config", "policies"], ["apply", "--auto-approve", "--config", "policies"],
            ["sim", "array-offline", "fa"], ["sim", "workload", "--operations", "10"], ["state", "list"],
            ["state", "show", "array.fa"], ["status", "--config", "policies"], ["history"],
        ]
        for command in commands {
            let run = try workspace.run(command + ["--state", workspace.state, "--now", value])
            #expect(run.exitCode == 64, "\(run)")
            #expect(run.stderr.contains("--now '"), "\(run)")
            #expect(run.stderr.contains("is refused:"), "\(run)")
            #expect(run.stderr.contains("e.g. 2026-10-25T02:30:00+02:00"), "\(run)")
            #expect(!run.stderr.contains("\u{1B}") && run.stdout.isEmpty, "\(run)")
        }
        #expect(try created(workspace) == [])
    }

    @Test func theRefusalEchoesControlCharactersEscaped() throws {
        let run = try FlashPlanBinary.run(["plan", "--now", "2026-11-21T10:00:00Z\u{1B}]0;owned\u{7}"])
        #expect(run.exitCode == 64, "\(run)")
        #expect(run.stderr.contains("--now '2026-11-21T10:00:00Z\\u{1B}]0;owned\\u{7}' is refused: it contains a control character"), "\(run)")
    }

    @Test(arguments: ["30", "1e3s", "0x10s", "inf", "nan", "-5s", "+5s", "1.5m", "30 s", "1d", "25h", "99999999999999999999999h"])
    func applyRefusesABadLockTimeoutBeforeTouchingAnything(value: String) throws {
        let workspace = try ApplyWorkspace(config: Fleet.config)
        defer { workspace.remove() }
        let run = try workspace.apply(Fleet.day1, ["--lock-timeout=\(value)"])
        #expect(run.exitCode == 64, "\(run)")
        #expect(run.stderr.contains("--lock-timeout '\(value)' is refused:"), "\(run)")
        #expect(run.stderr.contains("e.g. 30s, 2m or 1h"), "\(run)")
        #expect(try created(workspace) == [])
    }

    /// With a state: a refused value changes nothing in it.
    @Test func aRefusedValueLeavesAnExistingStateAsItWas() throws {
        let workspace = try ApplyWorkspace(config: Fleet.config)
        defer { workspace.remove() }
        let first = try workspace.apply(Fleet.day1)
        #expect(first.exitCode == 0, "\(first)")
        let applies = try StateDatabase.applies(workspace.statePath).count
        let journal = try StateDatabase.journal(workspace.statePath).count
        let listing = try workspace.run(["state", "list", "--format", "json", "--state", workspace.state, "--now", Fleet.day1])

        for run in [
            try workspace.apply("2026-11-22"), try workspace.apply("2026-11-22T10:00:00"),
            try workspace.apply(Fleet.day2, ["--lock-timeout=1e9h"]),
            try workspace.run(["sim", "array-offline", "fa", "--state", workspace.state, "--now", "2026-11-22T10:00:00.999Z"]),
        ] {
            #expect(run.exitCode == 64, "\(run)")
        }
        #expect(try StateDatabase.applies(workspace.statePath).count == applies)
        #expect(try StateDatabase.journal(workspace.statePath).count == journal)
        let after = try workspace.run(["state", "list", "--format", "json", "--state", workspace.state, "--now", Fleet.day1])
        #expect(after.stdout == listing.stdout)
    }

    /// An offset names the same instant as its UTC form: the plans are the same.
    @Test func anOffsetIsTheSameInstant() throws {
        let workspace = try ApplyWorkspace(config: Fleet.config)
        defer { workspace.remove() }
        let utc = try workspace.run(["plan", "--format", "json"] + workspace.flags("2026-11-21T10:00:00Z"))
        let rome = try workspace.run(["plan", "--format", "json"] + workspace.flags("2026-11-21T11:00:00+01:00"))
        let newYork = try workspace.run(["plan", "--format", "json"] + workspace.flags("2026-11-21T05:00:00-05:00"))
        #expect(utc.exitCode == 0 && rome.exitCode == 0 && newYork.exitCode == 0, "\(utc)\n\(rome)\n\(newYork)")
        #expect(utc.stdout.contains("2026-11-21T10:00:00Z"), "\(utc)")
        #expect(rome.stdout == utc.stdout && newYork.stdout == utc.stdout)
    }

    @Test func scheduleRefusesABadBaseTime() throws {
        let run = try FlashPlanBinary.run(["schedule", "daily", "--base-time", "2026-11-21"])
        #expect(run.exitCode == 64, "\(run)")
        #expect(run.stderr.contains("--base-time '2026-11-21' is refused: it is a date without a time of day"), "\(run)")
        let offset = try FlashPlanBinary.run(["schedule", "daily", "--base-time", "2026-11-21T11:00:00+01:00"])
        let utc = try FlashPlanBinary.run(["schedule", "daily", "--base-time", "2026-11-21T10:00:00Z"])
        #expect(offset.exitCode == 0 && offset.stdout == utc.stdout, "\(offset)")
    }
}
