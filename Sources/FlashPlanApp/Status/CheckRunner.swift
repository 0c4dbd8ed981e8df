import FlashPlanEngine
import FlashPlanModel
import Foundation

/// The thresholds of `flashplan check`. Lateness and lag alert when they are greater
/// than the threshold (as Nagios thresholds do); pool use when it reaches it.
public struct CheckThresholds: Sendable, Hashable {
    /// How late a label may be before it alerts: a time, or a number of its schedule's
    /// intervals (0.5: half the time from the elapse it missed to the next one).
    public enum Lateness: Sendable, Hashable {
        case seconds(TimeInterval)
        case intervals(Double)

        /// True when `row`, a late label, is later than this.
        func isExceeded(by row: ProtectionStatus) -> Bool {
            switch self {
            case .seconds(let limit): (row.lateSeconds ?? 0) > limit
            case .intervals(let limit): (row.lateIntervals ?? 0) > limit
            }
        }
    }

    /// A label later than this (beyond the grace) is WARNING; later than `rpoCritical`, or
    /// never backed up, CRITICAL.
    public var rpoWarning: Lateness = .seconds(0)
    public var rpoCritical: Lateness = .seconds(3600)
    /// Pool use (percent) for WARNING: nil for each pool's own `warning_threshold`.
    public var poolWarning: Double?
    public var poolCritical: Double = StatusRequest.defaultPoolCritical
    /// Replication lag above this is WARNING; above `lagCritical`, CRITICAL.
    public var lagWarning: TimeInterval = 0
    public var lagCritical: TimeInterval = 86400

    public init() {}
}

/// The four states of a monitoring plugin (Nagios plugin guidelines), with their exit codes.
public enum CheckState: Int32, Sendable, Comparable, CaseIterable {
    case ok = 0, warning = 1, critical = 2, unknown = 3

    public var word: String {
        switch self {
        case .ok: "OK"
        case .warning: "WARNING"
        case .critical: "CRITICAL"
        case .unknown: "UNKNOWN"
        }
    }

    public static func < (a: CheckState, b: CheckState) -> Bool { a.rawValue < b.rawValue }
}

/// `flashplan check`: the status judged as a monitoring plugin. One summary line first,
/// `FLASHPLAN STATE - what | perfdata`, then one line per problem; exit 0 OK, 1 WARNING,
/// 2 CRITICAL, 3 UNKNOWN (the state or configuration cannot be read, or anything else
/// went wrong: no path exits with another code).
public enum CheckRunner {
    public static func run(_ request: StatusRequest, thresholds: CheckThresholds, open: (String) throws -> StatusSource) -> CommandOutcome {
        var request = request
        request.poolCritical = thresholds.poolCritical
        let status: EstateStatus
        do {
            status = try StatusInputs.gather(request, open: open)
        } catch {
            return unknown("\(error)")
        }
        return render(judge(status, thresholds: thresholds), status: status, thresholds: thresholds)
    }

    /// UNKNOWN with `reason` as the summary (its first line; the others follow), escaped:
    /// it may quote a path or a name as typed.
    public static func unknown(_ reason: String) -> CommandOutcome {
        let lines = reason.split(separator: "\n", omittingEmptySubsequences: true).map { Escaping.escape(String($0)) }
        let first = lines.first ?? "unknown error"
        let rest = lines.dropFirst().map { $0 + "\n" }.joined()
        return CommandOutcome(stdout: "FLASHPLAN UNKNOWN - \(first)\n" + rest, exitCode: CheckState.unknown.rawValue)
    }

    /// One problem found: its state, a short phrase for the summary line, and a detail line.
    struct Finding: Sendable {
        var state: CheckState
        var category: String
        var short: String
        var detail: String
    }

    static func judge(_ status: EstateStatus, thresholds: CheckThresholds) -> [Finding] {
        typealias F = StatusFormatting
        var findings: [Finding] = []
        for row in status.protection where !row.rpoMet {
            let name = Escaping.escape(row.group) + ": " + Escaping.escape(row.label)
            guard let late = row.lateSeconds, let since = row.lateSince else {
                findings.append(Finding(state: .critical, category: "rpo", short: "\(name) no backup", detail: "\(name): no backup yet"))
                continue
            }
            // Each threshold on its own: past the critical one is CRITICAL even when the
            // warning one is set higher (or in other units: `2h` against `1.0` intervals).
            let state: CheckState
            if thresholds.rpoCritical.isExceeded(by: row) {
                state = .critical
            } else if thresholds.rpoWarning.isExceeded(by: row) {
                state = .warning
            } else {
                continue
            }
            findings.append(Finding(
                state: state, category: "rpo", short: "\(name) \(F.duration(late)) late",
                detail: "\(name): \(F.duration(late)) late, missed \(since.iso8601), newest backup \(row.newestCreated?.iso8601 ?? "none")"))
        }
        for pool in status.pools {
            let warning = thresholds.poolWarning ?? pool.warningThreshold
            let critical = max(thresholds.poolCritical, warning)
            guard pool.usedPercent >= warning else { continue }
            let name = Escaping.escape(pool.name)
            findings.append(Finding(
                state: pool.usedPercent >= critical ? .critical : .warning, category: "pool", short: "pool \(name) \(F.percent(pool.usedPercent))",
                detail: "pool \(name): \(F.percent(pool.usedPercent)) used of \(ByteCount(bytes: pool.capacityBytes)) (warning \(F.percent(warning)), critical \(F.percent(critical)))"))
        }
        for array in status.arrays where array.status != .online {
            let name = Escaping.escape(array.name)
            guard array.status == .offline else {
                findings.append(Finding(
                    state: .warning, category: "array", short: "array \(name) degraded",
                    detail: "array \(name) is degraded: a module failed and it runs on its hot spare; replace the module"))
                continue
            }
            // Offline is never OK: what it holds cannot be backed up, replicated or restored
            // in place, and nothing else says so until a schedule is missed (up to a day).
            let volumes = array.volumesOutOfReach
            var detail = "array \(name) is offline"
            if !volumes.isEmpty {
                let list = volumes.prefix(5).map(Escaping.escape).joined(separator: ", ") + (volumes.count > 5 ? ", …" : "")
                detail += ": \(volumes.count) volume\(volumes.count == 1 ? "" : "s") out of reach (\(list))"
            }
            if !array.groupsAffected.isEmpty {
                detail += ", groups " + array.groupsAffected.map(Escaping.escape).joined(separator: ", ") + " cannot be backed up"
            }
            if !array.pools.isEmpty { detail += "; pools " + array.pools.map(Escaping.escape).joined(separator: ", ") + " offline" }
            findings.append(Finding(
                state: array.groupsAffected.isEmpty ? .warning : .critical, category: "array", short: "array \(name) offline", detail: detail))
        }
        for destination in status.replication {
            let name = Escaping.escape(destination.group) + " -> " + Escaping.escape(destination.pool)
            for relationship in destination.relationships {
                let state: CheckState
                switch relationship.state {
                case "broken": state = .critical
                case "missing", "uninitialized": state = .warning
                default: continue
                }
                let address = "relationship." + Escaping.escape(relationship.destination)
                findings.append(Finding(
                    state: state, category: "replication", short: "\(address) \(relationship.state)",
                    detail: "\(name) (\(destination.type.rawValue)): \(address) is \(relationship.state)"))
            }
            if destination.lagSeconds > thresholds.lagWarning || destination.lagSeconds > thresholds.lagCritical {
                findings.append(Finding(
                    state: destination.lagSeconds > thresholds.lagCritical ? .critical : .warning, category: "replication",
                    short: "\(name) lag \(F.duration(destination.lagSeconds))",
                    detail: "\(name) (\(destination.type.rawValue)): the copies are \(F.duration(destination.lagSeconds)) behind the newest backup"))
            }
        }
        if !status.held.isEmpty {
            findings.append(Finding(
                state: .warning, category: "held", short: "\(status.held.count) destructive action\(status.held.count == 1 ? "" : "s") held",
                detail: "\(status.held.count) destructive action\(status.held.count == 1 ? "" : "s") held for consent: " + status.held.map { Escaping.escape($0.id) }.joined(separator: ", ")))
        }
        if let last = status.lastApply, last.outcome != "success" {
            let outcome = last.outcome.map(Escaping.escape) ?? "end not recorded"
            findings.append(Finding(
                state: .warning, category: "apply", short: "last apply \(outcome)",
                detail: "the last apply (serial \(last.serial), \(last.started.iso8601)) ended: \(outcome); see `flashplan history`"))
        }
        if !status.planErrors.isEmpty {
            findings.append(Finding(
                state: .warning, category: "plan", short: "\(status.planErrors.count) plan error\(status.planErrors.count == 1 ? "" : "s")",
                detail: "the plan has errors: " + status.planErrors.map(Escaping.escape).joined(separator: "; ")))
        }
        return findings
    }

    static func render(_ findings: [Finding], status: EstateStatus, thresholds: CheckThresholds) -> CommandOutcome {
        let state = findings.map(\.state).max() ?? .ok
        let summary: String
        if findings.isEmpty {
            summary = "\(status.protection.count) labels met RPO, \(status.replication.count) destinations in sync, \(status.pools.count) pools below thresholds, \(status.arrays.count) arrays online"
        } else {
            // The worst first; at most five, so the line stays short.
            let ordered = findings.enumerated().sorted { ($0.element.state, -$0.offset) > ($1.element.state, -$1.offset) }.map(\.element)
            var parts: [String] = []
            let late = ordered.filter { $0.category == "rpo" }
            if !late.isEmpty {
                parts.append("\(late.count) label\(late.count == 1 ? "" : "s") missed RPO (" + late.prefix(3).map(\.short).joined(separator: ", ") + (late.count > 3 ? ", …" : "") + ")")
            }
            let others = ordered.filter { $0.category != "rpo" }
            parts += others.prefix(4).map(\.short)
            if others.count > 4 { parts.append("\(others.count - 4) more") }
            summary = parts.joined(separator: ", ")
        }
        var lines = ["FLASHPLAN \(state.word) - \(summary) | \(perfdata(status, thresholds: thresholds))"]
        lines += findings.sorted { $0.state > $1.state }.map { "\($0.state.word): \($0.detail)" }
        return CommandOutcome(stdout: lines.joined(separator: "\n"), exitCode: state.rawValue)
    }

    /// Performance data, `'label'=value[UOM];[warn];[crit];[min];[max]` (Nagios plugin
    /// guidelines): counts and the worst figures of the estate, and each pool's use.
    static func perfdata(_ status: EstateStatus, thresholds: CheckThresholds) -> String {
        let late = status.protection.filter { !$0.rpoMet }
        let maxLate = late.compactMap(\.lateSeconds).max() ?? 0
        let maxIntervals = late.compactMap(\.lateIntervals).max() ?? 0
        func limit(_ lateness: CheckThresholds.Lateness, seconds wanted: Bool) -> String {
            switch lateness {
            case .seconds(let value): wanted ? seconds(value) : ""
            case .intervals(let value): wanted ? "" : number(value, decimals: 2)
            }
        }
        let relationships = status.replication.flatMap(\.relationships)
        var items = [
            Perf(label: "rpo_late_labels", value: "\(late.count)", min: "0", max: "\(status.protection.count)"),
            Perf(
                label: "rpo_max_late", value: seconds(maxLate), unit: "s", warn: limit(thresholds.rpoWarning, seconds: true),
                crit: limit(thresholds.rpoCritical, seconds: true), min: "0"),
            Perf(
                label: "rpo_max_late_intervals", value: number(maxIntervals, decimals: 2), warn: limit(thresholds.rpoWarning, seconds: false),
                crit: limit(thresholds.rpoCritical, seconds: false), min: "0"),
            Perf(label: "replication_max_lag", value: seconds(status.replication.map(\.lagSeconds).max() ?? 0), unit: "s",
                 warn: seconds(thresholds.lagWarning), crit: seconds(thresholds.lagCritical), min: "0"),
            Perf(label: "replication_broken", value: "\(relationships.filter { $0.state == "broken" }.count)", crit: "0", min: "0", max: "\(relationships.count)"),
            Perf(label: "held_destructive_actions", value: "\(status.held.count)", warn: "0", min: "0"),
            Perf(label: "unmanaged_backups", value: "\(status.unmanaged.reduce(0) { $0 + $1.backups })", min: "0"),
            Perf(
                label: "arrays_offline", value: "\(status.arrays.filter { $0.status == .offline }.count)", crit: "0", min: "0",
                max: "\(status.arrays.count)"),
        ]
        for pool in status.pools {
            let warning = thresholds.poolWarning ?? pool.warningThreshold
            let critical = max(thresholds.poolCritical, warning)
            items.append(Perf(
                label: "pool_\(pool.name)_used", value: number(pool.usedPercent), unit: "%", warn: number(warning), crit: number(critical),
                min: "0", max: "100"))
        }
        return items.map(\.text).joined(separator: " ")
    }

    struct Perf {
        var label: String
        var value: String
        var unit = ""
        var warn = ""
        var crit = ""
        var min = ""
        var max = ""

        /// Labels with a space, `=` or a quote are quoted, a quote doubled; other
        /// characters that could not be read back (controls) are escaped.
        var text: String {
            var name = Escaping.escape(label)
            if name.contains(where: { $0 == " " || $0 == "=" || $0 == "'" }) {
                name = "'" + name.replacingOccurrences(of: "'", with: "''") + "'"
            }
            var fields = [warn, crit, min, max]
            while fields.last == "" { fields.removeLast() }
            return ([name + "=" + value + unit] + fields).joined(separator: ";")
        }
    }

    static func seconds(_ value: Double) -> String { String(Int64(max(0, value).rounded(.down))) }

    static func number(_ value: Double, decimals: Int = 1) -> String {
        value == value.rounded() ? String(Int64(value)) : String(format: "%.\(decimals)f", value)
    }
}
