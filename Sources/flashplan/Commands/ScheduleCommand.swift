import ArgumentParser
import FlashPlanModel
import FlashPlanSchedule
import Foundation

extension CalendarEventReport.Format: ExpressibleByArgument {}

/// `flashplan schedule EXPR...`: like `systemd-analyze calendar`, with an
/// explicit base time and zone.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Show the normalized form and next elapses of systemd calendar events.",
        discussion: """
            Expressions use systemd's OnCalendar= syntax (systemd.time(7)), e.g. 'daily',
            'Mon..Fri *-*-* 02:30:00', '*-*-01 00:00:00 Europe/Rome'. Results match
            'systemd-analyze calendar', DST changes included.
            """)

    @Argument(help: ArgumentHelp("Calendar expressions.", valueName: "expr"))
    var expressions: [String]

    @Option(name: .long, help: ArgumentHelp("Compute elapses after this time (default: now): a full ISO-8601 date-time with Z or an offset.", valueName: "time"))
    var baseTime: String?

    @Option(name: .long, help: ArgumentHelp("How many elapses to show.", valueName: "n"))
    var iterations: Int = 1

    @Option(name: .long, help: "Output format: text or json.")
    var format: CalendarEventReport.Format = .text

    @Option(name: .long, help: ArgumentHelp("Zone for expressions without one, and for display.", valueName: "zone"))
    var timezone: String = "UTC"

    func validate() throws {
        guard !expressions.isEmpty else { throw ValidationError("give at least one calendar expression") }
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
        guard TimeZone(identifier: timezone) != nil else { throw ValidationError("--timezone '\(timezone)' is not a known time zone") }
        if let baseTime { _ = try usage { () throws(FlagValueError) in try CommandLineTime.parse(baseTime, flag: "--base-time") } }
    }

    func run() throws {
        let base = try baseTime.map { text throws(FlagValueError) in try CommandLineTime.parse(text, flag: "--base-time") } ?? Date()
        let zone = TimeZone(identifier: timezone) ?? TimeZone(secondsFromGMT: 0)!
        let report = CalendarEventReport(expressions: expressions, baseTime: base, iterations: iterations, timeZone: zone)
        let output = report.render(format)
        if !output.isEmpty { print(output) }
        for message in report.errorMessages {
            FileHandle.standardError.write(Data((message + "\n").utf8))
        }
        if report.hasErrors { throw ExitCode(1) }
    }
}
