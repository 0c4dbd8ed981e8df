import FlashPlanModel
import Foundation

/// The simulation report for a terminal: a headline, then protection, snapshots and
/// pools as aligned tables. Names are escaped (`Escaping`).
public enum SimulationTextRenderer {
    public static func render(_ report: SimulationReport) -> String {
        let e = Escaping.escape
        var out = [headline(report), ""]
        out.append("Protection (RPO judged after each run of the timer):")
        out += table(
            ["GROUP/LABEL", "RPO MET", "FIRST MISSED", "BACKUPS START", "END", "MAX"],
            report.protection.map {
                [e("\($0.group)/\($0.label)"), percent($0.compliancePercent), $0.firstMissed.map { when($0, report) } ?? "never",
                 "\($0.backupsAtStart)", "\($0.backupsAtEnd)", "\($0.backupsMax)"]
            }, numeric: [3, 4, 5])
        out.append("")
        out.append("Snapshots per volume (the simulator's limit is \(SimulationReport.snapshotLimit)):")
        out += table(
            ["VOLUME", "POOL", "START", "END", "PEAK", "BY LABEL AT END"],
            report.volumes.map {
                [e($0.volume), e($0.pool), "\($0.atStart)", "\($0.atEnd)", "\($0.peak)" + ($0.peak >= $0.limit ? " (at the limit)" : ""),
                 $0.labels.filter { $0.atEnd > 0 }.map { e("\($0.label) \($0.atEnd)") }.joined(separator: ", ")]
            }, numeric: [2, 3, 4])
        out.append("")
        out.append("Pools:")
        out += table(
            ["POOL", "CAPACITY", "USE START", "END", "PEAK", "WARNING AT", "WARNING CROSSED", "FULL"],
            report.pools.map {
                [e($0.pool), $0.capacity, percent($0.usedPercentStart), percent($0.usedPercentEnd), percent($0.usedPercentPeak),
                 percent($0.warningThresholdPercent), $0.warningCrossed.map { when($0, report) } ?? "never",
                 $0.full.map { when($0, report) } ?? "never"]
            }, numeric: [1, 2, 3, 4, 5])
        if !report.problems.isEmpty {
            out.append("")
            out.append("Problems (the first time each occurred):")
            out += report.problems.map {
                "  \(when($0.at, report)): \($0.address.map { "\(e($0)): " } ?? "")\(e($0.message))" + ($0.occurrences > 1 ? " (\($0.occurrences) times)" : "")
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func headline(_ report: SimulationReport) -> String {
        let a = report.actions
        var text = "Simulated \(report.start.iso8601) + \(report.days) day\(report.days == 1 ? "" : "s"), the timer every \(SimulationChart.stepText(report.stepSeconds)) (\(report.steps) runs): \(a.snapshots) snapshots, \(a.prunes) prunes, \(a.transfers) transfers; \(a.failed) failed"
        if a.held > 0 { text += ", \(a.held) destructive held" }
        if a.refusedSteps > 0 { text += ", \(a.refusedSteps) runs refused (plan errors)" }
        return text + "."
    }

    /// `2026-12-03T00:00:00Z (day 12)`.
    static func when(_ date: Date, _ report: SimulationReport) -> String { "\(date.iso8601) (day \(report.day(of: date)))" }

    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value) }

    /// Rows padded to their widest cell, two spaces apart, indented by two.
    static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = []) -> [String] {
        guard !rows.isEmpty else { return ["  (none)"] }
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            "  " + row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                if column == row.count - 1 && !numeric.contains(column) { return cell }
                return numeric.contains(column) ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
    }
}

/// The simulation report as a pull-request comment: a summary table first, details folded.
public enum SimulationMarkdownRenderer {
    public static func render(_ report: SimulationReport, heading: String = "### flashplan simulate") -> String {
        var out = [heading, "", "**\(SimulationTextRenderer.headline(report))**", ""]
        out += summaryTable(report)
        out += details(report)
        return out.joined(separator: "\n") + "\n"
    }

    static func summaryTable(_ report: SimulationReport) -> [String] {
        var out = ["| | over \(report.days) day\(report.days == 1 ? "" : "s") |", "|---|---|"]
        let missed = report.protection.filter { $0.met < $0.samples }
        out.append("| RPO | " + (missed.isEmpty ? "met by every group and label after every run" : missed.map { "`\(cell("\($0.group)/\($0.label)"))` \(SimulationTextRenderer.percent($0.compliancePercent))" }.joined(separator: ", ")) + " |")
        if let peak = report.peakVolume {
            out.append("| peak snapshots | \(peak.peak) of \(peak.limit) on `\(cell(peak.volume))` |")
        }
        let crossing = report.pools.filter { $0.warningCrossed != nil }
        out.append("| pools | " + (crossing.isEmpty ? "none reaches its warning threshold" : crossing.map { p in
            "`\(cell(p.pool))` warning on day \(p.warningDay ?? 0)" + (p.fullDay.map { ", full on day \($0)" } ?? "")
        }.joined(separator: "; ")) + " |")
        out.append("| failures | \(report.actions.failed) failed actions, \(report.actions.refusedSteps) refused runs |")
        return out
    }

    static func details(_ report: SimulationReport) -> [String] {
        var out = ["", "<details><summary>Protection per resource group and label</summary>", "",
                   "| resource group | label | RPO met | first missed | backups start | end | max |", "|---|---|---:|---|---:|---:|---:|"]
        out += report.protection.map {
            "| \(cell($0.group)) | \(cell($0.label)) | \(SimulationTextRenderer.percent($0.compliancePercent)) | \($0.firstMissed.map { SimulationTextRenderer.when($0, report) } ?? "never") | \($0.backupsAtStart) | \($0.backupsAtEnd) | \($0.backupsMax) |"
        }
        out += ["", "</details>", "", "<details><summary>Snapshots per volume (limit \(SimulationReport.snapshotLimit))</summary>", "",
                "| volume | pool | start | end | peak | by label at end |", "|---|---|---:|---:|---:|---|"]
        out += report.volumes.map {
            "| \(cell($0.volume)) | \(cell($0.pool)) | \($0.atStart) | \($0.atEnd) | \($0.peak) | \($0.labels.filter { $0.atEnd > 0 }.map { cell("\($0.label) \($0.atEnd)") }.joined(separator: ", ")) |"
        }
        out += ["", "</details>", "", "<details><summary>Pools</summary>", "",
                "| pool | capacity | use start | end | peak | warning at | crossed | full |", "|---|---:|---:|---:|---:|---:|---|---|"]
        out += report.pools.map {
            "| \(cell($0.pool)) | \($0.capacity) | \(SimulationTextRenderer.percent($0.usedPercentStart)) | \(SimulationTextRenderer.percent($0.usedPercentEnd)) | \(SimulationTextRenderer.percent($0.usedPercentPeak)) | \(SimulationTextRenderer.percent($0.warningThresholdPercent)) | \($0.warningCrossed.map { SimulationTextRenderer.when($0, report) } ?? "never") | \($0.full.map { SimulationTextRenderer.when($0, report) } ?? "never") |"
        }
        out += ["", "</details>"]
        if !report.problems.isEmpty {
            out += ["", "<details><summary>\(report.problems.count) problems</summary>", ""]
            out += report.problems.map { "- \(SimulationTextRenderer.when($0.at, report)): \($0.address.map { "`\(cell($0))` " } ?? "")\(cell($0.message)) (\($0.occurrences)×)" }
            out += ["", "</details>"]
        }
        return out
    }

    /// User text in a Markdown table cell: escaped, pipes and backticks neutralised, HTML
    /// not interpreted.
    static func cell(_ text: String) -> String {
        Escaping.escape(text).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "`", with: "'")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
