import Foundation
import Testing
@testable import FlashPlanSchedule

private let systemdAnalyze = "/usr/bin/systemd-analyze"

/// Where systemd is installed, runs it again for a sample of the fixture and
/// checks that it still says what the fixture (and so the implementation)
/// says — catching a stale fixture or a systemd that changed behaviour.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: systemdAnalyze)))
struct LiveSystemdTests {
    struct Output: Equatable {
        var rejected = false
        var normalized: String?
        var next: [Int] = []
    }

    static func run(_ expression: String, zone: String, base: Double, iterations: Int = 5) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: systemdAnalyze)
        process.arguments = ["calendar", "--base-time=@\(base)", "--iterations=\(iterations)", "--", expression]
        var environment = ProcessInfo.processInfo.environment
        environment["TZ"] = zone
        environment["SYSTEMD_COLORS"] = "0"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        var result = Output()
        if stderr.contains("Failed to parse calendar specification") {
            result.rejected = true
            return result
        }
        let parser = DateFormatter()
        parser.locale = Locale(identifier: "en_US_POSIX")
        parser.timeZone = TimeZone(identifier: "UTC")
        parser.dateFormat = "yyyy-MM-dd HH:mm:ss"
        var local: [Int] = [], inUTC: [Int] = []
        for raw in stdout.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("Normalized form: ") {
                result.normalized = String(line.dropFirst("Normalized form: ".count))
            } else if line.hasPrefix("Next elapse: ") || line.hasPrefix("Iter. #") || line.hasPrefix("(in UTC): ") {
                let fields = line.split(separator: " ")
                guard fields.count >= 4, let date = parser.date(from: "\(fields[fields.count - 3]) \(fields[fields.count - 2])") else { continue }
                if line.hasPrefix("(in UTC)") { inUTC.append(Int(date.timeIntervalSince1970)) } else { local.append(Int(date.timeIntervalSince1970)) }
            }
        }
        result.next = inUTC.isEmpty ? local : inUTC
        return result
    }

    /// Every 12th case plus every curated DST case in Lord Howe.
    static let sample = SystemdFixture.shared.cases.enumerated()
        .filter { $0.offset % 12 == 0 || ($0.element.group == "curated" && $0.element.timezone == "Australia/Lord_Howe") }
        .map(\.element)
        .filter { $0.stuck != true }

    @Test(arguments: sample)
    func systemdStillAgreesWithTheFixture(_ c: SystemdCase) throws {
        let live = try Self.run(c.expression, zone: c.timezone, base: c.base)
        #expect(live.rejected == c.error)
        guard !c.error else { return }
        #expect(live.normalized == c.normalized)
        #expect(live.next == (c.next ?? []))
    }

    /// The text report, line for line, against systemd-analyze's own output
    /// (without its "From now" lines).
    @Test(arguments: SystemdFixture.shared.cases.filter { $0.group == "curated" && !$0.error && $0.stuck != true }.enumerated().filter { $0.offset % 4 == 0 }.map(\.element))
    func textMatchesSystemdAnalyze(_ c: SystemdCase) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: systemdAnalyze)
        process.arguments = ["calendar", "--base-time=@\(c.base)", "--iterations=3", "--", c.expression]
        var environment = ProcessInfo.processInfo.environment
        environment["TZ"] = c.timezone
        environment["SYSTEMD_COLORS"] = "0"
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let expected = stdout.split(separator: "\n").filter { !$0.contains("From now:") }.joined(separator: "\n")
        let report = CalendarEventReport(expressions: [c.expression], baseTime: Date(timeIntervalSince1970: c.base),
                                         iterations: 3, timeZone: try #require(TimeZone(identifier: c.timezone)))
        #expect(
            report.renderText() == expected,
            "systemd here differs from flashplan; the fixtures were recorded with \(SystemdFixture.shared.systemd_version)")
    }

    @Test(arguments: ParseErrorTests.cases.map(\.0).filter { !$0.isEmpty })
    func systemdRejectsWhatWeReject(_ expression: String) throws {
        #expect(try Self.run(expression, zone: "UTC", base: 1_790_000_000, iterations: 1).rejected)
    }
}
