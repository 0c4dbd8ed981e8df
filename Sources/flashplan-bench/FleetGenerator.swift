import Foundation

/// Writes the configuration of a benchmark fleet: `groups` resource groups of
/// `volumesPerGroup` volumes each, over a few arrays and pools, in several files.
struct FleetGenerator {
    var groups = 1000
    var volumesPerGroup = 10
    var files = 10

    var volumeCount: Int { groups * volumesPerGroup }

    static func volumeName(group: Int, index: Int) -> String { "g\(group)-v\(index)" }
    static func groupName(_ group: Int) -> String { "g\(group)" }

    func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var infrastructure = """
            version: 1
            settings: {timezone: UTC}
            clusters: {svc1: {io_groups: 4}}
            policies:
              hourly: {frequency: hourly, retention: {count: 72}}
              daily: {frequency: daily, retention: {days: 28}}
            arrays:

            """
        // 10,000 volumes of 10GiB, thin, need room: 20 arrays of 24TB in 20 pools.
        for a in 0..<20 { infrastructure += "  a\(a): {model: FlashSystem 820, capacity: 24TB}\n" }
        infrastructure += "pools:\n"
        for a in 0..<20 { infrastructure += "  p\(a): {cluster: svc1, capacity_from: [{array: a\(a), capacity: 24TB}], max_overcommit: 1000%}\n" }
        infrastructure += "hosts:\n"
        for g in 0..<groups { infrastructure += "  h\(g): {}\n" }
        try infrastructure.write(to: directory.appendingPathComponent("infrastructure.yaml"), atomically: true, encoding: .utf8)
        let perFile = (groups + files - 1) / files
        for f in 0..<files {
            var text = "volumes:\n"
            let range = (f * perFile)..<min(groups, (f + 1) * perFile)
            for g in range {
                for v in 0..<volumesPerGroup {
                    text += "  \(Self.volumeName(group: g, index: v)): {pool: p\(g % 20), size: 10GiB, hosts: [h\(g)]}\n"
                }
            }
            text += "resource_groups:\n"
            for g in range {
                let volumes = (0..<volumesPerGroup).map { Self.volumeName(group: g, index: $0) }.joined(separator: ", ")
                text += """
                      \(Self.groupName(g)):
                        hosts: [h\(g)]
                        volumes: [\(volumes)]
                        policies:
                          - {policy: hourly, schedule: "*-*-* *:00:00"}
                          - {policy: daily, schedule: "*-*-* 00:30:00"}

                    """
            }
            try text.write(to: directory.appendingPathComponent(String(format: "groups-%02d.yaml", f)), atomically: true, encoding: .utf8)
        }
    }
}
