import Foundation
import Testing

@testable import FlashPlanConfig
import FlashPlanModel

/// The rules of the decoding stage (`Diagnostic+Decoding.swift`, `Diagnostic+Building.swift`):
/// the YAML against the language. Each case asserts the rule id and the exact `line:column`.
enum DecodingCases {
    static let all: [RuleCase] = [
        // MARK: yaml-syntax
        RuleCase(
            .yamlSyntax, "mapping value where none is allowed", base: false,
            """
            hosts: h2: {}
            """, at: ["t.yaml:1:10"], message: "YAML syntax error: mapping values are not allowed in this context"),
        RuleCase(
            .yamlSyntax, "key indented less than its siblings", base: false,
            """
            volumes:
              v2:
                pool: p1
               size: 1TiB
            """, at: ["t.yaml:4:4"], message: "did not find expected key", note: "indentation"),
        RuleCase(
            .yamlSyntax, "tab used for indentation", base: false,
            "hosts:\n\th2: {}\n", at: ["t.yaml:2:1"], message: "found character that cannot start any token"),
        RuleCase(
            .yamlSyntax, "unclosed flow mapping", base: false,
            """
            hosts:
              h2: { site: rome
            volumes: {}
            """, at: ["t.yaml:3:8"], message: "while parsing a flow mapping at line 2"),

        // MARK: duplicate-key
        RuleCase(
            .duplicateKey, "key twice in one object points at the second", base: false,
            """
            volumes:
              v2:
                pool: p1
                size: 1TiB
                pool: p2
            """, at: ["t.yaml:5:5"], message: "key 'pool' appears twice in the same mapping", exact: true),
        RuleCase(
            .duplicateKey, "section twice in one file", base: false,
            """
            hosts:
              h2: {}
            hosts:
              h3: {}
            """, at: ["t.yaml:3:1"], message: "key 'hosts' appears twice in the same mapping", exact: true),
        RuleCase(
            .duplicateKey, "key twice in a flow mapping", base: false,
            """
            hosts:
              h2: { site: rome, site: milan }
            """, at: ["t.yaml:2:21"], message: "key 'site' appears twice in the same mapping", exact: true),

        RuleCase(
            .duplicateKey, "key twice in a list item", base: false,
            """
            resource_groups:
              g1:
                replicate:
                  - to: p2
                    type: mirror
                  - to: p3
                    type: vault
                    to: p4
            """, at: ["t.yaml:8:9"], message: "key 'to' appears twice in the same mapping", exact: true),
        RuleCase(
            .duplicateKey, "a quoted repeat is reported where it is", base: false,
            """
            hosts:
              h2:
                site: rome
                "site": milan
            """, at: ["t.yaml:4:5"], message: "key 'site' appears twice in the same mapping", exact: true,
            note: "the first is at t.yaml:3:5"),
        RuleCase(
            .duplicateKey, "every repeat is reported, not just the first", base: false,
            """
            hosts:
              h2: { site: rome, site: milan, site: turin }
            volumes:
              v2:
                pool: p1
                size: 1TiB
                pool: p2
            hosts:
              h3: {}
            """, at: ["t.yaml:2:21", "t.yaml:2:34", "t.yaml:7:5", "t.yaml:8:1"]),

        // MARK: unknown-key
        RuleCase(
            .unknownKey, "misspelt key gets a did-you-mean",
            """
            volumes:
              v2:
                pool: p1
                size: 1TiB
                comressed: true
            """, at: ["t.yaml:5:5"], message: "unknown key 'comressed'; did you mean 'compressed'?", exact: true,
            note: "allowed keys here: pool, size, protocol, thin, compressed, mirror_pool, hosts, change_rate, prevent_destroy, state"),
        RuleCase(
            .unknownKey, "misspelt section", base: false,
            """
            volume:
              v2: { pool: p1, size: 1TiB }
            """, at: ["t.yaml:1:1"], message: "unknown key 'volume'; did you mean 'volumes'?", exact: true),
        RuleCase(
            .unknownKey, "no suggestion when nothing is close", base: false,
            """
            hosts:
              h2: { colour: red }
            """, at: ["t.yaml:2:9"], message: "unknown key 'colour'", exact: true, note: "allowed keys here: site"),
        RuleCase(
            .unknownKey, "unknown key inside a retention", base: false,
            """
            policies:
              p9:
                frequency: daily
                retention: { count: 3, weeks: 2 }
            """, at: ["t.yaml:4:28"], message: "unknown key 'weeks'", note: "allowed keys here: count, days"),

        // MARK: missing-key
        RuleCase(
            .missingKey, "volume without size",
            """
            volumes:
              v2: { pool: p1 }
            """, at: ["t.yaml:2:7"], message: "'v2' needs 'size'", exact: true, note: "add 'size:' here"),
        RuleCase(
            .missingKey, "policy without frequency", base: false,
            """
            policies:
              p9:
                retention: { count: 3 }
            """, at: ["t.yaml:3:5"], message: "'p9' needs 'frequency'", exact: true),
        RuleCase(
            .missingKey, "capacity_from entry without capacity",
            """
            pools:
              p3: { cluster: c1, capacity_from: [{ array: a1 }] }
            """, at: ["t.yaml:2:38"], message: "'capacity_from' needs 'capacity'", exact: true),
        RuleCase(
            .missingKey, "array needs model and capacity", base: false,
            """
            arrays:
              a3: { site: rome }
            """, at: ["t.yaml:2:7", "t.yaml:2:7"], message: "'a3' needs 'capacity'", exact: true),

        // MARK: wrong-type
        RuleCase(
            .wrongType, "list where a name belongs", base: false,
            """
            hosts:
              h2: { site: [rome] }
            """, at: ["t.yaml:2:15"], message: "'site' must be a name, not a list", exact: true),
        RuleCase(
            .wrongType, "yes is not a boolean",
            """
            volumes:
              v2: { pool: p1, size: 1TiB, thin: yes }
            """, at: ["t.yaml:2:37"], message: "'thin' must be true or false, not 'yes'", exact: true),
        RuleCase(
            .wrongType, "quoted boolean", base: false,
            """
            settings:
              prune_orphaned_labels: "true"
            """, at: ["t.yaml:2:26"], message: "'prune_orphaned_labels' must be true or false, not 'true'", exact: true),
        RuleCase(
            .wrongType, "word where a number belongs", base: false,
            """
            clusters:
              c2: { io_groups: two }
            """, at: ["t.yaml:2:20"], message: "'io_groups' must be a whole number, not 'two'", exact: true),
        RuleCase(
            .wrongType, "scalar where a list belongs",
            """
            volumes:
              v2: { pool: p1, size: 1TiB, hosts: h1 }
            """, at: ["t.yaml:2:38"], message: "'hosts' must be a list, not 'h1'", exact: true),
        RuleCase(
            .wrongType, "list where a section mapping belongs", base: false,
            """
            arrays: [a1]
            """, at: ["t.yaml:1:9"], message: "'arrays' must be a mapping, not a list", exact: true),
        RuleCase(
            .wrongType, "file that is not a mapping", base: false,
            """
            - hosts
            """, at: ["t.yaml:1:1"], message: "'file' must be a mapping, not a list", exact: true),

        // MARK: invalid-name
        RuleCase(
            .invalidName, "name starting with a digit", base: false,
            """
            hosts:
              9x: {}
            """, at: ["t.yaml:2:3"], message: "'9x' is not a valid name", exact: true,
            note: "names start with a letter or _"),
        RuleCase(
            .invalidName, "reference with a space",
            """
            volumes:
              v2: { pool: "my pool", size: 1TiB }
            """, at: ["t.yaml:2:15"], message: "'my pool' is not a valid name", exact: true),
        RuleCase(
            .invalidName, "name of 64 characters", base: false,
            """
            hosts:
              \(String(repeating: "h", count: 64)): {}
              \(String(repeating: "h", count: 63)): {}
            """, at: ["t.yaml:2:3"], message: "'\(String(repeating: "h", count: 64))' is not a valid name", exact: true),

        // MARK: invalid-size
        RuleCase(
            .invalidSize, "unknown unit",
            """
            volumes:
              v2: { pool: p1, size: 12 parsecs }
            """, at: ["t.yaml:2:25"],
            message: "'size' must be a size such as 512GiB, 2TiB or 1.5TB, not '12 parsecs'", exact: true),
        RuleCase(
            .invalidSize, "number without a unit",
            """
            volumes:
              v2:
                pool: p1
                size: 100
            """, at: ["t.yaml:4:11"], message: "not '100'"),
        RuleCase(
            .invalidSize, "two decimal points", base: false,
            """
            arrays:
              a3: { model: FlashSystem 720, capacity: 1.5.5TB }
            """, at: ["t.yaml:2:43"], message: "'capacity' must be a size"),

        // MARK: invalid-percentage
        RuleCase(
            .invalidPercentage, "number without a percent sign",
            """
            pools:
              p3:
                cluster: c1
                capacity_from: []
                warning_threshold: 80
            """, at: ["t.yaml:5:24"], message: "'warning_threshold' must be a percentage such as 80%, not '80'", exact: true),
        RuleCase(
            .invalidPercentage, "word before the percent sign",
            """
            volumes:
              v2:
                pool: p1
                size: 1TiB
                change_rate: lots%
            """, at: ["t.yaml:5:18"], message: "not 'lots%'"),

        // MARK: invalid-value
        RuleCase(
            .invalidValue, "unknown protocol",
            """
            volumes:
              v2:
                pool: p1
                size: 1TiB
                protocol: nfs
            """, at: ["t.yaml:5:15"], message: "'nfs' is not a valid protocol", exact: true,
            note: "use one of: fc, iscsi, fcoe, nvme-tcp, smb"),
        RuleCase(
            .invalidValue, "model in the wrong case", base: false,
            """
            arrays:
              a3:
                model: Flashsystem 720
                capacity: 12TB
            """, at: ["t.yaml:3:12"], message: "'Flashsystem 720' is not a valid model; did you mean 'FlashSystem 720'?", exact: true),
        RuleCase(
            .invalidValue, "misspelt frequency", base: false,
            """
            policies:
              p9:
                frequency: dayly
                retention: { count: 3 }
            """, at: ["t.yaml:3:16"], message: "'dayly' is not a valid frequency; did you mean 'daily'?", exact: true),

        // MARK: value-out-of-range
        RuleCase(
            .valueOutOfRange, "io_groups outside 1-4", base: false,
            """
            clusters:
              c2:
                io_groups: 5
              c3:
                io_groups: 0
              c4:
                io_groups: 4
            """, at: ["t.yaml:3:16", "t.yaml:5:16"], message: "'io_groups' is 5, outside 1..4", exact: true),
        RuleCase(
            .valueOutOfRange, "sizes, percentages and whole numbers at their bounds", base: false,
            """
            clusters:
              c2: { io_groups: 99999999999999999999999 }
            pools:
              p3:
                cluster: c2
                capacity_from: [{ array: a1, capacity: 1025TiB }]
                warning_threshold: 101%
                max_overcommit: 1e400%
              p4:
                cluster: c2
                capacity_from: [{ array: a1, capacity: 1PiB }]
                max_overcommit: 1000.5%
            volumes:
              v2: { pool: p4, size: 18446744073709551615PiB, change_rate: 100.01% }
              v3: { pool: p4, size: 1PiB, change_rate: 100% }
            """, at: ["t.yaml:2:20", "t.yaml:6:44", "t.yaml:7:24", "t.yaml:12:21", "t.yaml:14:25", "t.yaml:14:63"],
            message: "'io_groups' is 99999999999999999999999, outside 1..4", exact: true),
        RuleCase(
            .valueOutOfRange, "all sizes of a kind together are bounded, so no sum can overflow", base: false,
            (["volumes:"] + (1...65).map { "  v\($0): { pool: p1, size: 1PiB }" }).joined(separator: "\n") + "\n",
            at: ["t.yaml:66:26"], message: "all volume sizes together pass 64PiB, the most a configuration may declare"),

        // MARK: unsupported-version
        RuleCase(
            .unsupportedVersion, "version 2", base: false,
            """
            version: 2
            hosts:
              h2: {}
            """, at: ["t.yaml:1:10"], message: "version 2 is not supported", exact: true, note: "version: 1"),
        RuleCase(
            .unsupportedVersion, "only the file with the wrong version",
            files: [("a.yaml", "version: 1\n"), ("t.yaml", "version: 3\n")], at: ["t.yaml:1:10"],
            message: "version 3 is not supported"),

        // MARK: retention-invalid
        RuleCase(
            .retentionInvalid, "retention missing or with both count and days", base: false,
            """
            policies:
              p9:
                frequency: daily
                retention: {}
              p10:
                frequency: daily
                retention: { count: 3, days: 30 }
            """, at: ["t.yaml:4:16", "t.yaml:7:16"], message: "retention needs 'count' or 'days'", exact: true,
            note: "{count: 1..255} keeps the newest N"),
        RuleCase(
            .retentionInvalid, "both count and days in a vault retention",
            """
            resource_groups:
              g1:
                volumes: [v1]
                policies: [{ policy: daily }]
                replicate:
                  - to: p2
                    type: vault
                    retention:
                      daily: { count: 3, days: 30 }
            """, at: ["t.yaml:9:18"], message: "retention has both 'count' and 'days'; give one", exact: true),

        // MARK: retention-out-of-range
        RuleCase(
            .retentionOutOfRange, "count past 255, days past 36500, count 0", base: false,
            """
            policies:
              p9:
                frequency: daily
                retention:
                  count: 256
              p10:
                frequency: daily
                retention:
                  days: 36501
              p11:
                frequency: daily
                retention: { count: 0 }
              p12:
                frequency: daily
                retention: { days: 36500 }
            """, at: ["t.yaml:5:14", "t.yaml:9:13", "t.yaml:12:25"], message: "retention count 256 is outside 1..255", exact: true,
            note: "255 snapshots"),

        // MARK: duplicate-name
        RuleCase(
            .duplicateName, "host defined in two files names both places",
            """
            hosts:
              h1: { site: rome }
            """, at: ["t.yaml:2:3"], message: "host 'h1' is defined twice", exact: true,
            note: "first defined at base.yaml:10:3"),
        RuleCase(
            .duplicateName, "setting given in two files",
            files: [("a.yaml", "settings:\n  timezone: UTC\n"), ("t.yaml", "settings:\n  timezone: Europe/Rome\n")],
            at: ["t.yaml:2:3"], message: "setting 'timezone' is defined twice", exact: true, note: "first defined at a.yaml:2:3"),
        RuleCase(
            .duplicateName, "same name in different sections is allowed, in the same section twice is not",
            files: [
                ("a.yaml", "hosts:\n  x1: {}\nclusters:\n  x1: {}\n"),
                ("b/c.yaml", "clusters:\n  x1: { io_groups: 2 }\n"),
            ],
            at: ["b/c.yaml:2:3"], message: "cluster 'x1' is defined twice", exact: true, note: "first defined at a.yaml:4:3"),

        // MARK: file-unreadable
        RuleCase(
            .fileUnreadable, "a directory, a FIFO and a dangling link named *.yaml",
            directory: { dir in
                try FileManager.default.createDirectory(atPath: dir + "/d.yaml", withIntermediateDirectories: true)
                guard mkfifo(dir + "/f.yaml", 0o644) == 0, symlink(dir + "/none", dir + "/l.yaml") == 0 else { throw CocoaError(.fileWriteUnknown) }
            }, at: ["d.yaml", "f.yaml", "l.yaml"], message: "the path is a directory, not a file, although its name ends in .yaml or .yml",
            note: "rename the directory"),

        // MARK: file-too-large
        RuleCase(
            .fileTooLarge, "a file above 16 MiB",
            directory: { dir in
                guard FileManager.default.createFile(atPath: dir + "/big.yaml", contents: Data()),
                    truncate(dir + "/big.yaml", 17 << 20) == 0
                else { throw CocoaError(.fileWriteUnknown) }
            }, at: ["big.yaml"], message: "the file is 17.0 MiB, more than the 16 MiB a configuration file may have; it is not read",
            exact: true, note: "split the configuration"),

        // MARK: invalid-encoding
        RuleCase(
            .invalidEncoding, "a NUL byte at its place", base: false,
            "hosts:\n  h2: { site: r\u{0}ome }\n", at: ["t.yaml:2:16"],
            message: "a NUL byte (0x00) is in the text; YAML files cannot contain one; the file is not read", exact: true,
            note: "save it as UTF-8"),

        // MARK: value-too-long
        RuleCase(
            .valueTooLong, "a scalar above 64 KiB", base: false,
            "hosts:\n  h2: { site: " + String(repeating: "x", count: 65537) + " }\n", at: ["t.yaml:2:15"],
            message: "a key or value of 65537 bytes, more than the 64 KiB allowed"),

        // MARK: document-too-complex
        RuleCase(
            .documentTooComplex, "a billion laughs", base: false,
            """
            a: &a [x, x, x, x, x, x, x, x, x, x]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
            d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
            e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
            f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
            g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
            h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
            i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]
            """, at: ["t.yaml:5:36"], message: "aliases expand the document by more than 100000 values (alias '*d')"),
        RuleCase(
            .documentTooComplex, "nesting deeper than 64 levels", base: false,
            "hosts: " + String(repeating: "[", count: 70) + String(repeating: "]", count: 70) + "\n",
            at: ["t.yaml:1:72"], message: "values are nested more than 64 levels deep"),

        // MARK: unsupported-tag
        RuleCase(
            .unsupportedTag, "tags cannot change a value's type, and custom tags are refused", base: false,
            """
            volumes:
              v2: { pool: p1, size: !!str 10 }
              v3: { pool: !foo p1, size: 1TiB }
            policies:
              p: { frequency: daily, retention: !!map }
              q: { frequency: !!int daily, retention: { count: !!str 3 } }
            """, at: ["t.yaml:2:25", "t.yaml:3:15", "t.yaml:5:37", "t.yaml:6:19", "t.yaml:6:52"],
            message: "tag '!!str' is not allowed on 'size', which is a size such as 512GiB or 2TB; tags cannot change a value's type",
            exact: true, note: "remove the tag"),

        // MARK: duplicate-entry
        RuleCase(
            .duplicateEntry, "the same volume, host, policy entry or clone name twice",
            """
            volumes:
              v2: { pool: p1, size: 1TiB, hosts: [h1, h1] }
            resource_groups:
              g1:
                hosts: [h1, h1]
                volumes: [v1, v2, v1]
                policies:
                  - { policy: daily }
                  - { policy: weekly }
                  - { policy: daily }
                  - { policy: daily, schedule: "02:00" }
                clones:
                  - { name: dev, label: daily }
                  - { name: dev, label: weekly }
            """, at: ["t.yaml:2:43", "t.yaml:5:17", "t.yaml:6:23", "t.yaml:10:19", "t.yaml:14:17"],
            message: "host 'h1' is listed twice in the hosts of volume 'v2'", exact: true, note: "first listed at t.yaml:2:39"),
    ]
}

@Suite("Decoding rules")
struct DecodingRuleTests {
    @Test(arguments: DecodingCases.all)
    func rule(_ c: RuleCase) {
        c.check()
    }

    @Test func aDuplicateKeyDoesNotHideOtherFiles() {
        let result = ConfigurationLoader.load(sources: [
            SourceFile(path: "a.yaml", text: "hosts:\n  h2: {}\n  h2: {}\n"),
            SourceFile(path: "b.yaml", text: "version: 2\n"),
        ])
        #expect(result.diagnostics.map(\.rule) == [.duplicateKey, .unsupportedVersion])
    }

    @Test func aRetentionValueOfTheWrongTypeIsReportedOnce() {
        let result = Support.load(
            """
            policies:
              p1: { frequency: daily, retention: { count: "5" } }
              p2: { frequency: daily, retention: { days: lots } }
              p3: { frequency: daily, retention: { count: 3, days: x } }
            """, base: false)
        #expect(
            result.diagnostics.map { "\($0.location) \($0.rule)" } == [
                "t.yaml:2:47 wrong-type",
                "t.yaml:3:46 wrong-type",
                "t.yaml:4:38 retention-invalid",
                "t.yaml:4:56 wrong-type",
            ], "\(Support.describe(result.diagnostics))")
    }

    @Test func emptyAndCommentOnlyFilesAreValid() {
        let result = ConfigurationLoader.load(sources: [
            SourceFile(path: "a.yaml", text: ""),
            SourceFile(path: "b.yaml", text: "# nothing here yet\n"),
            SourceFile(path: "c.yaml", text: "version: 1\nhosts:\n"),
        ])
        #expect(result.diagnostics.isEmpty, "\(Support.describe(result.diagnostics))")
    }
}
