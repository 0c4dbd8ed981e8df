import FlashPlanModel
import Foundation

extension StateInspector {
    /// `state list` as tables, one per kind of object.
    public static func text(_ state: ObservedState) -> String {
        var out = "state \(state.lineage), serial \(state.serial)\n"
        func section(_ title: String, _ header: [String], _ rows: [[String]]) {
            out += "\n\(title) (\(rows.count))\n"
            guard !rows.isEmpty else { return }
            out += table([header] + rows)
        }
        section(
            "ARRAYS", ["NAME", "MODEL", "CAPACITY", "SITE", "STATUS"],
            state.arrays.map { [$0.name, $0.model.rawValue, terabytes($0.capacity.bytes), $0.site ?? "-", $0.status.rawValue] })
        section(
            "CLUSTERS", ["NAME", "SITE", "I/O GROUPS"],
            state.clusters.map { [$0.name, $0.site ?? "-", String($0.ioGroups)] })
        section(
            "POOLS", ["NAME", "CLUSTER", "ARRAYS", "CAPACITY", "USED", "USE", "VIRTUAL", "OVERCOMMIT", "WARN AT", "MAX OVERCOMMIT"],
            state.pools.map {
                [
                    $0.name, $0.cluster, $0.capacityFrom.map { "\($0.array):\($0.capacity)" }.joined(separator: ","),
                    $0.physicalCapacity.description, $0.usedCapacity.description,
                    percent($0.usedCapacity, of: $0.physicalCapacity), $0.virtualCapacity.description,
                    percent($0.virtualCapacity, of: $0.physicalCapacity), $0.warningThreshold.description,
                    $0.maxOvercommit.description,
                ]
            })
        section("HOSTS", ["NAME", "SITE"], state.hosts.map { [$0.name, $0.site ?? "-"] })
        section(
            "VOLUMES", ["NAME", "POOL", "MIRROR", "SIZE", "PROTOCOL", "PROVISIONING", "ROLE", "HOSTS", "STATUS"],
            state.volumes.map {
                [
                    $0.name, $0.pool, $0.mirrorPool ?? "-", $0.size.description, $0.accessProtocol.rawValue,
                    ($0.thin ? "thin" : "thick") + ($0.compressed ? ",compressed" : ""), $0.role.rawValue,
                    list($0.hosts), $0.online ? ($0.copiesInSync ? "online" : "online (resyncing)") : "offline",
                ]
            })
        section(
            "SNAPSHOTS", ["VOLUME", "NAME", "LABEL", "CREATED", "GROUP", "TAG", "HOSTS", "IMMUTABLE UNTIL"],
            state.snapshots.map {
                [
                    $0.volume, $0.name, $0.label, isoDate($0.created.timeIntervalSince1970), $0.group ?? "-", $0.tag ?? "-",
                    list($0.hosts), $0.immutableUntil.map { isoDate($0.timeIntervalSince1970) } ?? "-",
                ]
            })
        section(
            "RELATIONSHIPS", ["DESTINATION", "SOURCE", "TYPE", "MODE", "STATE", "LAST TRANSFER", "GROUP"],
            state.relationships.map {
                [
                    $0.destination, $0.source, $0.type.rawValue, $0.mode.rawValue, $0.state.rawValue,
                    $0.lastTransfer.map { isoDate($0.timeIntervalSince1970) } ?? "-", $0.group ?? "-",
                ]
            })
        section(
            "CLONES", ["NAME", "VOLUME", "SNAPSHOT", "POOL", "HOST", "CREATED"],
            state.clones.map {
                [$0.name, $0.volume, $0.parentSnapshot, $0.pool, $0.host ?? "-", isoDate($0.created.timeIntervalSince1970)]
            })
        return out
    }

    /// Columns padded to their widest cell, two spaces apart. Every cell is escaped: names
    /// come from configurations and from outside flashplan (a snapshot taken by hand), and
    /// a control character in one must neither act on the terminal nor forge a row.
    static func table(_ rows: [[String]]) -> String {
        let rows = rows.map { $0.map(Escaping.escape) }
        var widths: [Int] = []
        for row in rows {
            for (index, cell) in row.enumerated() {
                if index >= widths.count { widths.append(0) }
                widths[index] = max(widths[index], cell.count)
            }
        }
        var out = ""
        for row in rows {
            var line = ""
            for (index, cell) in row.enumerated() {
                line += index == row.count - 1 ? cell : pad(cell, widths[index]) + "  "
            }
            out += line + "\n"
        }
        return out
    }
}
