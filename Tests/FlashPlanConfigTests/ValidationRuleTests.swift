import Testing

@testable import FlashPlanConfig
import FlashPlanModel

/// The rules of the validation stage (`Diagnostic+Validation.swift`): references and
/// the storage domain. Each case loads `Support.base` as `base.yaml`, then `t.yaml`.
enum ValidationCases {
    static let all: [RuleCase] = references + domain + protection + schedules

    // MARK: unknown-reference, one case per kind of reference
    static let references: [RuleCase] = [
        RuleCase(
            .unknownReference, "pool -> cluster",
            """
            pools:
              p3:
                cluster: c9
                capacity_from: [{ array: a1, capacity: 1TB }]
            """, at: ["t.yaml:3:14"], message: "pool 'p3' refers to cluster 'c9', which is not defined; did you mean 'c1'?",
            exact: true, note: "defined clusters: c1"),
        RuleCase(
            .unknownReference, "pool capacity_from -> array",
            """
            pools:
              p3:
                cluster: c1
                capacity_from:
                  - array: a9
                    capacity: 1TB
            """, at: ["t.yaml:5:16"], message: "pool 'p3' refers to array 'a9', which is not defined", note: "defined arrays: a1, a2"),
        RuleCase(
            .unknownReference, "volume -> pool",
            """
            volumes:
              v2:
                pool: p9
                size: 1TiB
            """, at: ["t.yaml:3:11"], message: "volume 'v2' refers to pool 'p9', which is not defined", note: "defined pools: p1, p2"),
        RuleCase(
            .unknownReference, "volume -> mirror_pool",
            """
            volumes:
              v2:
                pool: p1
                size: 1TiB
                mirror_pool: p9
            """, at: ["t.yaml:5:18"], message: "volume 'v2' refers to pool 'p9', which is not defined"),
        RuleCase(
            .unknownReference, "volume -> hosts",
            """
            volumes:
              v2:
                pool: p1
                size: 1TiB
                hosts: [h1, h9]
            """, at: ["t.yaml:5:17"], message: "volume 'v2' refers to host 'h9', which is not defined; did you mean 'h1'?",
            exact: true, note: "defined hosts: h1"),
        RuleCase(
            .unknownReference, "resource group -> hosts",
            """
            resource_groups:
              g1:
                hosts: [h9]
            """, at: ["t.yaml:3:13"], message: "resource group 'g1' refers to host 'h9', which is not defined"),
        RuleCase(
            .unknownReference, "resource group -> volumes",
            """
            resource_groups:
              g1:
                volumes: [v1, v9]
            """, at: ["t.yaml:3:19"], message: "resource group 'g1' refers to volume 'v9', which is not defined"),
        RuleCase(
            .unknownReference, "resource group -> policies",
            """
            resource_groups:
              g1:
                volumes: [v1]
                policies:
                  - policy: nightly
            """, at: ["t.yaml:5:17"], message: "resource group 'g1' refers to policy 'nightly', which is not defined",
            exact: true, note: "defined policies: daily, weekly"),
        RuleCase(
            .unknownReference, "policy with no policies defined at all", base: false,
            """
            resource_groups:
              g1:
                policies: [{ policy: daily }]
            """, at: ["t.yaml:3:26"], message: "refers to policy 'daily'", note: "define it under 'policies'"),
        RuleCase(
            .unknownReference, "replicate.to -> pool",
            """
            resource_groups:
              g1:
                volumes: [v1]
                replicate:
                  - to: p9
                    type: mirror
            """, at: ["t.yaml:5:13"], message: "resource group 'g1' refers to pool 'p9', which is not defined"),
        RuleCase(
            .unknownReference, "clone host -> host",
            """
            resource_groups:
              g1:
                volumes: [v1]
                policies:
                  - policy: daily
                clones:
                  - name: dev
                    label: daily
                    host: h9
            """, at: ["t.yaml:9:15"], message: "clone 'dev' refers to host 'h9', which is not defined"),
        RuleCase(
            .unknownReference, "a name that failed to decode is not reported again",
            """
            arrays:
              a3: { model: FlashSystem 9000, capacity: 1TB }
            pools:
              p3:
                cluster: c1
                capacity_from: [{ array: a3, capacity: 1TB }]
              p4:
                cluster: c3
                capacity_from: []
            """, at: ["t.yaml:8:14"], message: "cluster 'c3'"),
    ]

    // MARK: settings, arrays, pools, volumes
    static let domain: [RuleCase] = [
        RuleCase(
            .unknownTimezone, "not an IANA zone", base: false,
            """
            settings:
              timezone: Mars/Olympus
            """, at: ["t.yaml:2:13"], message: "'Mars/Olympus' is not an IANA time zone", exact: true),
        RuleCase(
            .capacityNotSold, "capacities the models are not sold with", base: false,
            """
            arrays:
              a3:
                model: FlashSystem 720
                capacity: 13TB
              a4:
                model: FlashSystem 710
                capacity: 2TiB
              a5:
                model: FlashSystem 810
                capacity: 10TB
            """, at: ["t.yaml:4:15", "t.yaml:7:15"], message: "array 'a3': a FlashSystem 720 is not sold with 13TB", exact: true,
            note: "capacities sold for the FlashSystem 720: 6TB, 7TB, 8TB, 9TB, 10TB, 11TB, 12TB"),
        RuleCase(
            .arrayOvercommitted, "two pools take more than the array has",
            """
            pools:
              p3:
                cluster: c1
                capacity_from:
                  - { array: a1, capacity: 3TB }
                  - { array: a2, capacity: 14TB }
            """, at: ["t.yaml:5:18"], message: "array 'a1' gives pools 11.82TiB in all, more than its 10.91TiB", exact: true,
            note: "reduce capacity_from on the pools using 'a1'"),
        RuleCase(
            .mirrorSameArray, "mirror_pool built on the same array",
            """
            pools:
              p3:
                cluster: c1
                capacity_from: [{ array: a1, capacity: 1TB }]
            volumes:
              v2:
                pool: p1
                size: 1TiB
                mirror_pool: p3
              v3:
                pool: p1
                size: 1TiB
                mirror_pool: p2
            """, at: ["t.yaml:9:18"], message: "volume 'v2': mirror_pool 'p3' shares array 'a1' with pool 'p1'"),
        RuleCase(
            .compressedRequiresThin, "compressed with thin: false",
            """
            volumes:
              v2:
                pool: p1
                size: 1TiB
                thin: false
                compressed: true
              v3: { pool: p1, size: 1TiB, thin: false, compressed: false }
            """, at: ["t.yaml:6:17"], message: "volume 'v2' is compressed but thin: false; compressed volumes are always thin",
            exact: true),
    ]

    // MARK: resource groups, retention and replication
    static let protection: [RuleCase] = [
        RuleCase(
            .tooManySnapshots, "counts of four policies add up past 255",
            """
            policies:
              hourly-200:
                frequency: hourly
                retention: { count: 200 }
              monthly-60:
                frequency: monthly
                retention: { count: 60 }
            volumes:
              v2:
                pool: p1
                size: 1TiB
            resource_groups:
              g1:
                volumes: [v2]
                policies:
                  - policy: hourly-200
                  - policy: daily
                  - policy: weekly
                  - policy: monthly-60
            """, at: ["t.yaml:9:3"],
            message: "volume 'v2' would keep up to 271 snapshots, more than the 255 a FlashSystem volume holds", exact: true,
            note: "200 (group 'g1', label 'hourly', count 200) + 7 (group 'g1', label 'daily', count 7)"),
        RuleCase(
            .tooManySnapshots, "a days rule times an hourly schedule",
            """
            policies:
              hourly-11d:
                frequency: hourly
                retention: { days: 11 }
            volumes:
              v2:
                pool: p1
                size: 1TiB
            resource_groups:
              g1:
                volumes: [v2]
                policies:
                  - policy: hourly-11d
            """, at: ["t.yaml:6:3"], message: "volume 'v2' would keep up to 265 snapshots",
            note: "265 (group 'g1', label 'hourly', 11 days)"),
        RuleCase(
            .tooManySnapshots, "two groups protecting one volume add up",
            """
            policies:
              hourly-200:
                frequency: hourly
                retention: { count: 200 }
              monthly-60:
                frequency: monthly
                retention: { count: 60 }
            resource_groups:
              g1:
                volumes: [v1]
                policies: [{ policy: hourly-200 }]
              g2:
                volumes: [v1]
                policies: [{ policy: monthly-60 }]
            """, at: ["base.yaml:12:3"], message: "volume 'v1' would keep up to 260 snapshots"),
        RuleCase(
            .tooManySnapshots, "a vault destination is checked with the vault's retention",
            """
            resource_groups:
              g1:
                volumes: [v1]
                policies:
                  - policy: daily
                replicate:
                  - to: p2
                    type: vault
                    retention:
                      daily: { days: 300 }
            """, at: ["t.yaml:10:11"], message: "volume 'v1_p2' would keep up to 301 snapshots"),
        RuleCase(
            .smbInGroup, "an SMB share in a resource group",
            """
            volumes:
              share:
                pool: p1
                size: 1TiB
                protocol: smb
            resource_groups:
              g1:
                volumes: [v1, share]
            """, at: ["t.yaml:8:19"],
            message: "resource group 'g1' contains SMB volume 'share'; SMB (CIFS) shares cannot be backed up or restored", exact: true),
        RuleCase(
            .reservedVolumeName, "the name of a replication destination",
            """
            volumes:
              v1_p2:
                pool: p1
                size: 1TiB
            resource_groups:
              g1:
                volumes: [v1]
                replicate:
                  - { to: p2, type: mirror }
            """, at: ["t.yaml:2:3"],
            message: "volume name 'v1_p2' is reserved: resource group 'g1' creates it as the mirror destination of 'v1' in pool 'p2'",
            exact: true),
        RuleCase(
            .reservedVolumeName, "the name of a clone volume",
            """
            volumes:
              dev_v1:
                pool: p1
                size: 1TiB
            resource_groups:
              g1:
                volumes: [v1]
                policies: [{ policy: daily }]
                clones: [{ name: dev, label: daily }]
            """, at: ["t.yaml:2:3"], message: "resource group 'g1' creates it as clone 'dev' of 'v1'"),
        RuleCase(
            .replicationCascade, "a group protecting another group's destination",
            """
            resource_groups:
              g1:
                volumes: [v1]
                replicate:
                  - { to: p2, type: mirror }
              g2:
                volumes: [v1_p2]
            """, at: ["t.yaml:7:15"],
            message: "resource group 'g2' protects 'v1_p2', the replication destination of 'v1' (group 'g1'); cascades are not supported",
            exact: true),
        RuleCase(
            .sharedDestination, "two groups replicating one volume to one pool",
            """
            resource_groups:
              g1:
                volumes: [v1]
                replicate:
                  - { to: p2, type: mirror }
              g2:
                volumes: [v1]
                replicate:
                  - { to: p2, type: mirror }
            """, at: ["t.yaml:9:15"],
            message: "resource groups 'g1' and 'g2' both replicate volume 'v1' to pool 'p2': both would use the one destination volume 'v1_p2', and each group's transfers and retention would replace the other's backups there",
            exact: true),
        RuleCase(
            .generatedNameCollision, "a mirror destination and a clone spell the same name (found by a red-team pass)",
            """
            volumes:
              p2: { pool: p1, size: 1TiB }
            resource_groups:
              g1:
                volumes: [v1]
                policies: [{ policy: daily }]
                replicate:
                  - { to: p2, type: mirror }
              g2:
                volumes: [p2]
                policies: [{ policy: daily }]
                clones:
                  - { name: v1, label: daily }
            """, at: ["t.yaml:13:17"],
            message: "clone 'v1' of volume 'p2' (resource group 'g2') would be volume 'v1_p2', the name of the mirror destination of volume 'v1' in pool 'p2' (resource group 'g1') too: one would be taken for the other",
            exact: true, note: "the other is declared at t.yaml:8:15"),
        RuleCase(
            .generatedNameCollision, "two clones of different volumes spell the same name",
            """
            volumes:
              a_b: { pool: p1, size: 1TiB }
              b: { pool: p1, size: 1TiB }
            resource_groups:
              g1:
                volumes: [a_b, b]
                policies: [{ policy: daily }]
                clones:
                  - { name: x, label: daily }
                  - { name: x_a, label: daily }
            """, at: ["t.yaml:10:17"],
            message: "clone 'x_a' of volume 'b' (resource group 'g1') would be volume 'x_a_b', the name of clone 'x' of volume 'a_b' (resource group 'g1') too"),
        RuleCase(
            .multipleSyncMirrors, "two sync mirrors in one group",
            """
            pools:
              p3:
                cluster: c1
                capacity_from: [{ array: a2, capacity: 1TB }]
            resource_groups:
              g1:
                volumes: [v1]
                replicate:
                  - to: p2
                    type: mirror
                    mode: sync
                  - to: p3
                    type: mirror
                    mode: sync
            """, at: ["t.yaml:14:15"], message: "resource group 'g1' has more than one sync mirror", exact: true),
        RuleCase(
            .replicationSamePool, "replicated into its own pool",
            """
            resource_groups:
              g1:
                volumes: [v1]
                replicate:
                  - to: p1
                    type: mirror
            """, at: ["t.yaml:5:13"], message: "volume 'v1' would be replicated into its own pool 'p1'", exact: true),
        RuleCase(
            .replicationSamePool, "replicated into its mirror_pool",
            """
            volumes:
              v2: { pool: p1, size: 1TiB, mirror_pool: p2 }
            resource_groups:
              g1:
                volumes: [v2]
                replicate:
                  - { to: p2, type: mirror }
            """, at: ["t.yaml:7:15"], message: "volume 'v2' would be replicated into its own pool 'p2'"),
        RuleCase(
            .mirrorRetention, "a mirror given a retention",
            """
            resource_groups:
              g1:
                volumes: [v1]
                policies: [{ policy: daily }]
                replicate:
                  - to: p2
                    type: mirror
                    retention:
                      daily: { count: 3 }
            """, at: ["t.yaml:9:11"], message: "a mirror keeps exactly its source's backups and takes no retention", exact: true),
        RuleCase(
            .vaultRetentionMissing, "a vault without labels",
            """
            resource_groups:
              g1:
                volumes: [v1]
                policies: [{ policy: daily }]
                replicate:
                  - to: p2
                    type: vault
            """, at: ["t.yaml:6:13"], message: "vault to 'p2' lists no labels, so it would receive nothing", exact: true),
        RuleCase(
            .vaultLabelUnused, "a vault label no policy makes (a warning)",
            """
            resource_groups:
              g1:
                volumes: [v1]
                policies: [{ policy: daily }]
                replicate:
                  - to: p2
                    type: vault
                    retention:
                      daily: { count: 30 }
                      monthly: { count: 12 }
            """, at: ["t.yaml:10:11"], message: "vault label 'monthly' is made by no policy of resource group 'g1'", exact: true),
        RuleCase(
            .cloneSourceMissing, "clone from a pool without a copy of the group",
            """
            resource_groups:
              g1:
                volumes: [v1]
                policies: [{ policy: daily }]
                clones:
                  - name: dev
                    label: daily
                    from: p2
                  - name: test
                    label: daily
                    from: p9
            """, at: ["t.yaml:8:15", "t.yaml:11:15"],
            message: "clone 'dev' is made from pool 'p2', which holds no copy of resource group 'g1'", exact: true),
        RuleCase(
            .cloneLabelMissing, "label no policy of the group makes",
            """
            resource_groups:
              g1:
                volumes: [v1]
                policies: [{ policy: daily }]
                clones:
                  - name: dev
                    label: weekly
            """, at: ["t.yaml:7:16"], message: "clone 'dev' wants label 'weekly', which primary never holds", exact: true),
        RuleCase(
            .cloneLabelMissing, "label the vault does not keep",
            """
            resource_groups:
              g1:
                volumes: [v1]
                policies: [{ policy: daily }, { policy: weekly }]
                replicate:
                  - to: p2
                    type: vault
                    retention:
                      weekly: { count: 52 }
                clones:
                  - name: dev
                    label: daily
                    from: p2
                  - name: test
                    label: weekly
                    from: p2
            """, at: ["t.yaml:12:16"], message: "clone 'dev' wants label 'daily', which vault 'p2' never holds", exact: true),
        RuleCase(
            .absentVolumeInGroup, "a group protecting a volume to be destroyed",
            """
            volumes:
              old:
                pool: p1
                size: 1TiB
                prevent_destroy: false
                state: absent
            resource_groups:
              g1:
                volumes: [old]
            """, at: ["t.yaml:9:15"], message: "resource group 'g1' protects 'old', which is declared state: absent", exact: true),
        RuleCase(
            .labelConflict, "one label, two retentions",
            """
            policies:
              daily-30:
                frequency: daily
                retention: { count: 30 }
            resource_groups:
              g1:
                volumes: [v1]
                policies:
                  - policy: daily
                  - policy: daily-30
            """, at: ["t.yaml:10:17"], message: "resource group 'g1' uses label 'daily' in two policies with different retention",
            exact: true, note: "the other is policy 'daily'"),
    ]
}

extension ValidationCases {
    // MARK: schedules (systemd calendar events) against the policy's frequency
    static let schedules: [RuleCase] = [
        RuleCase(
            .invalidSchedule, "the caret points into the quoted expression",
            """
            resource_groups:
              g1:
                volumes: [v1]
                policies:
                  - policy: daily
                    schedule: "Mon 25:00"
            """, at: ["t.yaml:6:24"], message: "schedule 'Mon 25:00' is not a systemd calendar event"),
        RuleCase(
            .invalidSchedule, "a schedule folded over two lines is pointed at where it starts (found by fuzzing)",
            """
            resource_groups:
              g1:
                volumes: [v1]
                policies:
                  - policy: daily
                    schedule: "*-*-*
                      hosts 00/4:00:00"
            """, at: ["t.yaml:6:20"], message: "schedule '*-*-* hosts 00/4:00:00' is not a systemd calendar event", exact: false),
        RuleCase(
            .invalidSchedule, "an escaped schedule is pointed at where it starts",
            """
            resource_groups:
              g1:
                volumes: [v1]
                policies:
                  - policy: daily
                    schedule: "\\x2A-*-* 25:00"
            """, at: ["t.yaml:6:20"], message: "schedule '*-*-* 25:00' is not a systemd calendar event", exact: false),
        RuleCase(
            .invalidSchedule, "a block scalar schedule is pointed at where it starts",
            """
            resource_groups:
              g1:
                volumes: [v1]
                policies:
                  - policy: daily
                    schedule: >-
                      Mon 25:00
            """, at: ["t.yaml:6:20"], message: "schedule 'Mon 25:00' is not a systemd calendar event", exact: false),
        RuleCase(
            .scheduleNeverFires, "a date that does not exist",
            """
            resource_groups:
              g1:
                volumes: [v1]
                policies:
                  - policy: weekly
                    schedule: Mon *-02-30 00:00:00
            """, at: ["t.yaml:6:19"], message: "schedule 'Mon *-02-30 00:00:00' never fires", exact: true),
        RuleCase(
            .scheduleNeverFires, "a schedule that names its years stops firing after them (found by a red-team pass)",
            """
            resource_groups:
              g1:
                volumes: [v1]
                policies:
                  - policy: daily
                    schedule: "2026-*-* 02:30"
                  - policy: weekly
                    schedule: "Sun 2025..2027-*-* 03:00"
            """, at: ["t.yaml:6:20", "t.yaml:8:20"],
            message: "schedule '2026-*-* 02:30' stops firing after 2026: it names the years it fires in, and the backups would stop with it",
            exact: true),
        RuleCase(
            .scheduleOnDemand, "a schedule on a policy of frequency none (a warning)",
            """
            policies:
              manual: { frequency: none, retention: { count: 3 } }
            resource_groups:
              g1:
                volumes: [v1]
                policies:
                  - { policy: manual, schedule: "Sun 03:00" }
            """, at: ["t.yaml:7:38"], message: "policy 'manual' has frequency none (on demand); its schedule is ignored", exact: true),
        RuleCase(
            .scheduleTooFrequent, "an hourly schedule on a daily policy",
            """
            resource_groups:
              g1:
                volumes: [v1]
                policies:
                  - policy: daily
                    schedule: hourly
            """, at: ["t.yaml:6:19"], message: "schedule 'hourly' fires every 1h at times, more often than policy 'daily' (daily) allows",
            exact: true),
        RuleCase(
            .scheduleTooFrequent, "every minute, every second or every half hour on an hourly policy; DST leaves no hole",
            """
            settings: { timezone: Australia/Lord_Howe }
            policies:
              hourly: { frequency: hourly, retention: { count: 24 } }
            resource_groups:
              g1:
                volumes: [v1]
                policies:
                  - { policy: hourly, schedule: "*:*:00" }
                  - { policy: hourly, schedule: "*:0/30" }
                  - { policy: hourly, schedule: "*:*:*" }
                  - { policy: hourly, schedule: "*:0/30 Europe/Rome" }
                  - { policy: hourly }
                  - { policy: hourly, schedule: "*:15" }
                  - { policy: daily, schedule: "02:30 Europe/Rome" }
            """, at: ["t.yaml:8:38", "t.yaml:9:38", "t.yaml:10:38", "t.yaml:11:38"],
            message: "schedule '*:*:00' fires every 1min at times, more often than policy 'hourly' (hourly) allows", exact: true),

        // MARK: mirror-same-array-as-source, vault-same-array-as-source
        RuleCase(
            .mirrorSameArrayAsSource, "a mirror on an array of its source",
            """
            pools:
              p3: { cluster: c1, capacity_from: [{ array: a1, capacity: 1TB }] }
              p4: { cluster: c1, capacity_from: [{ array: a2, capacity: 1TB }, { array: a1, capacity: 1TB }] }
            resource_groups:
              g1:
                volumes: [v1]
                policies: [{ policy: daily }]
                replicate:
                  - { to: p3, type: mirror }
                  - { to: p4, type: vault, retention: { daily: { count: 3 } } }
                  - { to: p2, type: mirror }
            """, at: ["t.yaml:9:15"],
            message: "volume 'v1' is replicated (mirror) to pool 'p3', which takes capacity from array 'a1' like the volume's own pool; losing that array loses both",
            exact: true),
        RuleCase(
            .vaultSameArrayAsSource, "a vault on an array of its source",
            """
            pools:
              p4: { cluster: c1, capacity_from: [{ array: a2, capacity: 1TB }, { array: a1, capacity: 1TB }] }
            resource_groups:
              g1:
                volumes: [v1]
                policies: [{ policy: daily }]
                replicate:
                  - { to: p4, type: vault, retention: { daily: { count: 3 } } }
                  - { to: p1, type: vault, retention: { daily: { count: 3 } } }
            """, at: ["t.yaml:8:15"], message: "volume 'v1' is replicated (vault) to pool 'p4'"),
    ]
}

@Suite("Validation rules")
struct ValidationRuleTests {
    @Test(arguments: ValidationCases.all)
    func rule(_ c: RuleCase) {
        c.check()
    }

    @Test func theBaseConfigurationIsValid() {
        let result = Support.load("", base: true)
        #expect(result.diagnostics.isEmpty, "\(Support.describe(result.diagnostics))")
    }

    @Test func anUndefinedVolumeIsOnlyReportedAsUnknown() {
        let result = Support.load(
            """
            policies:
              hourly-30d: { frequency: hourly, retention: { days: 30 } }
            resource_groups:
              g1:
                volumes: [ghost]
                policies: [{ policy: hourly-30d }]
            """)
        #expect(result.diagnostics.map(\.rule) == [.unknownReference], "\(Support.describe(result.diagnostics))")
    }

    @Test func exactly255SnapshotsIsAllowed() {
        let result = Support.load(
            """
            policies:
              hourly-244:
                frequency: hourly
                retention: { count: 244 }
            resource_groups:
              g1:
                volumes: [v1]
                policies: [{ policy: hourly-244 }, { policy: daily }, { policy: weekly }]
            """)
        #expect(result.diagnostics.isEmpty, "\(Support.describe(result.diagnostics))")
    }

    @Test func tenDaysOfHourlyBackupsFit() {
        let result = Support.load(
            """
            policies:
              hourly-10d:
                frequency: hourly
                retention: { days: 10 }
            resource_groups:
              g1:
                volumes: [v1]
                policies: [{ policy: hourly-10d }]
            """)
        #expect(result.diagnostics.isEmpty, "\(Support.describe(result.diagnostics))")
    }

    @Test func oneSyncMirrorAndAnAsyncOneAreFine() {
        let result = Support.load(
            """
            pools:
              p3:
                cluster: c1
                capacity_from: [{ array: a2, capacity: 1TB }]
            resource_groups:
              g1:
                volumes: [v1]
                policies: [{ policy: daily }]
                replicate:
                  - { to: p2, type: mirror, mode: sync }
                  - { to: p3, type: vault, retention: { daily: { count: 30 } } }
                clones:
                  - { name: dev, label: daily, from: p3, host: h1, refresh: newest }
            """)
        #expect(result.diagnostics.isEmpty, "\(Support.describe(result.diagnostics))")
    }
}
