import Foundation
import FlashPlanModel

/// Messages of the validation stage: references and the rules of the storage domain.
extension Diagnostic {
    static func unknownReference(_ kind: String, _ name: String, from: String, at location: SourceLocation, known: [String]) -> Diagnostic {
        .error(
            .unknownReference, at: location,
            "\(from) refers to \(kind) '\(name)', which is not defined" + Suggestion.hint(for: name, in: known),
            note: known.isEmpty ? "define it under '\(section(of: kind))'" : "defined \(plural(kind)): " + known.sorted().prefix(12).joined(separator: ", "))
    }

    /// `policy` -> `policies`, `array` -> `arrays`, `host` -> `hosts`.
    static func plural(_ kind: String) -> String {
        guard kind.hasSuffix("y"), let before = kind.dropLast().last, !"aeiou".contains(before) else { return kind + "s" }
        return String(kind.dropLast()) + "ies"
    }

    /// The section that declares objects of `kind`: `policies`, `resource_groups`.
    static func section(of kind: String) -> String {
        plural(kind).split(separator: " ").joined(separator: "_")
    }

    static func unknownTimezone(_ zone: String, at location: SourceLocation) -> Diagnostic {
        .error(.unknownTimezone, at: location, "'\(zone)' is not an IANA time zone", note: "write e.g. UTC, Europe/Rome or America/New_York")
    }

    static func capacityNotSold(_ array: StorageArray) -> Diagnostic {
        let sold = array.model.capacitiesTB.map { "\($0)TB" }.joined(separator: ", ")
        return .error(
            .capacityNotSold, at: array.locations["capacity"],
            "array '\(array.name)': a \(array.model.rawValue) is not sold with \(decimal(array.capacity))",
            note: "capacities sold for the \(array.model.rawValue): \(sold)")
    }

    /// `7TB`, `1.5TB`: array capacities are sold in decimal terabytes.
    static func decimal(_ size: ByteCount) -> String {
        let tb = Double(size.bytes) / 1e12
        return tb == tb.rounded() ? "\(Int(tb))TB" : String(format: "%.2fTB", tb)
    }

    static func arrayOvercommitted(_ array: StorageArray, given: ByteCount, at location: SourceLocation) -> Diagnostic {
        .error(
            .arrayOvercommitted, at: location,
            "array '\(array.name)' gives pools \(given) in all, more than its \(array.capacity)",
            note: "reduce capacity_from on the pools using '\(array.name)'")
    }

    static func mirrorSameArray(_ volume: Volume, array: String) -> Diagnostic {
        .error(
            .mirrorSameArray, at: volume.locations["mirror_pool"],
            "volume '\(volume.name)': mirror_pool '\(volume.mirrorPool ?? "")' shares array '\(array)' with pool '\(volume.pool)'; both copies would fail with it",
            note: "choose a mirror_pool whose capacity comes from other arrays")
    }

    static func compressedRequiresThin(_ volume: Volume) -> Diagnostic {
        .error(
            .compressedRequiresThin, at: volume.locations["compressed"],
            "volume '\(volume.name)' is compressed but thin: false; compressed volumes are always thin",
            note: "remove 'thin: false' or 'compressed: true'")
    }

    static func tooManySnapshots(volume: String, total: Int, parts: [String], at location: SourceLocation) -> Diagnostic {
        .error(
            .tooManySnapshots, at: location,
            "volume '\(volume)' would keep up to \(total) snapshots, more than the 255 a FlashSystem volume holds",
            note: "retention adds up as: " + parts.joined(separator: " + ") + "; lower a count or days, or vault long-term copies")
    }

    static func smbInGroup(_ volume: String, group: String, at location: SourceLocation) -> Diagnostic {
        .error(
            .smbInGroup, at: location,
            "resource group '\(group)' contains SMB volume '\(volume)'; SMB (CIFS) shares cannot be backed up or restored",
            note: "remove it from the group, or serve it over a block protocol")
    }

    static func reservedVolumeName(_ name: String, reason: String, at location: SourceLocation) -> Diagnostic {
        .error(.reservedVolumeName, at: location, "volume name '\(name)' is reserved: \(reason)", note: "rename the volume")
    }

    static func replicationCascade(_ volume: String, group: String, source: String, sourceGroup: String, at location: SourceLocation) -> Diagnostic {
        .error(
            .replicationCascade, at: location,
            "resource group '\(group)' protects '\(volume)', the replication destination of '\(source)' (group '\(sourceGroup)'); cascades are not supported",
            note: "replicate from the primary to each destination (fan-out)")
    }

    static func sharedDestination(
        _ destination: String, volume: String, pool: String, group: String, other: String, otherLocation: SourceLocation, at location: SourceLocation
    ) -> Diagnostic {
        let who = group == other ? "resource group '\(group)' replicates" : "resource groups '\(other)' and '\(group)' both replicate"
        return .error(
            .sharedDestination, at: location,
            "\(who) volume '\(volume)' to pool '\(pool)': both would use the one destination volume '\(destination)', and each group's transfers and retention would replace the other's backups there",
            note: "replicate '\(volume)' to '\(pool)' from one group only, or to another pool; the other replication is declared at \(otherLocation)")
    }

    static func generatedNameCollision(_ name: String, what: String, other: String, otherLocation: SourceLocation, at location: SourceLocation) -> Diagnostic {
        .error(
            .generatedNameCollision, at: location,
            "\(what) would be volume '\(name)', the name of \(other) too: one would be taken for the other",
            note: "rename the clone, volume or pool so that the names differ; the other is declared at \(otherLocation)")
    }

    static func multipleSyncMirrors(group: String, at location: SourceLocation) -> Diagnostic {
        .error(.multipleSyncMirrors, at: location, "resource group '\(group)' has more than one sync mirror", note: "make all but one mode: async")
    }

    static func replicationSamePool(volume: String, pool: String, at location: SourceLocation) -> Diagnostic {
        .error(.replicationSamePool, at: location, "volume '\(volume)' would be replicated into its own pool '\(pool)'", note: "replicate to a pool on other arrays")
    }

    static func replicationSameArray(_ replication: Replication, volume: String, array: String) -> Diagnostic {
        let message = "volume '\(volume)' is replicated (\(replication.type.rawValue)) to pool '\(replication.to)', which takes capacity from array '\(array)' like the volume's own pool; losing that array loses both"
        let note = "replicate to a pool whose capacity comes from other arrays"
        return replication.type == .mirror
            ? .error(.mirrorSameArrayAsSource, at: replication.location, message, note: note)
            : .warning(.vaultSameArrayAsSource, at: replication.location, message, note: note)
    }

    static func mirrorRetention(at location: SourceLocation) -> Diagnostic {
        .error(.mirrorRetention, at: location, "a mirror keeps exactly its source's backups and takes no retention", note: "remove 'retention', or use type: vault")
    }

    static func vaultWithoutRetention(pool: String, at location: SourceLocation) -> Diagnostic {
        .error(.vaultRetentionMissing, at: location, "vault to '\(pool)' lists no labels, so it would receive nothing", note: "add retention: {LABEL: {count: N}} for each label to vault")
    }

    static func vaultLabelUnused(_ label: String, group: String, at location: SourceLocation) -> Diagnostic {
        .warning(.vaultLabelUnused, at: location, "vault label '\(label)' is made by no policy of resource group '\(group)'", note: "check the policy labels of the group")
    }

    static func cloneSourceMissing(clone: String, from: String, group: String, at location: SourceLocation) -> Diagnostic {
        .error(
            .cloneSourceMissing, at: location,
            "clone '\(clone)' is made from pool '\(from)', which holds no copy of resource group '\(group)'",
            note: "use from: primary, or a pool listed under this group's replicate")
    }

    static func cloneLabelMissing(clone: String, label: String, source: String, at location: SourceLocation) -> Diagnostic {
        .error(
            .cloneLabelMissing, at: location, "clone '\(clone)' wants label '\(label)', which \(source) never holds",
            note: "use a label of the group's policies (a vault holds only the labels of its retention)")
    }

    static func absentVolumeInGroup(_ volume: String, group: String, at location: SourceLocation) -> Diagnostic {
        .error(.absentVolumeInGroup, at: location, "resource group '\(group)' protects '\(volume)', which is declared state: absent", note: "remove it from the group first")
    }

    static func labelConflict(_ label: String, group: String, at location: SourceLocation, other: String) -> Diagnostic {
        .error(
            .labelConflict, at: location, "resource group '\(group)' uses label '\(label)' in two policies with different retention",
            note: "the other is policy '\(other)'; give the policies different labels")
    }
}

/// Messages about schedules.
extension Diagnostic {
    static func invalidSchedule(_ expression: String, error: String, at location: SourceLocation) -> Diagnostic {
        .error(
            .invalidSchedule, at: location, "schedule '\(expression)' is not a systemd calendar event: \(error)",
            note: "OnCalendar= syntax, e.g. 'Mon..Fri *-*-* 02:30', 'Sun 03:00', '*-*-01 00:00:00'; try `flashplan schedule EXPR`")
    }

    static func scheduleNeverFires(_ expression: String, at location: SourceLocation) -> Diagnostic {
        .error(.scheduleNeverFires, at: location, "schedule '\(expression)' never fires", note: "check the date (e.g. *-02-30 does not exist)")
    }

    static func scheduleEnds(_ expression: String, lastYear: Int, at location: SourceLocation) -> Diagnostic {
        .error(
            .scheduleNeverFires, at: location,
            "schedule '\(expression)' stops firing after \(lastYear): it names the years it fires in, and the backups would stop with it",
            note: "write `*` for the year (e.g. *-*-* 02:30), so that the schedule goes on")
    }

    static func scheduleTooFrequent(_ expression: String, interval: TimeInterval, policy: Policy, at location: SourceLocation) -> Diagnostic {
        let every = interval >= 3600 ? "\(Int(interval / 3600))h" : interval >= 60 ? "\(Int(interval / 60))min" : "\(Int(interval))s"
        return .error(
            .scheduleTooFrequent, at: location,
            "schedule '\(expression)' fires every \(every) at times, more often than policy '\(policy.name)' (\(policy.frequency.rawValue)) allows",
            note: "use a \(policy.frequency.rawValue) policy's pace, or a policy of a higher frequency")
    }

    static func scheduleOnDemand(policy: String, at location: SourceLocation) -> Diagnostic {
        .warning(.scheduleOnDemand, at: location, "policy '\(policy)' has frequency none (on demand); its schedule is ignored", note: "remove the schedule, or give the policy a frequency")
    }
}
