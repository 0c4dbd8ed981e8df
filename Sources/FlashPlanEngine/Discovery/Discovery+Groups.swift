import FlashPlanModel
import Foundation

extension Discovery.Builder {
    /// One recognised group before its retention counts are settled (they depend on every
    /// group sharing its volumes: a volume holds at most 255 snapshots).
    struct Draft {
        var group: ResourceGroup
        /// Label -> distinct backups on primary and mirror copies (name -> created).
        var backups: [String: [String: Date]] = [:]
        /// Vault pool -> label -> distinct backups it holds.
        var vaulted: [String: [String: [String: Date]]] = [:]
        var immutable: Set<String> = []
        var labels: [String] = []
        var notes: [String] = []

        /// Snapshots each of the group's volumes may come to hold under the inferred rules,
        /// counted as `validate` counts them.
        func ceilingShare(margin: Int) -> Int {
            labels.reduce(0) { $0 + min(255, max(1, (backups[$1]?.count ?? 0) + margin)) } + group.replicate.count
                + group.clones.filter { $0.refresh == .never }.count
        }
    }

    mutating func groups(_ fragment: inout ConfigurationFragment) {
        let volumeByName = Dictionary(observed.volumes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let relationshipByDestination = Dictionary(
            observed.relationships.map { ($0.destination, $0) }, uniquingKeysWith: { first, _ in first })
        var byGroup: [String: [ObservedSnapshot]] = [:]
        for snapshot in observed.snapshots {
            if let group = snapshot.group { byGroup[group, default: []].append(snapshot) }
        }
        // One pass each, not one per group: a fleet has a million snapshots.
        let relationshipsByGroup = Dictionary(grouping: observed.relationships.filter { $0.group != nil }, by: { $0.group! })
        let parentKeys = Set(observed.clones.map { "\($0.volume)/\($0.parentSnapshot)" })
        var cloneParents: [String: ObservedSnapshot] = [:]
        if !parentKeys.isEmpty {
            for snapshot in observed.snapshots where parentKeys.contains("\(snapshot.volume)/\(snapshot.name)") {
                cloneParents["\(snapshot.volume)/\(snapshot.name)"] = snapshot
            }
        }
        var drafts: [Draft] = []
        var offsets: [Int: String] = [:]
        for name in byGroup.keys.sorted() where configuration.resourceGroups[name] == nil {
            if let draft = recognise(
                name, snapshots: byGroup[name]!, relationships: relationshipsByGroup[name] ?? [], cloneParents: cloneParents,
                volumeByName: volumeByName, relationshipByDestination: relationshipByDestination, offsets: &offsets,
                fragment: &fragment)
            {
                drafts.append(draft)
            }
        }
        // Relationships of a group that has no backup left to recognise it by.
        for relationship in observed.relationships {
            guard let group = relationship.group, byGroup[group] == nil, configuration.resourceGroups[group] == nil else { continue }
            fragment.warnings.append("relationship '\(Escaping.escape(relationship.destination))' (\(relationship.type.rawValue) of volume '\(Escaping.escape(relationship.source))') belongs to group '\(Escaping.escape(group))', which holds no backup to recognise it by; declare the group by hand to adopt it")
        }
        let margins = settleCeiling(drafts, fragment: &fragment)
        for (index, var draft) in drafts.enumerated() {
            finish(&draft, margin: margins[index], fragment: &fragment)
        }
        if !offsets.isEmpty {
            let zone = configuration.settings.timezone
            let list = offsets.keys.sorted().map { "UTC\(Self.offsetText($0)) (e.g. \(offsets[$0]!))" }.joined(separator: ", ")
            fragment.header.append("Backup names carry local times at \(list); the schedules below are read in \(zone), this configuration's settings.timezone.")
        }
    }

    /// The group `name` as its snapshots and relationships show it, or nil (with a warning) when
    /// it cannot be written.
    private mutating func recognise(
        _ name: String, snapshots: [ObservedSnapshot], relationships: [ObservedRelationship],
        cloneParents: [String: ObservedSnapshot], volumeByName: [String: ObservedVolume],
        relationshipByDestination: [String: ObservedRelationship], offsets: inout [Int: String],
        fragment: inout ConfigurationFragment
    ) -> Draft? {
        let shown = Escaping.escape(name)
        guard valid(name) else {
            fragment.warnings.append("backups of group '\(shown)' are not adopted: the group's name is not valid in the configuration language; its backups stay unmanaged (reported, never deleted)")
            return nil
        }
        if let label = Set(snapshots.map(\.label)).sorted().first(where: { !valid($0) }) {
            fragment.warnings.append("backups of group '\(shown)' are not adopted: their label '\(Escaping.escape(label))' is not valid in the configuration language; they stay unmanaged (reported, never deleted)")
            return nil
        }
        var draft = Draft(group: ResourceGroup(name: name))
        var primary: Set<String> = []
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        var newest: ObservedSnapshot?
        var nameHosts: [String: Date] = [:]
        var validFor: Set<String> = []
        var parsedNames: Set<String> = []
        for snapshot in snapshots {
            draft.labels.append(snapshot.label)
            if snapshot.immutableUntil != nil { draft.immutable.insert(snapshot.label) }
            if newest.map({ snapshot.created > $0.created }) ?? true { newest = snapshot }
            validFor.formUnion(snapshot.hosts)
            // A backup's name repeats on each of its volumes: read it once.
            if parsedNames.insert(snapshot.name).inserted, let parsed = Discovery.parseBackupName(snapshot.name, group: name) {
                nameHosts[parsed.host] = max(nameHosts[parsed.host] ?? .distantPast, snapshot.created)
                if let local = utc.date(from: parsed.local) {
                    let offset = Int((local.timeIntervalSince(snapshot.created) / 900).rounded()) * 900
                    if abs(offset) <= 14 * 3600, offsets[offset] == nil { offsets[offset] = Escaping.escape(snapshot.name) }
                }
            }
            let role = volumeByName[snapshot.volume]?.role
            if role == .primary {
                primary.insert(snapshot.volume)
                draft.backups[snapshot.label, default: [:]][snapshot.name] = snapshot.created
            } else if role == .destination, let relationship = relationshipByDestination[snapshot.volume],
                let pool = volumeByName[snapshot.volume]?.pool
            {
                // A backup is the group's wherever its copies live: one only a mirror still
                // holds counts, as the planner counts it.
                if relationship.type == .mirror {
                    draft.backups[snapshot.label, default: [:]][snapshot.name] = snapshot.created
                } else {
                    draft.vaulted[pool, default: [:]][snapshot.label, default: [:]][snapshot.name] = snapshot.created
                }
            }
        }
        draft.labels = Array(Set(draft.labels)).sorted()
        // A volume of the group with no backup yet still has the group's relationships.
        for relationship in relationships where volumeByName[relationship.source]?.role == .primary {
            primary.insert(relationship.source)
        }
        var groupVolumes: [String] = []
        for volume in primary.sorted() {
            if !volumes.contains(volume) {
                fragment.warnings.append("volume '\(Escaping.escape(volume))' of group '\(shown)' is not declared and could not be written; the group is written without it")
            } else if (configuration.volumes[volume]?.accessProtocol ?? volumeByName[volume]?.accessProtocol) == .smb {
                fragment.warnings.append("volume '\(Escaping.escape(volume))' of group '\(shown)' is an SMB share, which cannot be in a resource group; the group is written without it")
            } else {
                groupVolumes.append(volume)
            }
        }
        guard !groupVolumes.isEmpty else {
            fragment.warnings.append("backups of group '\(shown)' are not adopted: none of its volumes can be declared; they stay unmanaged (reported, never deleted)")
            return nil
        }
        draft.group.volumes = groupVolumes
        // Hosts: the one the newest backup name carries first (new backups are named after
        // the first host), then every host the backups are valid for.
        let first = nameHosts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key
        var groupHosts: [String] = []
        for host in (first.map { [$0] } ?? []) + validFor.sorted() where !groupHosts.contains(host) {
            if hosts.contains(host) {
                groupHosts.append(host)
            } else {
                fragment.warnings.append("host '\(Escaping.escape(host))' of group '\(shown)' is not declared and could not be written; the group is written without it")
            }
        }
        draft.group.hosts = groupHosts
        draft.group.tag = newest?.tag
        draft.group.replicate = replication(of: draft, relationships: relationships, volumeByName: volumeByName, fragment: &fragment)
        draft.group.clones = clones(of: draft, parents: cloneParents, fragment: &fragment)
        let backupCount = Set(draft.backups.values.flatMap(\.keys)).count
        draft.notes.append("recognised from \(backupCount) backup\(backupCount == 1 ? "" : "s") (\(snapshots.count) snapshot\(snapshots.count == 1 ? "" : "s")) of group '\(shown)'" + (first.map { ", named \(shown)_\(Escaping.escape($0))_MM-dd-yyyy_HH.mm.ss" } ?? ""))
        draft.notes.append("volumes: those holding its snapshots or replicated for it; hosts: " + (first == nil ? "those its backups are valid for" : "the host in its backup names first, then those its backups are valid for"))
        return draft
    }

    /// One `replicate` entry per destination pool and type, from the group's relationships.
    private func replication(
        of draft: Draft, relationships: [ObservedRelationship], volumeByName: [String: ObservedVolume],
        fragment: inout ConfigurationFragment
    ) -> [Replication] {
        var entries: [Replication] = []
        let shown = Escaping.escape(draft.group.name)
        for relationship in relationships.sorted(by: { $0.destination < $1.destination }) {
            guard draft.group.volumes.contains(relationship.source), let pool = volumeByName[relationship.destination]?.pool else { continue }
            guard valid(pool), pools.contains(pool), relationship.destination == "\(relationship.source)_\(pool)" else {
                fragment.warnings.append("relationship '\(Escaping.escape(relationship.destination))' of group '\(shown)' is not adopted: its destination is not named <volume>_<pool> in a pool that could be written")
                continue
            }
            if let index = entries.firstIndex(where: { $0.to == pool && $0.type == relationship.type }) {
                if relationship.mode == .sync { entries[index].mode = .sync }
            } else {
                entries.append(Replication(to: pool, type: relationship.type, mode: relationship.mode))
            }
        }
        return entries
    }

    /// The group's clones: `<clone>_<volume>` made from one of its backups, on primary or a destination.
    private func clones(of draft: Draft, parents: [String: ObservedSnapshot], fragment: inout ConfigurationFragment) -> [CloneSpec] {
        var specs: [CloneSpec] = []
        let shown = Escaping.escape(draft.group.name)
        // Copy volume -> where it is and the group's volume it is a copy of (clone names
        // carry the latter: `<clone>_<volume>`, wherever the clone was made).
        var holders: [String: (from: CopyLocation, volume: String)] = [:]
        for volume in draft.group.volumes {
            holders[volume] = (.primary, volume)
            for replication in draft.group.replicate {
                holders[replication.destinationVolume(of: volume)] = (.destination(pool: replication.to), volume)
            }
        }
        for clone in observed.clones.sorted(by: { $0.name < $1.name }) {
            guard let (from, volume) = holders[clone.volume] else { continue }
            let suffix = "_" + volume
            let name = clone.name.hasSuffix(suffix) ? String(clone.name.dropLast(suffix.count)) : ""
            guard valid(name), let parent = parents["\(clone.volume)/\(clone.parentSnapshot)"], parent.group == draft.group.name else {
                fragment.warnings.append("clone '\(Escaping.escape(clone.name))' of group '\(shown)' is not adopted: it is not named <clone>_<volume> after a backup of the group")
                continue
            }
            guard !specs.contains(where: { $0.name == name }) else { continue }
            let host = clone.host.flatMap { hosts.contains($0) ? $0 : nil }
            specs.append(CloneSpec(name: name, label: parent.label, from: from, host: host, refresh: .never))
        }
        return specs
    }

    /// The margin of each draft's retention counts: one more than the backups that exist,
    /// unless a volume's 255 snapshots leave no room for it.
    private func settleCeiling(_ drafts: [Draft], fragment: inout ConfigurationFragment) -> [Int] {
        var margins = [Int](repeating: 1, count: drafts.count)
        let declared = declaredShares()
        func totals() -> [String: Int] {
            var perVolume = declared
            for (index, draft) in drafts.enumerated() {
                for volume in draft.group.volumes { perVolume[volume, default: 0] += draft.ceilingShare(margin: margins[index]) }
            }
            return perVolume
        }
        let crowded = totals().filter { $0.value > 255 }.keys
        for (index, draft) in drafts.enumerated() where draft.group.volumes.contains(where: crowded.contains) { margins[index] = 0 }
        for (volume, total) in totals().sorted(by: { $0.key < $1.key }) where total > 255 {
            fragment.warnings.append("volume '\(Escaping.escape(volume))': the retention counts of its groups (discovered and declared) add up to \(total) snapshots, past the 255 a volume holds; validate will say so (too-many-snapshots): lower a count by hand, knowing that backups beyond it will be pruned")
        }
        return margins
    }

    /// What the configuration's own groups may keep on each volume, counted at least as
    /// `validate` counts it: a `days` rule at the fastest pace its frequency allows.
    private func declaredShares() -> [String: Int] {
        var perVolume: [String: Int] = [:]
        for group in configuration.resourceGroups.values {
            var labels: [String: Int] = [:]
            for entry in group.policies {
                guard let policy = configuration.policies[entry.policy] else { continue }
                let n: Int
                switch policy.retention {
                case .count(let count): n = count
                case .days(let days): n = Int((Double(days) * 86400 / (policy.frequency.minimumInterval ?? 86400)).rounded(.up)) + 1
                }
                labels[policy.label] = max(labels[policy.label] ?? 0, n)
            }
            let share = labels.values.reduce(0, +) + group.replicate.count + group.clones.filter { $0.refresh == .never }.count
            for volume in Set(group.volumes) { perVolume[volume, default: 0] += share }
        }
        return perVolume
    }

    /// Writes the draft's policies and group into the fragment.
    private mutating func finish(_ draft: inout Draft, margin: Int, fragment: inout ConfigurationFragment) {
        let zone = configuration.settings.timeZone
        let zoneName = configuration.settings.timezone
        let group = draft.group.name
        var labelPolicy: [String: BackupInference] = [:]
        for label in draft.labels {
            let times = Array((draft.backups[label] ?? [:]).values)
            var inference = BackupInference.infer(
                label: label, backups: times, immutable: draft.immutable.contains(label), margin: margin, timeZone: zone, zoneName: zoneName)
            if times.isEmpty {
                inference.evidence.insert("label '\(label)': no backup of it on primary or a mirror any more; only vault copies", at: 0)
            }
            labelPolicy[label] = inference
            let name = policyName(group: group, label: label)
            var policy = Policy(name: name, frequency: inference.frequency, label: label, retention: .count(inference.count))
            policy.immutable = inference.immutable
            fragment.policies.append(policy)
            fragment.notes[.init(.policies, name)] = ["for group '\(Escaping.escape(group))'"] + inference.evidence
            draft.group.policies.append(PolicyEntry(policy: name, schedule: inference.schedule))
        }
        for index in draft.group.replicate.indices where draft.group.replicate[index].type == .vault {
            let pool = draft.group.replicate[index].to
            let held = draft.vaulted[pool] ?? [:]
            var retention: [String: Retention] = [:]
            if held.isEmpty {
                // Nothing sent yet: it receives every label, kept as long as on primary.
                for label in draft.labels { retention[label] = .count(labelPolicy[label]!.count) }
                draft.notes.append("vault '\(pool)' holds no backup yet: it receives every label, kept as on primary")
            } else {
                var kept: [String] = []
                for (label, backups) in held.sorted(by: { $0.key < $1.key }) {
                    // Its next update weighs what it holds against every backup of primary it
                    // lacks: those not older than the oldest it holds would push that one out.
                    let oldest = backups.values.min() ?? .distantPast
                    let coming = (draft.backups[label] ?? [:]).filter { backups[$0.key] == nil && $0.value >= oldest }.count
                    retention[label] = .count(min(255, max(1, backups.count + coming + margin)))
                    kept.append("\(label) \(backups.count)" + (coming > 0 ? " + \(coming) to be sent" : ""))
                }
                draft.notes.append("vault '\(pool)' receives the labels it holds, keeping what it holds\(margin > 0 ? " and the next" : ""): \(kept.joined(separator: ", "))")
            }
            draft.group.replicate[index].retention = retention
        }
        if !draft.group.clones.isEmpty {
            draft.notes.append("clones: refresh never (whether they were refreshed cannot be told; set refresh: newest to re-create them from each newer backup)")
        }
        fragment.notes[.init(.resourceGroups, group)] = draft.notes
        fragment.resourceGroups.append(draft.group)
    }

    /// `<group>-<label>`, or a shorter or numbered variant when that is taken or too long.
    private mutating func policyName(group: String, label: String) -> String {
        var candidate = "\(group)-\(label)"
        var n = 2
        while !valid(candidate) || policies.contains(candidate) {
            candidate = "\(group.prefix(40))-\(label.prefix(15))-\(n)"
            n += 1
        }
        policies.insert(candidate)
        return candidate
    }

    static func offsetText(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let minutes = abs(seconds) / 60
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(sign)\(two(minutes / 60)):\(two(minutes % 60))"
    }
}
