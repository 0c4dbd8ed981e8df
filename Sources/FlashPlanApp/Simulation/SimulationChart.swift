import FlashPlanModel
import Foundation

/// The simulation as an SVG line chart a reviewer can open in a browser: pool use (%)
/// over time with each pool's warning threshold, and snapshots per volume over time
/// against the ceiling of 255. Every name in it came from a user and is XML-escaped.
public enum SimulationChart {
    static let width = 960.0
    static let panelHeight = 300.0
    static let left = 70.0
    static let right = 230.0
    static let top = 80.0
    static let gap = 70.0
    /// At most this many volumes are drawn: those with the most snapshots at their peak.
    static let maximumVolumes = 10
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    public static func svg(_ report: SimulationReport, title: String = "flashplan simulate") -> String {
        let height = top + 2 * panelHeight + gap + 60
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" viewBox="0 0 \(n(width)) \(n(height))" font-family="sans-serif" font-size="12">
            <rect x="0" y="0" width="\(n(width))" height="\(n(height))" fill="#ffffff"/>
            <text x="\(n(left))" y="24" font-size="16" font-weight="bold">\(xml(title))</text>
            <text x="\(n(left))" y="40" fill="#555555">\(xml("\(report.start.iso8601) + \(report.days) day\(report.days == 1 ? "" : "s"), a run every \(stepText(report.stepSeconds))"))</text>

            """
        let pools = report.pools.map(\.pool)
        let poolSeries = pools.indices.map { i in report.samples.map { ($0.at, $0.poolsUsedPercent[i]) } }
        let poolMax = max(100, (report.samples.flatMap(\.poolsUsedPercent).max() ?? 0).rounded(.up))
        let thresholds = report.pools.map { ($0.warningThresholdPercent, $0.pool) }
        out += panel(
            report, y: top, title: "Pool use (% of capacity)", names: pools, series: poolSeries, maximum: poolMax,
            guides: thresholds.enumerated().map { (i, t) in (t.0, palette[i % palette.count], "warning \(t.1)") })
        let volumes = report.volumes.sorted { ($0.peak, $1.volume) > ($1.peak, $0.volume) }.prefix(maximumVolumes).map(\.volume).sorted()
        let column = Dictionary(uniqueKeysWithValues: report.volumes.enumerated().map { ($1.volume, $0) })
        let volumeSeries = volumes.map { volume in report.samples.map { ($0.at, Double($0.snapshots[column[volume]!])) } }
        let limit = Double(SimulationReport.snapshotLimit)
        let peak = Double(report.volumes.map(\.peak).max() ?? 0)
        // The ceiling is drawn when the counts come near it; otherwise it would flatten every line.
        let volumeMax = peak > limit / 2 ? 260 : max(10, (peak * 1.2 / 10).rounded(.up) * 10)
        let hidden = report.volumes.count - volumes.count
        out += panel(
            report, y: top + panelHeight + gap,
            title: "Snapshots per volume" + (hidden > 0 ? " (the \(volumes.count) with the most; \(hidden) more in the report)" : ""),
            names: volumes, series: volumeSeries, maximum: volumeMax,
            guides: peak > limit / 2 ? [(limit, "#d62728", "limit 255")] : [])
        out += "</svg>\n"
        return out
    }

    private static func panel(
        _ report: SimulationReport, y: Double, title: String, names: [String], series: [[(Date, Double)]], maximum: Double,
        guides: [(Double, String, String)]
    ) -> String {
        let plotWidth = width - left - right
        let span = max(1, report.end.timeIntervalSince(report.start))
        func px(_ date: Date) -> Double { left + date.timeIntervalSince(report.start) / span * plotWidth }
        func py(_ value: Double) -> Double { y + panelHeight - value / maximum * panelHeight }
        var out = "<g>\n<text x=\"\(n(left))\" y=\"\(n(y - 8))\" font-weight=\"bold\">\(xml(title))</text>\n"
        out += "<rect x=\"\(n(left))\" y=\"\(n(y))\" width=\"\(n(plotWidth))\" height=\"\(n(panelHeight))\" fill=\"none\" stroke=\"#999999\"/>\n"
        // Horizontal grid: five steps.
        for i in 0...5 {
            let value = maximum * Double(i) / 5
            out += "<line x1=\"\(n(left))\" y1=\"\(n(py(value)))\" x2=\"\(n(left + plotWidth))\" y2=\"\(n(py(value)))\" stroke=\"#e5e5e5\"/>\n"
            out += "<text x=\"\(n(left - 6))\" y=\"\(n(py(value) + 4))\" text-anchor=\"end\">\(n(value.rounded()))</text>\n"
        }
        // Day ticks: at most about ten labels.
        let every = max(1, Int((Double(report.days) / 10).rounded(.up)))
        for day in stride(from: 0, through: report.days, by: every) {
            let x = px(report.start.addingTimeInterval(Double(day) * 86400))
            out += "<line x1=\"\(n(x))\" y1=\"\(n(y + panelHeight))\" x2=\"\(n(x))\" y2=\"\(n(y + panelHeight + 5))\" stroke=\"#999999\"/>\n"
            out += "<text x=\"\(n(x))\" y=\"\(n(y + panelHeight + 18))\" text-anchor=\"middle\">day \(day)</text>\n"
        }
        for (value, color, _) in guides {
            out += "<line x1=\"\(n(left))\" y1=\"\(n(py(value)))\" x2=\"\(n(left + plotWidth))\" y2=\"\(n(py(value)))\" stroke=\"\(color)\" stroke-dasharray=\"6 4\"/>\n"
        }
        for (i, name) in names.enumerated() {
            let color = palette[i % palette.count]
            let points = series[i].map { "\(n(px($0.0))),\(n(py($0.1)))" }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"><title>\(xml(name))</title></polyline>\n"
            let legendY = y + 12 + Double(i) * 18
            out += "<line x1=\"\(n(width - right + 15))\" y1=\"\(n(legendY - 4))\" x2=\"\(n(width - right + 35))\" y2=\"\(n(legendY - 4))\" stroke=\"\(color)\" stroke-width=\"3\"/>\n"
            out += "<text x=\"\(n(width - right + 40))\" y=\"\(n(legendY))\">\(xml(short(name)))</text>\n"
        }
        if !guides.isEmpty {
            let legendY = y + 12 + Double(names.count) * 18
            out += "<line x1=\"\(n(width - right + 15))\" y1=\"\(n(legendY - 4))\" x2=\"\(n(width - right + 35))\" y2=\"\(n(legendY - 4))\" stroke=\"#555555\" stroke-dasharray=\"6 4\"/>\n"
            out += "<text x=\"\(n(width - right + 40))\" y=\"\(n(legendY))\">\(guides.count == 1 ? xml(guides[0].2) : "warning thresholds")</text>\n"
        }
        return out + "</g>\n"
    }

    /// A name cut to fit the legend (the full name is in the line's tooltip).
    static func short(_ name: String) -> String { name.count > 26 ? String(name.prefix(25)) + "…" : name }

    /// Text for an XML text node or attribute: the five XML entities, and control
    /// characters (which XML 1.0 cannot carry at all) shown as `Escaping` writes them.
    public static func xml(_ text: String) -> String {
        var out = ""
        for character in Escaping.escape(text) {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\u{FFFE}", "\u{FFFF}": out += "\\u{\(String(character.unicodeScalars.first!.value, radix: 16, uppercase: true))}"
            default: out.append(character)
            }
        }
        return out
    }

    static func n(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    static func stepText(_ seconds: Double) -> String {
        DurationParser.describe(milliseconds: Int64(seconds * 1000))
    }
}
