import FlashPlanSimulator
import Foundation

/// Writes the configuration that matches `SimulatorBackend.seedFleet`: the same
/// arrays, pools, hosts and volumes, and one resource group per host holding the
/// volumes `i` with `i % groups == g`, backed up hourly and keeping 100 backups.
///
/// Seeded with 100 hourly snapshots per volume, the newest an hour old, a plan at the
/// top of the hour takes one backup of every group (10 snapshots each) and prunes the
/// oldest: 10,000 snapshots and 10,000 prunes for the full fleet.
struct FleetGenerator {
    typealias Fleet = SimulatorBackend.Fleet

    var groups = 1000
    var volumes = 10_000
    var files = 10

    var poolCount: Int { max(1, (volumes + Fleet.volumesPerPool - 1) / Fleet.volumesPerPool) }

    func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var text = """
            version: 1
            settings: {timezone: UTC}
            clusters: {\(Fleet.cluster): {io_groups: 4}}
            policies:
              hourly: {frequency: hourly, retention: {count: 100}}
            arrays:

            """
        for p in 0..<poolCount { text += "  \(Fleet.array(p)): {model: FlashSystem 820, capacity: 24TB}\n" }
        text += "pools:\n"
        for p in 0..<poolCount {
            text += "  \(Fleet.pool(p)): {cluster: \(Fleet.cluster), capacity_from: [{array: \(Fleet.array(p)), capacity: 24TB}]}\n"
        }
        text += "hosts:\n"
        for g in 0..<groups { text += "  \(Fleet.host(g)): {}\n" }
        try text.write(to: directory.appendingPathComponent("infrastructure.yaml"), atomically: true, encoding: .utf8)

        let perFile = (groups + files - 1) / files
        for f in 0..<files {
            let range = (f * perFile)..<min(groups, (f + 1) * perFile)
            var text = "volumes:\n"
            for g in range {
                for i in stride(from: g, to: volumes, by: groups) {
                    text += "  \(Fleet.volume(i)): {pool: \(Fleet.pool(i / Fleet.volumesPerPool)), size: 16GiB, hosts: [\(Fleet.host(g))]}\n"
                }
            }
            text += "resource_groups:\n"
            for g in range {
                let members = stride(from: g, to: volumes, by: groups).map { Fleet.volume($0) }.joined(separator: ", ")
                text += "  \(Fleet.group(g)):\n    hosts: [\(Fleet.host(g))]\n    volumes: [\(members)]\n"
                text += "    policies: [{policy: hourly, schedule: \"*-*-* *:00:00\"}]\n"
            }
            try text.write(to: directory.appendingPathComponent(String(format: "groups-%02d.yaml", f)), atomically: true, encoding: .utf8)
        }
    }
}
