import FlashPlanModel
import Foundation

/// One difference of intent between two configurations: an object added or removed, or
/// one field of an object changed (`policies.daily` `retention.days` 7 → 2).
public struct IntentChange: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable { case added, removed, changed }

    public var kind: Kind
    /// The object, as the configuration names it: `policies.daily`, `resource_groups.erp`, `settings`.
    public var object: String
    /// The field, in the configuration's words (`retention.days`, `replicate[to=vault].mode`);
    /// nil for a whole object added or removed.
    public var field: String?
    /// The value in the base configuration; nil when the field was not there.
    public var before: String?
    /// The value in the proposed configuration; nil when the field is not there any more.
    public var after: String?
    /// Where to look: in the proposed files, or in the base files for what was removed.
    public var location: SourceLocation
    /// Which configuration `location` is in: `proposed` or `base`.
    public var side: String
}

/// The semantic difference of two loaded configurations: objects compared by section and
/// name, fields by their effective value (defaults included), so that moving an object to
/// another file, reordering keys or list entries, or writing a default explicitly changes
/// nothing, while every changed value is shown with where it is written.
public enum IntentDiff {
    /// Every difference, in the order of the sections in the language, then object name, then field.
    public static func compare(base: Configuration, proposed: Configuration) -> [IntentChange] {
        let before = objects(base)
        let after = objects(proposed)
        var changes: [IntentChange] = []
        let keys = Set(before.keys).union(after.keys).sorted { (rank($0), $0) < (rank($1), $1) }
        for key in keys {
            switch (before[key], after[key]) {
            case (nil, let added?):
                changes.append(IntentChange(kind: .added, object: key, location: added.location, side: "proposed"))
            case (let removed?, nil):
                changes.append(IntentChange(kind: .removed, object: key, location: removed.location, side: "base"))
            case (let old?, let new?):
                changes += fields(of: key, old, new)
            case (nil, nil):
                break
            }
        }
        return changes
    }

    static let sections = ["settings", "arrays", "clusters", "pools", "hosts", "volumes", "policies", "resource_groups"]

    static func rank(_ key: String) -> Int {
        sections.firstIndex { key == $0 || key.hasPrefix($0 + ".") } ?? sections.count
    }

    /// One object's fields, flattened: `field path → value, location`. An entry of a list
    /// that is keyed (a pool's `capacity_from` by array, a group's `policies` by policy,
    /// `replicate` by pool, `clones` by name) is a field of its own (`entries`), whose
    /// sub-fields are compared only when the entry is in both.
    struct Object {
        var location: SourceLocation
        var fields: [String: (value: String, location: SourceLocation)] = [:]
        var entries: Set<String> = []

        mutating func set(_ field: String, _ value: String?, _ location: SourceLocation) {
            if let value { fields[field] = (value, location) }
        }

        mutating func entry(_ field: String, _ summary: String, _ location: SourceLocation) {
            entries.insert(field)
            fields[field] = (summary, location)
        }
    }

    static func fields(of object: String, _ old: Object, _ new: Object) -> [IntentChange] {
        var changes: [IntentChange] = []
        let keys = Set(old.fields.keys).union(new.fields.keys).sorted()
        // Entries only one side has are reported whole, not field by field.
        let partial = keys.filter { old.entries.contains($0) || new.entries.contains($0) }.filter { (old.fields[$0] == nil) != (new.fields[$0] == nil) }
        for key in keys {
            if partial.contains(where: { key.hasPrefix($0 + ".") }) { continue }
            let a = old.fields[key], b = new.fields[key]
            if (old.entries.contains(key) || new.entries.contains(key)) && a != nil && b != nil { continue }
            guard a?.value != b?.value else { continue }
            let location = b?.location ?? a?.location ?? new.location
            changes.append(IntentChange(
                kind: .changed, object: object, field: key, before: a?.value, after: b?.value, location: location,
                side: b != nil ? "proposed" : "base"))
        }
        return changes
    }

    static func objects(_ c: Configuration) -> [String: Object] {
        var result: [String: Object] = [:]
        var settings = Object(location: c.settings.locations.name)
        settings.set("timezone", c.settings.timezone, c.settings.locations["timezone"])
        settings.set("prune_orphaned_labels", "\(c.settings.pruneOrphanedLabels)", c.settings.locations["prune_orphaned_labels"])
        result["settings"] = settings
        for a in c.arrays.values {
            var o = Object(location: a.locations.name)
            o.set("model", a.model.rawValue, a.locations["model"])
            o.set("capacity", a.capacity.description, a.locations["capacity"])
            o.set("site", a.site, a.locations["site"])
            result["arrays.\(a.name)"] = o
        }
        for cluster in c.clusters.values {
            var o = Object(location: cluster.locations.name)
            o.set("site", cluster.site, cluster.locations["site"])
            o.set("io_groups", "\(cluster.ioGroups)", cluster.locations["io_groups"])
            result["clusters.\(cluster.name)"] = o
        }
        for p in c.pools.values {
            var o = Object(location: p.locations.name)
            o.set("cluster", p.cluster, p.locations["cluster"])
            for extent in p.capacityFrom {
                let key = "capacity_from[array=\(extent.array)]"
                o.entry(key, "{array: \(extent.array), capacity: \(extent.capacity)}", extent.location)
                o.set(key + ".capacity", extent.capacity.description, extent.location)
            }
            o.set("warning_threshold", p.warningThreshold.description, p.locations["warning_threshold"])
            o.set("max_overcommit", p.maxOvercommit.description, p.locations["max_overcommit"])
            o.set("easy_tier", "\(p.easyTier)", p.locations["easy_tier"])
            result["pools.\(p.name)"] = o
        }
        for h in c.hosts.values {
            var o = Object(location: h.locations.name)
            o.set("site", h.site, h.locations["site"])
            result["hosts.\(h.name)"] = o
        }
        for v in c.volumes.values {
            var o = Object(location: v.locations.name)
            o.set("pool", v.pool, v.locations["pool"])
            o.set("size", v.size.description, v.locations["size"])
            o.set("protocol", v.accessProtocol.rawValue, v.locations["protocol"])
            o.set("thin", "\(v.thin)", v.locations["thin"])
            o.set("compressed", "\(v.compressed)", v.locations["compressed"])
            o.set("mirror_pool", v.mirrorPool, v.locations["mirror_pool"])
            o.set("hosts", list(v.hosts), v.locations["hosts"])
            o.set("change_rate", v.changeRate.description, v.locations["change_rate"])
            o.set("prevent_destroy", "\(v.preventDestroy)", v.locations["prevent_destroy"])
            o.set("state", v.state.rawValue, v.locations["state"])
            result["volumes.\(v.name)"] = o
        }
        for p in c.policies.values {
            var o = Object(location: p.locations.name)
            o.set("frequency", p.frequency.rawValue, p.locations["frequency"])
            o.set("label", p.label, p.locations["label"])
            retention(p.retention, into: &o, at: "retention", p.locations["retention"])
            o.set("immutable", "\(p.immutable)", p.locations["immutable"])
            result["policies.\(p.name)"] = o
        }
        for g in c.resourceGroups.values {
            var o = Object(location: g.locations.name)
            // The set of hosts and volumes: order does not matter, except that the first
            // host names the group's new backups.
            o.set("hosts", list(g.hosts), g.locations["hosts"])
            o.set("hosts[0]", g.hosts.first, g.locations["hosts[0]"])
            o.set("volumes", list(g.volumes), g.locations["volumes"])
            var seen: [String: Int] = [:]
            for entry in g.policies {
                seen[entry.policy, default: 0] += 1
                let n = seen[entry.policy]!
                let key = "policies[policy=\(entry.policy)\(n > 1 ? "#\(n)" : "")]"
                o.entry(key, "{policy: \(entry.policy)\(entry.schedule.map { ", schedule: \($0)" } ?? "")}", entry.location)
                o.set(key + ".schedule", entry.schedule ?? "(the frequency's default)", entry.scheduleLocation)
            }
            for r in g.replicate {
                let key = "replicate[to=\(r.to)]"
                // A destination added or removed whole is shown with its retention: what it keeps is the point of it.
                let kept = r.retention.keys.sorted().map { label -> String in
                    switch r.retention[label]! {
                    case .count(let n): "\(label): {count: \(n)}"
                    case .days(let d): "\(label): {days: \(d)}"
                    }
                }
                let keeps = kept.isEmpty ? "" : ", retention: {" + kept.joined(separator: ", ") + "}"
                o.entry(key, "{to: \(r.to), type: \(r.type.rawValue), mode: \(r.mode.rawValue)\(keeps)}", r.location)
                o.set(key + ".type", r.type.rawValue, r.fieldLocations["type"] ?? r.location)
                o.set(key + ".mode", r.mode.rawValue, r.fieldLocations["mode"] ?? r.location)
                for (label, rule) in r.retention {
                    retention(rule, into: &o, at: key + ".retention.\(label)", r.fieldLocations["retention.\(label)"] ?? r.location)
                }
            }
            for clone in g.clones {
                let key = "clones[name=\(clone.name)]"
                o.entry(key, "{name: \(clone.name), label: \(clone.label)}", clone.location)
                o.set(key + ".label", clone.label, clone.fieldLocations["label"] ?? clone.location)
                o.set(key + ".from", clone.from.description, clone.fieldLocations["from"] ?? clone.location)
                o.set(key + ".host", clone.host, clone.fieldLocations["host"] ?? clone.location)
                o.set(key + ".refresh", clone.refresh.rawValue, clone.fieldLocations["refresh"] ?? clone.location)
            }
            o.set("tag", g.tag, g.locations["tag"])
            result["resource_groups.\(g.name)"] = o
        }
        return result
    }

    static func retention(_ rule: Retention, into o: inout Object, at key: String, _ location: SourceLocation) {
        switch rule {
        case .count(let n): o.set(key + ".count", "\(n)", location)
        case .days(let d): o.set(key + ".days", "\(d)", location)
        }
    }

    static func list(_ items: [String]) -> String { "[" + items.sorted().joined(separator: ", ") + "]" }
}
