import FlashPlanEngine
import FlashPlanModel
import Foundation

/// The plan as a pull-request comment: destructive consequences first (every prune,
/// deletion and resync, one by one), then configuration changes, then routine
/// protection work (backups, transfers) summarised, long lists folded in `<details>`.
public enum PlanMarkdownRenderer {
    static let routine: Set<ActionKind> = [.snapshot, .transfer]

    public static func render(_ plan: Plan) -> String {
        var out: [String] = ["### flashplan plan", ""]
        out.append("**\(PlanTextRenderer.summaryLine(plan))**")
        out.append("")
        out.append("<sub>at \(plan.now.iso8601), state `\(plan.state.lineage.prefix(8))` serial \(plan.state.serial), config `\(plan.configDigest)`</sub>")
        let errors = plan.diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty {
            out += ["", "#### ❌ Errors — this plan cannot be applied", ""]
            out += errors.map { "- `\($0.location)` \(escape($0.message)) `[\($0.rule)]`" }
        }
        // A reviewer must see what loses data before anything else: a lowered retention's
        // prunes are not routine work to fold away.
        let consent = Set(plan.consentNeeded.map(\.id))
        let destructive = plan.actions.filter { consent.contains($0.id) || $0.destructive || $0.kind == .prune }
            .sorted { (consent.contains($0.id) ? 0 : 1, $0.id) < (consent.contains($1.id) ? 0 : 1, $1.id) }
        if !destructive.isEmpty {
            let header = ["| | address | action | why |", "|---|---|---|---|"]
            out += ["", "#### ⚠️ Destructive consequences (\(destructive.count))", ""] + header
            let rows = destructive.map { a in
                "| `\(a.kind.symbol)` | `\(a.address)` | \(a.kind.rawValue)\(consent.contains(a.id) ? " — needs consent" : "") | \(escape(a.reason))\(a.blockedBy.map { " — blocked: \($0)" } ?? "") |"
            }
            out += fold(rows, summary: "\(destructive.count) destructive consequences", header: header, limit: 25)
        }
        let listed = Set(destructive.map(\.id))
        let changes = plan.actions.filter { !routine.contains($0.kind) && !listed.contains($0.id) }
        if !changes.isEmpty {
            out += ["", "#### Changes from the configuration", "", "| | address | action | why |", "|---|---|---|---|"]
            let rows = changes.map { a in
                "| `\(a.kind.symbol)` | `\(a.address)` | \(a.kind.rawValue)\(a.destructive ? " ⚠️ destructive" : "") | \(escape(a.reason))\(a.blockedBy.map { " — blocked: \($0)" } ?? "") |"
            }
            out += fold(rows, summary: "\(changes.count) changes", header: ["| | address | action | why |", "|---|---|---|---|"], limit: 25)
        }
        let routineActions = plan.actions.filter { routine.contains($0.kind) && !listed.contains($0.id) }
        if !routineActions.isEmpty {
            out += ["", "#### Routine protection", "", "| resource group | snapshots | transfers |", "|---|---:|---:|"]
            var perGroup: [String: [ActionKind: Int]] = [:]
            for action in routineActions { perGroup[action.group ?? "-", default: [:]][action.kind, default: 0] += 1 }
            for (group, counts) in perGroup.sorted(by: { $0.key < $1.key }) {
                out.append("| \(escape(group)) | \(counts[.snapshot] ?? 0) | \(counts[.transfer] ?? 0) |")
            }
            out += ["", "<details><summary>All \(routineActions.count) protection actions</summary>", ""]
            out += routineActions.map { "- `\($0.kind.symbol) \($0.address)` — \(escape($0.reason))" }
            out += ["", "</details>"]
        }
        if !plan.drift.isEmpty {
            out += ["", "#### Changed outside flashplan", "", "| address | change | plan's response |", "|---|---|---|"]
            out += plan.drift.map { "| \($0.address.map { "`\($0)`" } ?? "—") | \(escape($0.change)) | \(escape($0.response)) |" }
        }
        if !plan.unmanaged.isEmpty {
            out += ["", "#### Unmanaged backups (kept, never pruned)", "", "| resource group | why | backups | volumes |", "|---|---|---:|---|"]
            out += plan.unmanaged.map {
                "| \(escape($0.group)) | \($0.cause.rawValue.replacingOccurrences(of: "_", with: " ")) | \($0.backups) | \(escape($0.volumes.joined(separator: ", "))) |"
            }
        }
        let warnings = plan.diagnostics.filter { $0.severity == .warning }
        if !warnings.isEmpty {
            out += ["", "#### Warnings", ""]
            out += warnings.map { "- \($0.location.line > 0 ? "`\($0.location)` " : "")\(escape($0.message)) `[\($0.rule)]`" }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func fold(_ rows: [String], summary: String, header: [String], limit: Int) -> [String] {
        guard rows.count > limit else { return rows }
        return Array(rows.prefix(limit)) + ["", "<details><summary>\(rows.count - limit) more of \(summary)</summary>", ""] + header
            + rows.dropFirst(limit) + ["", "</details>"]
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
