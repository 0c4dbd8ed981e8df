import FlashPlanEngine
import FlashPlanModel
import Foundation

/// The two simulations of a review, side by side: one row per resource group and label,
/// volume and pool, with the base's figure and the proposed one.
struct SideBySide {
    struct Row {
        var name: String
        var base: String
        var proposed: String
        var changed: Bool { base != proposed }
    }

    var backups: [Row] = []
    var rpo: [Row] = []
    var peaks: [Row] = []
    var pools: [Row] = []

    init(_ simulation: ReviewReport.Simulations) {
        let b = simulation.base, p = simulation.proposed
        func keyed<T>(_ items: [T], _ key: (T) -> String) -> [String: T] { Dictionary(items.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a }) }
        let bp = keyed(b.protection) { "\($0.group)/\($0.label)" }, pp = keyed(p.protection) { "\($0.group)/\($0.label)" }
        let names = (b.protection + p.protection).map { "\($0.group)/\($0.label)" }
        var seen: Set<String> = []
        for name in names where seen.insert(name).inserted {
            backups.append(Row(name: name, base: bp[name].map { "\($0.backupsAtEnd)" } ?? "—", proposed: pp[name].map { "\($0.backupsAtEnd)" } ?? "—"))
            rpo.append(Row(
                name: name, base: bp[name].map { SimulationTextRenderer.percent($0.compliancePercent) } ?? "—",
                proposed: pp[name].map { SimulationTextRenderer.percent($0.compliancePercent) } ?? "—"))
        }
        let bv = keyed(b.volumes, \.volume), pv = keyed(p.volumes, \.volume)
        for name in Set(bv.keys).union(pv.keys).sorted() {
            peaks.append(Row(name: name, base: bv[name].map { "\($0.peak)" } ?? "—", proposed: pv[name].map { "\($0.peak)" } ?? "—"))
        }
        let bo = keyed(b.pools, \.pool), po = keyed(p.pools, \.pool)
        func pool(_ use: SimulationReport.PoolUse?) -> String {
            guard let use else { return "—" }
            var text = "peak " + SimulationTextRenderer.percent(use.usedPercentPeak)
            if let day = use.warningDay { text += ", warning day \(day)" }
            if let day = use.fullDay { text += ", full day \(day)" }
            return text
        }
        for name in Set(bo.keys).union(po.keys).sorted() { pools.append(Row(name: name, base: pool(bo[name]), proposed: pool(po[name]))) }
    }
}

extension IntentChange {
    /// `retention.days 7 → 2`, `added`, `removed`.
    var text: String {
        switch kind {
        case .added: "added"
        case .removed: "removed"
        case .changed: "\(field ?? "") \(before ?? "(not set)") → \(after ?? "(not set)")"
        }
    }

    var symbol: String {
        switch kind {
        case .added: "+"
        case .removed: "-"
        case .changed: "~"
        }
    }
}

/// The review for a terminal.
public enum ReviewTextRenderer {
    public static func render(_ report: ReviewReport) -> String {
        let e = Escaping.escape
        var out = ["flashplan diff --base \(e(report.baseDirectory)) --config \(e(report.configDirectory)) at \(report.now.iso8601)", ""]
        out.append("Intent (\(report.intent.count) change\(report.intent.count == 1 ? "" : "s")):")
        if report.intent.isEmpty { out.append("  (none: the two configurations declare the same)") }
        out += SimulationTextRenderer.table(
            ["", "OBJECT", "CHANGE", "WHERE"],
            report.intent.map { [$0.symbol, e($0.object), e($0.text), e("\($0.location)") + ($0.side == "base" ? " (base)" : "")] }
        ).dropFirst().map { String($0) }
        let plans = report.plans
        out += ["", "Plan difference (now; destructive first):"]
        out += section("only the proposed configuration would", plans.onlyProposed)
        out += section("only the base configuration would", plans.onlyBase)
        out += section("both would, differently (the proposed one)", plans.differing)
        for (title, items) in [("unmanaged backups only the proposed configuration leaves (kept, never pruned)", plans.unmanagedOnlyProposed),
                               ("unmanaged backups only the base configuration leaves", plans.unmanagedOnlyBase)] where !items.isEmpty {
            out.append("  \(title):")
            out += items.map { "    \(e($0.group)): \($0.backups) backups (\($0.cause.replacingOccurrences(of: "_", with: " "))) on \(e($0.volumes.joined(separator: ", ")))" }
        }
        for (side, errors) in [("base", plans.baseErrors), ("proposed", plans.proposedErrors)] where !errors.isEmpty {
            out.append("  the \(side) plan has errors and would apply nothing:")
            out += errors.map { "    \(e($0))" }
        }
        if plans.onlyProposed.isEmpty && plans.onlyBase.isEmpty && plans.differing.isEmpty && plans.unmanagedOnlyProposed.isEmpty && plans.unmanagedOnlyBase.isEmpty {
            out.append("  (none: both plans do the same now)")
        }
        let sides = SideBySide(report.simulation)
        out += ["", "Over \(report.simulation.days) day\(report.simulation.days == 1 ? "" : "s") (base → proposed; changed rows marked *):"]
        for (title, rows) in [("backups kept at the end, per resource group/label", sides.backups), ("RPO met", sides.rpo),
                              ("peak snapshots per volume (limit \(SimulationReport.snapshotLimit))", sides.peaks), ("pools", sides.pools)] {
            out.append("  \(title):")
            out += SimulationTextRenderer.table(
                ["", "NAME", "BASE", "PROPOSED"], rows.map { [$0.changed ? "*" : " ", e($0.name), $0.base, $0.proposed] }
            ).dropFirst().map { "  " + $0 }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func section(_ title: String, _ entries: [PlanDifference.Entry]) -> [String] {
        guard !entries.isEmpty else { return [] }
        return ["  \(title) (\(entries.count)):"] + entries.map { entry in
            let mark = entry.severity == .destructive ? "!" : entry.severity == .deletes ? "-" : " "
            return "    \(mark) \(Escaping.escape(entry.id)): \(Escaping.escape(entry.reason))"
        }
    }
}

/// The review as a pull-request comment: a summary table first (what changes, what it
/// destroys, what it costs), every detail folded in `<details>`.
public enum ReviewMarkdownRenderer {
    static let cell = SimulationMarkdownRenderer.cell

    public static func render(_ report: ReviewReport) -> String {
        let plans = report.plans
        let sides = SideBySide(report.simulation)
        var out = ["### flashplan diff", "",
                   "<sub>`\(cell(report.baseDirectory))` → `\(cell(report.configDirectory))` at \(report.now.iso8601), state `\(report.state.lineage.prefix(8))` serial \(report.state.serial)</sub>", ""]
        out += ["| | |", "|---|---|"]
        let objects = Set(report.intent.map(\.object)).count
        let shown = report.intent.prefix(5).map { "`\(cell($0.object))` \(cell($0.text))" }.joined(separator: "; ")
        out.append("| **What changes** | " + (report.intent.isEmpty ? "nothing in the intent" : "\(report.intent.count) change\(report.intent.count == 1 ? "" : "s") in \(objects) object\(objects == 1 ? "" : "s"): \(shown)\(report.intent.count > 5 ? "; …" : "")") + " |")
        let destroys = plans.destroysOnlyProposed
        let prunes = destroys.filter { $0.kind == ActionKind.prune.rawValue }.count
        let consent = destroys.filter { $0.severity == .destructive }.count
        let deletions = destroys.count - prunes - consent
        var destroyText = "\(prunes) prune\(prunes == 1 ? "" : "s") the base would not make, \(consent) destructive action\(consent == 1 ? "" : "s") needing consent, \(deletions) other deletion\(deletions == 1 ? "" : "s") (copies a mirror update drops, clones, volumes)"
        let left = plans.unmanagedOnlyProposed.reduce(0) { $0 + $1.backups }
        if left > 0 { destroyText += ", \(left) backups left unmanaged" }
        out.append("| **What it destroys now** | " + (destroys.isEmpty && left == 0 ? "nothing" : (destroys.isEmpty ? "" : "⚠️ ") + destroyText) + " |")
        let costs = (sides.backups.filter(\.changed).map { "backups `\(cell($0.name))` \($0.base) → \($0.proposed)" }
            + sides.peaks.filter(\.changed).prefix(3).map { "peak `\(cell($0.name))` \($0.base) → \($0.proposed)" }
            + sides.pools.filter(\.changed).map { "pool `\(cell($0.name))` \($0.base) → \($0.proposed)" }
            + sides.rpo.filter(\.changed).map { "RPO `\(cell($0.name))` \($0.base) → \($0.proposed)" })
        out.append("| **What it costs over \(report.simulation.days) day\(report.simulation.days == 1 ? "" : "s")** | " + (costs.isEmpty ? "no difference" : costs.prefix(8).joined(separator: "; ") + (costs.count > 8 ? "; …" : "")) + " |")
        if !plans.proposedErrors.isEmpty { out.append("| **❌ Errors** | the proposed plan has \(plans.proposedErrors.count) errors and would apply nothing |") }

        if !report.intent.isEmpty {
            out += ["", "<details><summary>Intent: \(report.intent.count) change\(report.intent.count == 1 ? "" : "s")</summary>", "",
                    "| | object | change | where |", "|---|---|---|---|"]
            out += report.intent.map { "| `\($0.symbol)` | `\(cell($0.object))` | \(cell($0.text)) | `\(cell("\($0.location)"))`\($0.side == "base" ? " (base)" : "") |" }
            out += ["", "</details>"]
        }
        for (title, entries) in [("Only the proposed plan", plans.onlyProposed), ("Only the base plan", plans.onlyBase), ("Both plans, differently", plans.differing)] where !entries.isEmpty {
            let heavy = entries.filter { $0.severity != .routine }.count
            out += ["", "<details><summary>\(title): \(entries.count) action\(entries.count == 1 ? "" : "s")\(heavy > 0 ? ", \(heavy) destructive first" : "")</summary>", "",
                    "| | action | why |", "|---|---|---|"]
            out += entries.map { "| \($0.severity == .destructive ? "⚠️" : $0.severity == .deletes ? "🗑️" : "") | `\(cell($0.id))` | \(cell($0.reason)) |" }
            out += ["", "</details>"]
        }
        if !plans.unmanagedOnlyProposed.isEmpty {
            out += ["", "<details><summary>Unmanaged backups the proposed configuration leaves (kept, never pruned)</summary>", "",
                    "| resource group | why | backups | volumes |", "|---|---|---:|---|"]
            out += plans.unmanagedOnlyProposed.map { "| \(cell($0.group)) | \($0.cause.replacingOccurrences(of: "_", with: " ")) | \($0.backups) | \(cell($0.volumes.joined(separator: ", "))) |" }
            out += ["", "</details>"]
        }
        out += ["", "<details><summary>Over \(report.simulation.days) day\(report.simulation.days == 1 ? "" : "s"), side by side</summary>", ""]
        for (title, rows) in [("Backups kept at the end", sides.backups), ("RPO met", sides.rpo),
                              ("Peak snapshots per volume (limit \(SimulationReport.snapshotLimit))", sides.peaks), ("Pools", sides.pools)] {
            out += ["", "**\(title)**", "", "| | base | proposed |", "|---|---|---|"]
            out += rows.map { "| \($0.changed ? "**\(cell($0.name))**" : cell($0.name)) | \($0.base) | \($0.proposed) |" }
        }
        out += ["", "</details>"]
        return out.joined(separator: "\n") + "\n"
    }
}
