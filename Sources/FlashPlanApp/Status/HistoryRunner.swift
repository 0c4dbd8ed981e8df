import FlashPlanEngine
import FlashPlanModel
import Foundation

/// What `flashplan history` was asked to show.
public struct HistoryRequest: Sendable {
    public var statePath: String
    /// Applies that started at or after this time; all when nil.
    public var since: Date?
    public var format: StatusRequest.Format

    public init(statePath: String, since: Date?, format: StatusRequest.Format = .text) {
        self.statePath = statePath
        self.since = since
        self.format = format
    }
}

/// The value of `history --since`: a time (`CommandLineTime`, as `--now` takes it) or a
/// duration back from now: a whole number and `m`, `h` or `d` (`30m`, `12h`, `7d`).
public enum SinceArgument {
    /// At most ten years back.
    static let maximumDays: Int64 = 3650

    public static let expected = "a full ISO-8601 date-time with Z or an offset (e.g. \(CommandLineTime.example)), or a duration back from now: a whole number and m, h or d (30m, 12h, 7d)"

    /// The time `text` names, relative to `now` when it is a duration.
    public static func parse(_ text: String, now: Date) throws(FlagValueError) -> Date {
        // A date-time has a dash, a colon or a T; a duration has none of them.
        if text.contains(where: { $0 == "-" || $0 == ":" || $0 == "T" || $0 == "+" }) {
            do {
                return try CommandLineTime.parse(text)
            } catch {
                throw FlagValueError(flag: "--since", value: text, reason: error.reason, expected: expected)
            }
        }
        let scalars = Array(text.unicodeScalars)
        let digits = scalars.prefix { ("0"..."9").contains($0) }
        let unit = String(String.UnicodeScalarView(scalars[digits.count...]))
        func refuse(_ reason: String) -> FlagValueError {
            FlagValueError(flag: "--since", value: text, reason: reason, expected: expected)
        }
        guard !digits.isEmpty else {
            throw refuse(text.isEmpty ? "it is empty" : "it is neither a date-time nor a duration")
        }
        let factor: Int64
        switch unit {
        case "m": factor = 60
        case "h": factor = 3600
        case "d": factor = 86400
        case "": throw refuse("it has no unit (hours? days?)")
        default: throw refuse("'\(Escaping.escape(unit))' is not a unit of --since (m, h or d)")
        }
        var value: Int64 = 0
        for digit in digits {
            value = value * 10 + Int64(digit.value - 0x30)
            guard value * factor <= maximumDays * 86400 else { throw refuse("it reaches back more than \(maximumDays) days") }
        }
        return now.addingTimeInterval(-TimeInterval(value * factor))
    }
}

/// One apply and its actions, as `history` shows them (JSON: `schemas/history.schema.json`).
public struct HistoryEntry: Sendable, Hashable, Codable {
    /// One action of the apply, as its journal row has it.
    public struct Action: Sendable, Hashable, Codable {
        public var id: String
        public var kind: String
        public var address: String
        /// `applied`, `failed` or `skipped`.
        public var result: String
        public var message: String?
        public var at: Date
    }

    public var id: String
    public var serial: Int
    public var operation: String
    public var started: Date
    public var finished: Date?
    /// Nil when the apply never recorded its end (killed, or still running).
    public var outcome: String?
    /// Who ran it (`user@host`); nil for applies recorded before flashplan kept it.
    public var who: String?
    public var actions: [Action]
}

/// The `history --format json` document.
public struct HistoryDocument: Sendable, Hashable, Codable {
    /// The `format_version` of the JSON; a change that breaks readers bumps it.
    public static let currentFormatVersion = 1

    public var formatVersion = HistoryDocument.currentFormatVersion
    public var since: Date?
    public var applies: [HistoryEntry]

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", since, applies
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(formatVersion, forKey: .formatVersion)
        // Always present, null for "from the beginning", so that scripts need not guess.
        try container.encode(since, forKey: .since)
        try container.encode(applies, forKey: .applies)
    }
}

/// `flashplan history`: past applies and their actions, from the journal in the state.
public enum HistoryRunner {
    public static func run(_ request: HistoryRequest, open: (String) throws -> StatusSource) -> CommandOutcome {
        let document: HistoryDocument
        do {
            let history = try open(request.statePath).history
            let runs = try history.applyRuns(since: request.since)
            var actions: [String: [HistoryEntry.Action]] = [:]
            for entry in try history.journalEntries(since: request.since) {
                let kind = entry.actionID.split(separator: ":", maxSplits: 1).first.map(String.init) ?? entry.actionID
                actions[entry.applyID, default: []].append(HistoryEntry.Action(
                    id: entry.actionID, kind: kind, address: entry.address, result: entry.outcome.rawValue, message: entry.message,
                    at: entry.at))
            }
            document = HistoryDocument(since: request.since, applies: runs.map { run in
                HistoryEntry(
                    id: run.id, serial: run.serial, operation: run.operation, started: run.started, finished: run.finished,
                    outcome: run.outcome, who: run.who, actions: actions[run.id] ?? [])
            })
        } catch {
            return CommandOutcome(stderr: "Error: \(Escaping.escape("\(error)"))\nNo history was read; nothing was changed.", exitCode: 1)
        }
        switch request.format {
        case .json:
            do {
                return CommandOutcome(stdout: try StatusJSON.render(document))
            } catch {
                return CommandOutcome(stderr: "Error: could not write the history as JSON: \(error)", exitCode: 1)
            }
        case .text:
            return CommandOutcome(stdout: renderText(document))
        }
    }

    static func renderText(_ document: HistoryDocument) -> String {
        typealias F = StatusFormatting
        let scope = document.since.map { "since \($0.iso8601)" } ?? "recorded in this state"
        guard !document.applies.isEmpty else { return "No applies \(scope).\n" }
        var lines = ["Applies \(scope), oldest first:"]
        for apply in document.applies {
            lines.append("")
            let outcome = apply.outcome.map(Escaping.escape) ?? "end not recorded (killed, or still running)"
            let ended = apply.finished.map { ", ended \($0.iso8601)" } ?? ""
            let by = apply.who.map { " by \(Escaping.escape($0))" } ?? ""
            lines += F.wrap("serial \(apply.serial) \(Escaping.escape(apply.operation))\(by) at \(apply.started.iso8601)\(ended): \(outcome)", indent: 0)
            var counts: [String: Int] = [:]
            for action in apply.actions { counts[action.result, default: 0] += 1 }
            let tally = ["applied", "failed", "skipped"].compactMap { result in counts[result].map { "\($0) \(result)" } }
            lines.append("  \(apply.actions.count) action\(apply.actions.count == 1 ? "" : "s")" + (tally.isEmpty ? "" : ": " + tally.joined(separator: ", ")))
            for action in apply.actions {
                lines.append("  " + F.pad(action.result, 7) + "  " + F.name(action.id, limit: 69))
                if let message = action.message, !message.isEmpty {
                    lines += F.wrap(Escaping.escape(message), indent: 11)
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
