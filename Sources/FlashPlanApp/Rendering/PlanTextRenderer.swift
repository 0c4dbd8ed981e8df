import FlashPlanEngine
import FlashPlanModel
import Foundation

/// The plan as text, in Terraform's manner: grouped by resource group, `+` create,
/// `~` change, `-` delete/prune, `>` transfer, drift apart, one summary line last.
public struct PlanTextRenderer: Sendable {
    public var style: TerminalStyle
    public var renderer: DiagnosticRenderer

    public init(style: TerminalStyle = .plain, renderer: DiagnosticRenderer = DiagnosticRenderer()) {
        self.style = style
        self.renderer = renderer
    }

    public func render(_ plan: Plan) -> String {
        var out: [String] = []
        let header = "flashplan plan at \(plan.now.iso8601) against state \(plan.state.lineage.prefix(8)) serial \(plan.state.serial)"
        out.append(style.dim(header))
        if plan.actions.isEmpty {
            out.append("")
        } else {
            out.append("")
            out.append("flashplan will perform the following actions:")
            for (title, actions) in Self.sections(plan.actions) {
                out.append("")
                out.append(style.bold("  # \(title)"))
                for action in actions { out += lines(action) }
            }
        }
        let retention = retentionSummary(plan)
        if !retention.isEmpty {
            out.append("")
            out.append(style.bold("Retention:"))
            out += retention
        }
        if !plan.drift.isEmpty {
            out.append("")
            out.append(style.bold("Changed outside flashplan:"))
            for item in plan.drift {
                out.append("  \(style.yellow("!")) \(item.address.map { "\($0): " } ?? "")\(item.change)")
                out.append("      \(style.dim("→ " + item.response))")
            }
        }
        if !plan.unmanaged.isEmpty {
            out.append("")
            out.append(style.bold("Unmanaged backups (kept, never pruned):"))
            for item in plan.unmanaged {
                let volumes = item.volumes.prefix(6).joined(separator: ", ") + (item.volumes.count > 6 ? ", …" : "")
                out.append("  \(style.yellow("!")) group '\(item.group)': \(item.backups) backup\(item.backups == 1 ? "" : "s") on \(volumes), newest \(item.newest.iso8601) (\(item.cause.rawValue.replacingOccurrences(of: "_", with: " ")))")
            }
        }
        if !plan.diagnostics.isEmpty {
            out.append("")
            out.append(renderer.render(plan.diagnostics))
        }
        out.append("")
        out.append(Self.summaryLine(plan))
        return out.joined(separator: "\n") + "\n"
    }

    /// `Plan: N to create, …` or `No changes.`
    public static func summaryLine(_ plan: Plan) -> String {
        let s = plan.summary
        if plan.actions.isEmpty { return "No changes. The storage matches the configuration." }
        return "Plan: \(s.create) to create, \(s.change) to change, \(s.snapshots) snapshots, \(s.prune) to prune, \(s.transfers) transfers, \(s.destroy) to destroy."
    }

    /// Infrastructure first, then each resource group, then destruction.
    static func sections(_ actions: [PlanAction]) -> [(String, [PlanAction])] {
        var infrastructure: [PlanAction] = []
        var groups: [String: [PlanAction]] = [:]
        var destroy: [PlanAction] = []
        for action in actions {
            if let group = action.group {
                groups[group, default: []].append(action)
            } else if action.kind == .destroyVolume {
                destroy.append(action)
            } else {
                infrastructure.append(action)
            }
        }
        var result: [(String, [PlanAction])] = []
        if !infrastructure.isEmpty { result.append(("infrastructure", infrastructure)) }
        for name in groups.keys.sorted() { result.append(("resource group \"\(name)\"", groups[name]!)) }
        if !destroy.isEmpty { result.append(("destroy", destroy)) }
        return result
    }

    func lines(_ action: PlanAction) -> [String] {
        var lines = ["  \(style.symbol(action.kind)) \(action.address)  \(style.dim("(\(action.kind.rawValue))"))"]
        lines.append("      \(action.reason)")
        let keys = Set((action.before ?? [:]).keys).union((action.after ?? [:]).keys).sorted()
        for key in keys {
            switch (action.before?[key], action.after?[key]) {
            case (let b?, let a?): lines.append("      \(key): \(b) → \(a)")
            case (nil, let a?): lines.append("      \(key): \(a)")
            case (let b?, nil): lines.append("      \(key): \(b)")
            default: break
            }
        }
        if action.destructive { lines.append("      " + style.red("destructive: data on the target is lost")) }
        if let blocked = action.blockedBy { lines.append("      " + style.yellow("blocked: \(blocked)")) }
        return lines
    }

    /// One line per group, label and location: how many backups are kept (and how
    /// many of those only because they are protected) and pruned. A backup held on
    /// several volumes counts once.
    func retentionSummary(_ plan: Plan) -> [String] {
        struct Bucket { var keep: Set<String> = []; var protected: Set<String> = []; var prune: Set<String> = [] }
        var buckets: [String: Bucket] = [:]
        // Decisions come in runs of one group, label and location (the planner records them
        // so): the key is written and looked up once a run, not once a decision.
        var run: (decision: RetentionDecision, bucket: Bucket)?
        func flush() {
            guard let (decision, bucket) = run else { return }
            let key = "\(decision.group) '\(decision.label)' on \(decision.location)"
            if var existing = buckets[key] {
                existing.keep.formUnion(bucket.keep)
                existing.protected.formUnion(bucket.protected)
                existing.prune.formUnion(bucket.prune)
                buckets[key] = existing
            } else {
                buckets[key] = bucket
            }
        }
        for decision in plan.retention {
            if let first = run?.decision,
                first.group != decision.group || first.label != decision.label || first.location != decision.location
            {
                flush()
                run = nil
            }
            if run == nil { run = (decision, Bucket()) }
            switch decision.verdict {
            case .keep:
                run!.bucket.keep.insert(decision.backup)
                if !decision.protections.isEmpty { run!.bucket.protected.insert(decision.backup) }
            case .prune:
                run!.bucket.prune.insert(decision.backup)
            }
        }
        flush()
        return buckets.keys.sorted().map { key in
            let b = buckets[key]!
            return "  \(key): keep \(b.keep.count)" + (b.protected.isEmpty ? "" : " (\(b.protected.count) protected)")
                + ", prune \(b.prune.count)"
        }
    }
}
