import FlashPlanEngine
import FlashPlanModel
import Foundation

/// `flashplan status` as text: sections of short lines, none longer than 80 columns
/// (names that would not fit are cut in the middle; `--format json` has them whole).
enum StatusTextRenderer {
    typealias F = StatusFormatting

    static func render(_ status: EstateStatus) -> String {
        var lines: [String] = []
        lines.append("flashplan status at \(status.now.iso8601), state serial \(status.state.serial)")
        lines += lastApply(status.lastApply)
        lines += pending(status.pending)
        lines.append("")
        // First, before the backups: an offline array makes every other section's "ok"
        // and "met" a statement about the past.
        lines += arrays(status.arrays)
        lines += protection(status)
        lines += replication(status.replication)
        lines += clones(status.clones)
        lines += pools(status.pools)
        lines += unmanaged(status.unmanaged)
        lines += held(status.held)
        lines += planErrors(status.planErrors)
        while lines.last == "" { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }

    static func lastApply(_ last: EstateStatus.LastApply?) -> [String] {
        guard let last else { return ["Last apply: none recorded in this state"] }
        let outcome = last.outcome.map { F.name($0, limit: 20) } ?? "its end was never recorded (killed, or still running)"
        return F.wrap("Last apply: \(F.name(last.operation, limit: 20)) at \(last.started.iso8601) (serial \(last.serial)): \(outcome)", indent: 0)
    }

    static func pending(_ summary: PlanSummary) -> [String] {
        guard summary.total > 0 else { return ["Pending: nothing; an apply now would change nothing"] }
        var parts: [String] = []
        if summary.snapshots > 0 { parts.append("\(summary.snapshots) snapshot\(summary.snapshots == 1 ? "" : "s")") }
        if summary.prune > 0 { parts.append("\(summary.prune) to prune") }
        if summary.transfers > 0 { parts.append("\(summary.transfers) transfer\(summary.transfers == 1 ? "" : "s")") }
        if summary.create > 0 { parts.append("\(summary.create) to create") }
        if summary.change > 0 { parts.append("\(summary.change) to change") }
        if summary.destroy > 0 { parts.append("\(summary.destroy) to destroy") }
        return F.wrap("Pending: an apply now would do \(parts.joined(separator: ", ")) (see `flashplan plan`)", indent: 0)
    }

    /// `  group/label   met   newest …` with a column of details.
    static func protection(_ status: EstateStatus) -> [String] {
        var lines = ["Backups (late \(F.duration(status.graceSeconds)) after the schedule elapse they missed)"]
        guard !status.protection.isEmpty else { return lines + ["  no resource group declares a policy", ""] }
        let names = status.protection.map { F.name($0.group + "/" + $0.label, limit: 28) }
        let column = names.map(\.count).max() ?? 0
        let indent = 2 + column + 2 + 4 + 2
        let continuation = String(repeating: " ", count: indent)
        for (row, name) in zip(status.protection, names) {
            let verdict = row.rpoMet ? "met " : "LATE"
            var details: [String] = []
            if row.frequency == .none {
                details.append("on demand only (frequency: none)")
            }
            if !row.rpoMet {
                if let since = row.lateSince, let late = row.lateSeconds {
                    details.append("missed \(since.iso8601) (\(F.duration(late)))")
                } else if row.newestCreated == nil {
                    details.append("no backup yet")
                }
            }
            if let created = row.newestCreated, let age = row.ageSeconds {
                details.append("newest \(created.iso8601) (\(F.duration(age)) ago)")
            } else if row.rpoMet, row.frequency != .none {
                details.append("no backup yet")
            }
            if let next = row.nextElapse { details.append("next due \(next.iso8601)") }
            let first = "  " + F.pad(name, column) + "  " + verdict + "  " + (details.first ?? "")
            lines.append(first.trimmingTrailingSpaces())
            for detail in details.dropFirst() { lines.append(continuation + detail) }
        }
        let late = status.protection.filter { !$0.rpoMet }.count
        lines.append("  \(status.protection.count) label\(status.protection.count == 1 ? "" : "s"), \(late) late")
        return lines + [""]
    }

    static func replication(_ destinations: [EstateStatus.ReplicationStatus]) -> [String] {
        guard !destinations.isEmpty else { return [] }
        var lines = ["Replication (lag: how far the newest copy is behind the newest backup)"]
        let names = destinations.map { F.name($0.group, limit: 15) + " -> " + F.name($0.pool, limit: 11) }
        let column = names.map(\.count).max() ?? 0
        for (destination, name) in zip(destinations, names) {
            let kind = "\(destination.type.rawValue) \(destination.mode.rawValue)"
            lines.append("  " + F.pad(name, column) + "  " + F.pad(kind, 12) + "  "
                + F.pad(destination.state, 13) + "  lag " + F.duration(destination.lagSeconds))
            if let last = destination.lastTransfer {
                lines.append("    oldest last transfer \(last.iso8601)")
            }
            for relationship in destination.relationships where relationship.state != "idle" && relationship.state != "transferring" {
                lines.append("    ! relationship." + F.name(relationship.destination, limit: 44) + ": " + relationship.state)
            }
        }
        return lines + [""]
    }

    static func arrays(_ arrays: [EstateStatus.ArrayStatus]) -> [String] {
        let down = arrays.filter { $0.status != .online }
        guard !down.isEmpty else { return [] }
        var lines = ["Arrays out of service (what is on them cannot be backed up or replicated)"]
        for array in down {
            lines.append("  ! array." + F.name(array.name, limit: 50) + ": " + array.status.rawValue.uppercased()
                + (array.status == .degraded ? " (a module failed; on its hot spare)" : ""))
            guard array.status == .offline else { continue }
            if !array.pools.isEmpty {
                lines += F.wrap("pools offline: " + array.pools.map(Escaping.escape).joined(separator: ", "), indent: 4)
            }
            if !array.volumesOutOfReach.isEmpty {
                let count = array.volumesOutOfReach.count
                let shown = array.volumesOutOfReach.prefix(8).map(Escaping.escape).joined(separator: ", ") + (count > 8 ? ", …" : "")
                lines += F.wrap("\(count) volume\(count == 1 ? "" : "s") out of reach: " + shown, indent: 4)
            }
            if !array.groupsAffected.isEmpty {
                lines += F.wrap("groups that cannot be backed up: " + array.groupsAffected.map(Escaping.escape).joined(separator: ", "), indent: 4)
            }
        }
        return lines + [""]
    }

    static func clones(_ clones: [EstateStatus.CloneStatus]) -> [String] {
        guard !clones.isEmpty else { return [] }
        var lines = ["Clones"]
        for clone in clones {
            lines.append("  clone." + F.name(clone.name, limit: 46) + " in pool " + F.name(clone.pool, limit: 16))
            lines.append("    from snapshot." + F.name(clone.parentVolume + "/" + clone.parentSnapshot, limit: 61))
            let taken = clone.parentCreated.map { "backup taken \($0.iso8601), " } ?? "parent snapshot gone, "
            lines.append("    " + taken + "clone made \(clone.created.iso8601)")
        }
        return lines + [""]
    }

    static func pools(_ pools: [EstateStatus.PoolStatus]) -> [String] {
        guard !pools.isEmpty else { return [] }
        var lines = ["Pools (physical use against the warning and critical thresholds)"]
        let column = min(pools.map { F.name($0.name, limit: 24).count }.max() ?? 0, 24)
        for pool in pools {
            let capacity = ByteCount(bytes: pool.capacityBytes).description
            let level = !pool.offlineArrays.isEmpty ? "OFFLINE" : pool.level == .ok ? "ok" : pool.level.rawValue.uppercased()
            lines.append("  " + F.pad(F.name(pool.name, limit: column), column) + "  " + F.pad(F.percent(pool.usedPercent), 5)
                + " of " + F.pad(capacity, 10) + "  " + F.pad(level, 8) + " warn \(F.percent(pool.warningThreshold)), crit \(F.percent(pool.criticalThreshold))")
        }
        return lines + [""]
    }

    static func unmanaged(_ groups: [UnmanagedBackups]) -> [String] {
        guard !groups.isEmpty else { return [] }
        var lines = ["Unmanaged backups (kept and never pruned; see `flashplan plan`)"]
        for group in groups {
            let cause: String
            switch group.cause {
            case .groupRemoved: cause = "group no longer declared"
            case .volumeRemoved: cause = "volumes no longer in the group"
            case .destinationRemoved: cause = "destinations no longer replicated"
            }
            lines.append("  group " + F.name(group.group, limit: 36) + ": \(group.backups) backup\(group.backups == 1 ? "" : "s"), \(group.snapshots) snapshot\(group.snapshots == 1 ? "" : "s")")
            lines.append("    newest \(group.newest.iso8601); \(cause)")
            lines += F.wrap("on " + group.volumes.map(Escaping.escape).joined(separator: ", "), indent: 4)
        }
        return lines + [""]
    }

    static func held(_ actions: [EstateStatus.HeldAction]) -> [String] {
        guard !actions.isEmpty else { return [] }
        var lines = ["Held destructive actions (an --auto-approve apply holds them until you", "consent: apply without --auto-approve, or with --allow-destructive)"]
        for action in actions {
            lines.append("  ! " + F.name(action.id, limit: 76))
            lines += F.wrap(Escaping.escape(action.reason), indent: 4)
        }
        return lines + [""]
    }

    static func planErrors(_ errors: [String]) -> [String] {
        guard !errors.isEmpty else { return [] }
        var lines = ["Plan errors (each blocks what it concerns; see `flashplan plan`)"]
        for error in errors { lines += F.wrap(Escaping.escape(error), indent: 2) }
        return lines + [""]
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
