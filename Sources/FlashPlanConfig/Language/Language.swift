import FlashPlanModel

/// The flashplan configuration language (DESIGN §2), as data.
public enum Language {
    public static let namePattern = "^[A-Za-z_][A-Za-z0-9._-]{0,62}$"

    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 63 else { return false }
        func letter(_ c: Unicode.Scalar) -> Bool { ("A"..."Z").contains(c) || ("a"..."z").contains(c) || c == "_" }
        func rest(_ c: Unicode.Scalar) -> Bool { letter(c) || ("0"..."9").contains(c) || c == "." || c == "-" }
        return letter(first) && name.unicodeScalars.dropFirst().allSatisfy(rest)
    }

    /// The units of a size, as the schema's size pattern lists them.
    static let sizeUnits: Set<String> = ["B", "KB", "MB", "GB", "TB", "PB", "KiB", "MiB", "GiB", "TiB", "PiB"]

    /// Digits, optionally `.` and digits, optionally one space, then a unit from `units`: the
    /// shape the schema's size and percentage patterns give (`1.5TB`, `80 %`), checked
    /// without a regular expression. `.5TB`, `1e3GB` or `+5%` are not sizes or percentages.
    static func isNumber(_ text: String, withUnitIn units: Set<String>) -> Bool {
        let scalars = Array(text.unicodeScalars)
        var i = 0
        func digits() -> Int {
            let start = i
            while i < scalars.count, ("0"..."9").contains(scalars[i]) { i += 1 }
            return i - start
        }
        guard digits() > 0 else { return false }
        if i < scalars.count, scalars[i] == "." {
            i += 1
            guard digits() > 0 else { return false }
        }
        if i < scalars.count, scalars[i] == " " { i += 1 }
        var unit = String.UnicodeScalarView()
        unit.append(contentsOf: scalars[i...])
        return units.contains(String(unit))
    }

    /// The range of each percentage key; any other is 0–100%. Bounded so that no product
    /// with a size (`size × max_overcommit`) can leave 64 bits.
    public static let percentageRanges: [String: ClosedRange<Double>] = [
        "warning_threshold": 0...100, "change_rate": 0...100, "max_overcommit": 0...1000,
    ]

    static let retentionHelp = "{count: 1..255} keeps the newest N; {days: 1..36500} keeps those younger than D days and always the newest"

    public static let settings: [Field] = [
        Field("timezone", .string, default: "UTC", "IANA time zone for schedules without a zone and for backup names."),
        Field("prune_orphaned_labels", .bool, default: "false", "Prune backups whose label no policy of their group uses any more."),
    ]

    public static let array: [Field] = [
        Field("model", .oneOf(ArrayModel.allCases.map(\.rawValue)), required: true, "IBM FlashSystem model."),
        Field("capacity", .size, required: true, "Usable capacity; must be one the model is sold with (710: 1-5TB, 810: 2-10TB even, 720: 6-12TB, 820: 12-24TB)."),
        Field("site", .name, "Site the array stands in."),
    ]

    public static let cluster: [Field] = [
        Field("site", .name, "Site of the SAN Volume Controller cluster."),
        Field("io_groups", .integer(Cluster.ioGroupRange), default: "1", "I/O groups (engine pairs), 1-4."),
    ]

    public static let extent: [Field] = [
        Field("array", .name, required: true, "Array giving the capacity."),
        Field("capacity", .size, required: true, "Capacity it gives."),
    ]

    public static let pool: [Field] = [
        Field("cluster", .name, required: true, "SVC cluster managing the pool."),
        Field("capacity_from", .list(.object(extent)), required: true, "Managed disks: which arrays give how much."),
        Field("warning_threshold", .percentage, default: "80%", "Physical use above which plans warn."),
        Field("max_overcommit", .percentage, default: "300%", "Largest virtual/physical ratio a plan may reach."),
        Field("easy_tier", .bool, default: "false", "Easy Tier automatic extent placement."),
    ]

    public static let host: [Field] = [
        Field("site", .name, "Site of the host."),
    ]

    public static let volume: [Field] = [
        Field("pool", .name, required: true, "Pool the volume is carved from."),
        Field("size", .size, required: true, "Virtual size. Growing is allowed; shrinking is refused."),
        Field("protocol", .oneOf(Volume.AccessProtocol.allCases.map(\.rawValue)), default: "fc", "How hosts reach it. SMB shares cannot be backed up."),
        Field("thin", .bool, default: "true", "Thin-provisioned: consumes only what is written."),
        Field("compressed", .bool, default: "false", "Real-time compression (implies thin)."),
        Field("mirror_pool", .name, "Volume mirroring: pool of the second copy, on another array."),
        Field("hosts", .list(.name), default: "[]", "Hosts the volume is mapped to."),
        Field("change_rate", .percentage, default: "5%", "Simulation: share of the size rewritten per day."),
        Field("prevent_destroy", .bool, default: "true", "Refuse `state: absent` while true."),
        Field("state", .oneOf(Volume.State.allCases.map(\.rawValue)), default: "present", "`absent` destroys the volume."),
    ]

    public static let retention: ValueKind = .retention

    public static let policy: [Field] = [
        Field("frequency", .oneOf(Policy.Frequency.allCases.map(\.rawValue)), required: true, "How often backups are taken."),
        Field("label", .name, default: "the frequency", "Retention label of the backups."),
        Field("retention", .retention, required: true, "How long to keep: " + retentionHelp + "."),
        Field("immutable", .bool, default: "false", "Backups cannot be deleted before their retention expires."),
    ]

    public static let policyEntry: [Field] = [
        Field("policy", .name, required: true, "Policy to apply."),
        Field("schedule", .string, default: "the frequency's default", "systemd calendar event (OnCalendar= syntax): exactly when."),
    ]

    public static let replication: [Field] = [
        Field("to", .name, required: true, "Destination pool."),
        Field("type", .oneOf(Replication.Kind.allCases.map(\.rawValue)), required: true, "`mirror` keeps the source's backups; `vault` keeps its own retention."),
        Field("mode", .oneOf(Replication.Mode.allCases.map(\.rawValue)), default: "async", "Global Mirror (async) or Metro Mirror (sync)."),
        Field("retention", .nameMap(.retention), "Vault only: labels it receives, and how long it keeps each."),
    ]

    public static let clone: [Field] = [
        Field("name", .name, required: true, "Clone name; clone volumes are `<name>_<volume>`."),
        Field("label", .name, required: true, "Made from the newest backup with this label."),
        Field("from", .name, default: "primary", "`primary`, or a destination pool of this group."),
        Field("host", .name, "Host the clone is mapped to. Changed, the clone is mapped to the new host and unmapped from the old one (an unmap needs consent); removed, it is unmapped."),
        Field("refresh", .oneOf(CloneSpec.Refresh.allCases.map(\.rawValue)), default: "never", "`newest` re-creates the clone when a newer backup exists."),
    ]

    public static let resourceGroup: [Field] = [
        Field("hosts", .list(.name), default: "[]", "Hosts whose resources the group protects."),
        Field("volumes", .list(.name), default: "[]", "Volumes holding those resources."),
        Field("policies", .list(.object(policyEntry)), default: "[]", "Policies, each with its own schedule."),
        Field("replicate", .list(.object(replication)), default: "[]", "Mirror and vault destinations (fan-out only)."),
        Field("clones", .list(.object(clone)), default: "[]", "Clones made from backups."),
        Field("tag", .string, "Descriptive tag carried by every backup."),
    ]

    /// The top level of every configuration file.
    public static let file: [Field] = [
        Field("version", .integer(1...1), default: "1", "Language version; only 1 exists."),
        Field("settings", .object(settings), "Global settings."),
        Field("arrays", .nameMap(.object(array)), "IBM FlashSystem arrays."),
        Field("clusters", .nameMap(.object(cluster)), "SAN Volume Controller clusters."),
        Field("pools", .nameMap(.object(pool)), "Virtualized storage pools."),
        Field("hosts", .nameMap(.object(host)), "Hosts."),
        Field("volumes", .nameMap(.object(volume)), "Volumes (virtual disks)."),
        Field("policies", .nameMap(.object(policy)), "Backup policies: frequency and retention."),
        Field("resource_groups", .nameMap(.object(resourceGroup)), "Resource groups: what, exactly when, where to."),
    ]
}
