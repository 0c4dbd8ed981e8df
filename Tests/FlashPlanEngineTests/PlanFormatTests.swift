import FlashPlanModel
import Foundation
import Testing

@testable import FlashPlanEngine
@testable import FlashPlanApp

/// Plan JSON format 2: typed storage operations with snake_case keys, described one by
/// one in `schemas/plan.schema.json`; the fast writer agrees with the `Codable`
/// reference byte for byte; plan files of another `format_version` are refused.
@Suite struct PlanFormatTests {
    static let time = PlannerFixture.date("2026-11-21T10:00:00Z")

    /// One operation of each kind; `full` sets every optional field.
    static func sample(_ name: StorageOperation.Name, full: Bool) -> StorageOperation {
        let site = full ? "rome" : nil
        switch name {
        case .installArray: return .installArray(name: "fs1", model: .flashSystem820, capacity: .tb(24), site: site)
        case .installCluster: return .installCluster(name: "svc1", site: site, ioGroups: 2)
        case .createPool:
            return .createPool(
                name: "gold", cluster: "svc1", capacityFrom: [Pool.Extent(array: "fs1", capacity: .tb(16)), Pool.Extent(array: "fs2", capacity: .tb(1))],
                warningThreshold: Percentage(80), maxOvercommit: Percentage(full ? 250.5 : 300), easyTier: full)
        case .addPoolCapacity: return .addPoolCapacity(pool: "gold", array: "fs2", capacity: .tb(2))
        case .modifyPool: return .modifyPool(name: "gold", warningThreshold: Percentage(85), maxOvercommit: Percentage(300), easyTier: true)
        case .createHost: return .createHost(name: "db01", site: site)
        case .createVolume:
            return .createVolume(VolumeSpec(
                name: "erp-data", pool: "gold", size: .tib(2), accessProtocol: full ? .nvmeTCP : .fc, thin: !full, compressed: full,
                mirrorPool: full ? "silver" : nil, changeRate: Percentage(full ? 7.5 : 5), role: full ? .destination : .primary))
        case .destroyVolume: return .destroyVolume(name: "old-logs")
        case .resizeVolume: return .resizeVolume(name: "erp-data", size: .tib(3))
        case .migrateVolume: return .migrateVolume(name: "erp-data", toPool: "silver")
        case .addMirrorCopy: return .addMirrorCopy(volume: "erp-data", pool: "silver")
        case .removeMirrorCopy: return .removeMirrorCopy(volume: "erp-data")
        case .mapHost: return .mapHost(volume: "erp-data", host: "db01")
        case .unmapHost: return .unmapHost(volume: "erp-data", host: "db02")
        case .createSnapshot:
            return .createSnapshot(SnapshotSpec(
                volume: "erp-data", name: "erp_db01_11-21-2026_11.00.00", label: "hourly", hosts: full ? ["db01", "db02"] : [],
                tag: full ? "erp-production" : nil, group: full ? "erp" : nil, immutableUntil: full ? time.addingTimeInterval(86400 * 90) : nil))
        case .deleteSnapshot: return .deleteSnapshot(volume: "erp-data", name: "erp_db01_11-20-2026_11.00.00")
        case .renameSnapshot: return .renameSnapshot(volume: "erp-data", name: "a", newName: "b")
        case .restoreSnapshot: return .restoreSnapshot(volume: "erp-data", name: "before-upgrade")
        case .createRelationship:
            return .createRelationship(source: "erp-data", destination: "erp-data_dr", type: full ? .vault : .mirror, mode: full ? .sync : .async, group: full ? "erp" : nil)
        case .initializeRelationship: return .initializeRelationship(destination: "erp-data_dr")
        case .updateRelationship: return .updateRelationship(destination: "erp-data_dr", transfer: full ? ["s1", "s2"] : [], drop: full ? ["s0"] : [])
        case .resyncRelationship: return .resyncRelationship(destination: "erp-data_dr")
        case .createClone: return .createClone(name: "reporting", volume: "erp-data_dr", snapshot: "s1", host: full ? "app01" : nil)
        case .deleteClone: return .deleteClone(name: "reporting")
        }
    }

    static var samples: [StorageOperation] {
        StorageOperation.Name.allCases.flatMap { [sample($0, full: false), sample($0, full: true)] }
    }

    static var repository: URL {
        GoldenFile.directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func schema() throws -> [String: Any] {
        let data = try Data(contentsOf: repository.appendingPathComponent("schemas/plan.schema.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func object(_ operation: StorageOperation) throws -> [String: Any] {
        let data = try PlanJSONRenderer.encoder().encode(operation)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func everyOperationIsAnObjectNamedByOpWithSnakeCaseKeys() throws {
        for name in StorageOperation.Name.allCases {
            #expect(Self.sample(name, full: true).name == name)
        }
        for operation in Self.samples {
            let object = try Self.object(operation)
            #expect(object["op"] as? String == operation.name.rawValue)
            for key in object.keys {
                #expect(key.allSatisfy { $0.isLowercase || $0 == "_" }, "\(operation.name): key \(key)")
            }
        }
        let snapshot = try Self.object(Self.sample(.createSnapshot, full: true))
        #expect(snapshot["immutable_until"] as? String == "2027-02-19T10:00:00Z")
        #expect(snapshot["volume"] as? String == "erp-data")
        let volume = try Self.object(Self.sample(.createVolume, full: true))
        #expect(volume["protocol"] as? String == "nvme-tcp" && volume["mirror_pool"] as? String == "silver" && volume["change_rate"] as? Double == 7.5)
        #expect(volume["size"] as? Int == 2 * 1024 * 1024 * 1024 * 1024)
    }

    /// Each operation's `op` has a definition of its own in the schema, and what the
    /// encoder writes for it has exactly the keys that definition allows and requires.
    @Test func everyStorageOperationCaseAppearsInTheSchema() throws {
        let schema = try Self.schema()
        let defs = try #require(schema["$defs"] as? [String: Any])
        let operation = try #require(defs["operation"] as? [String: Any])
        let ops = try #require(((operation["properties"] as? [String: Any])?["op"] as? [String: Any])?["enum"] as? [String])
        #expect(ops == StorageOperation.Name.allCases.map(\.rawValue))
        let branches = try #require(operation["allOf"] as? [[String: Any]])
        var definitions: [String: [String: Any]] = [:]
        for branch in branches {
            let op = try #require(((((branch["if"] as? [String: Any])?["properties"] as? [String: Any])?["op"]) as? [String: Any])?["const"] as? String)
            let reference = try #require((branch["then"] as? [String: Any])?["$ref"] as? String)
            #expect(reference == "#/$defs/op_\(op)")
            definitions[op] = try #require(defs["op_\(op)"] as? [String: Any], "no $defs/op_\(op)")
        }
        #expect(Set(definitions.keys) == Set(ops))
        #expect(Set(defs.keys.filter { $0.hasPrefix("op_") }) == Set(ops.map { "op_\($0)" }), "a definition no op uses")

        for sample in Self.samples {
            let name = sample.name.rawValue
            let definition = try #require(definitions[name], "\(name) is not in the schema")
            #expect(definition["additionalProperties"] as? Bool == false, "\(name)")
            let properties = try #require(definition["properties"] as? [String: Any])
            let required = Set(try #require(definition["required"] as? [String]))
            #expect((properties["op"] as? [String: Any])?["const"] as? String == name)
            let keys = Set(try Self.object(sample).keys)
            #expect(keys.isSubset(of: Set(properties.keys)), "\(name): \(keys.subtracting(properties.keys)) not in the schema")
            #expect(required.isSubset(of: keys), "\(name): \(required.subtracting(keys)) required but not written")
        }
        // And every optional field of the schema is written by some sample.
        for (name, definition) in definitions {
            let properties = Set(((definition["properties"] as? [String: Any]) ?? [:]).keys)
            let full = Set(try Self.object(Self.sample(StorageOperation.Name(rawValue: name)!, full: true)).keys)
            #expect(properties == full, "\(name): the schema has \(properties.subtracting(full)), the encoder not")
        }
    }

    /// The enums the schema lists are the model's.
    @Test func theSchemaListsTheModelsValues() throws {
        let defs = try #require(try Self.schema()["$defs"] as? [String: Any])
        func values(_ def: String, _ property: String) -> [String]? {
            (((defs[def] as? [String: Any])?["properties"] as? [String: Any])?[property] as? [String: Any])?["enum"] as? [String]
        }
        #expect(values("action", "kind") == ActionKind.allCases.map(\.rawValue))
        #expect(values("op_install_array", "model") == ArrayModel.allCases.map(\.rawValue))
        #expect(values("op_create_volume", "protocol") == Volume.AccessProtocol.allCases.map(\.rawValue))
        #expect(values("op_create_volume", "role").map(Set.init) == Set(["primary", "destination", "clone"]))
        #expect(values("op_create_relationship", "type") == Replication.Kind.allCases.map(\.rawValue))
        #expect(values("op_create_relationship", "mode") == Replication.Mode.allCases.map(\.rawValue))
    }

    @Test func operationsRoundTrip() throws {
        for sample in Self.samples {
            let data = try PlanJSONRenderer.encoder().encode(sample)
            #expect(try PlanJSONRenderer.decoder().decode(StorageOperation.self, from: data) == sample)
        }
        let unknown = Data(#"{"op": "format_disk", "name": "x"}"#.utf8)
        #expect(throws: DecodingError.self) { try PlanJSONRenderer.decoder().decode(StorageOperation.self, from: unknown) }
        let formatOne = Data(#"{"createVolume": {"spec": {"name": "x"}}}"#.utf8)
        #expect(throws: DecodingError.self) { try PlanJSONRenderer.decoder().decode(StorageOperation.self, from: formatOne) }
    }

    // MARK: The writer against the reference encoder

    static func reference(_ plan: Plan) throws -> String {
        String(decoding: try PlanJSONRenderer.encoder().encode(plan), as: UTF8.self) + "\n"
    }

    /// A plan that has every field and every operation, and strings that need escaping.
    static func everything() -> Plan {
        let awkward = "quote \" backslash \\ slash / tab \t newline \n bell \u{07} del \u{7F} é 😀 \u{2028} \u{0}"
        let actions = samples.enumerated().map { (index: Int, operation: StorageOperation) -> PlanAction in
            var action = PlanAction(
                kind: ActionKind.allCases[index % ActionKind.allCases.count], address: .volume("thing.\(index) \(awkward.replacingOccurrences(of: "/", with: "|"))"),
                group: index % 3 == 0 ? nil : "g\(index)", reason: "because \(awkward)", dependsOn: index == 0 ? [] : [ActionID(.createHost, .host("x\(index - 1)"))],
                before: index % 2 == 0 ? nil : ["size": "1TiB", "mirror_pool": "(none)", awkward: awkward],
                after: index % 4 == 0 ? nil : ["size": "2TiB", "io_groups": "2", "a": ""],
                operations: [operation, sample(operation.name, full: true)], destructive: index % 5 == 0, arrays: ["fs1", "fs2"])
            if index % 7 == 0 { action.blockedBy = "array fs2 is offline \(awkward)" }
            return action
        }
        let retention = (0..<20).map { (index: Int) -> RetentionDecision in
            let created: Date = time.addingTimeInterval(-3600 * Double(index) - 0.75)
            let label: String = index % 2 == 0 ? "daily" : awkward
            let location: CopyLocation = index % 4 == 0 ? .primary : .destination(pool: "vault")
            let verdict: RetentionDecision.Verdict = index % 3 == 0 ? .prune : .keep
            return RetentionDecision(
                group: "g\(index % 3)", label: label, location: location, backup: "b\(index)", created: created, verdict: verdict,
                reason: "kept by \(awkward)", planned: index == 0,
                protections: index % 5 == 1
                    ? [.immutable(until: Date(timeIntervalSince1970: 1_800_000_000)), .cloneParent(clones: ["c1", awkward]), .replicationBase(destination: "v1_vault")]
                    : [])
        }
        let full = SourceLocation(file: "policies/a.yaml", line: 3, column: 5)
        let diagnostics: [Diagnostic] = [
            .error(.poolFull, at: full, "full \(awkward)", note: "grow it \(awkward)"),
            .warning(.targeting, at: .unknown, "targeting is in effect"),
        ]
        let capacity = [
            PoolProjection(
                pool: "gold", physicalCapacity: .tb(16), usedNow: .tb(3), usedAfter: .tb(4), virtualAfter: .tb(40),
                warningThreshold: Percentage(80), maxOvercommit: Percentage(300)),
            PoolProjection(
                pool: "dr", physicalCapacity: .tb(0), usedNow: .tb(0), usedAfter: .tb(0), virtualAfter: .tb(0),
                warningThreshold: Percentage(72.25), maxOvercommit: Percentage(0.1)),
        ]
        return Plan(
            now: time, state: StateReference(lineage: PlannerFixture.lineage, serial: 42), configDigest: "sha256:abc", actions: actions,
            retention: retention, drift: [DriftItem(address: "volume.v1", change: "grown \(awkward)", response: "reported")],
            unmanaged: [
                UnmanagedBackups(group: awkward, cause: .groupRemoved, volumes: ["v1", awkward], backups: 2, snapshots: 3, newest: time),
                UnmanagedBackups(group: "g", cause: .destinationRemoved, volumes: ["v1_dr"], backups: 1, snapshots: 1, newest: time),
            ],
            diagnostics: diagnostics, capacity: capacity, targets: ["erp"], excludes: ["apps", awkward])
    }

    @Test func theWriterWritesWhatTheEncoderWrites() throws {
        for name in PlanGoldenTests.plans {
            let (plan, _) = PlanGoldenTests.plan(name)
            #expect(try PlanJSONRenderer.render(plan) == Self.reference(plan), "\(name)")
        }
        let everything = Self.everything()
        let written = try PlanJSONRenderer.render(everything)
        let expected = try Self.reference(everything)
        #expect(written == expected, "\(GoldenFile.lineDiff(expected: expected, actual: written))")
        let empty = Plan(now: Self.time, state: StateReference(lineage: "l", serial: 0), configDigest: "", actions: [], retention: [], drift: [], diagnostics: [], capacity: [])
        #expect(try PlanJSONRenderer.render(empty) == Self.reference(empty))
    }

    /// A plan with tens of thousands of retention decisions has them rendered in slices on
    /// several threads; joined, they are the encoder's bytes, in order.
    @Test func manyRetentionDecisionsAreWrittenAsTheEncoderWritesThem() throws {
        var large = Self.everything()
        let sample = large.retention
        large.retention = (0..<20_011).map { index in
            var decision = sample[index % sample.count]
            decision.backup = "b\(index)"
            return decision
        }
        let written = try PlanJSONRenderer.render(large)
        let expected = try Self.reference(large)
        #expect(written == expected, "\(GoldenFile.lineDiff(expected: expected, actual: written).prefix(2_000))")
    }

    @Test func aPlanRoundTripsThroughItsJSON() throws {
        let everything = Self.everything()
        let decoded = try PlanJSONRenderer.decode(try PlanJSONRenderer.renderData(everything))
        // Dates are written to the second.
        var expected = everything
        expected.retention = expected.retention.map { var d = $0; d.created = Date(timeIntervalSince1970: d.created.timeIntervalSince1970.rounded(.down)); return d }
        #expect(decoded == expected)
        // (A pool's extents keep their place in the configuration, which the JSON does not carry.)
        for name in PlanGoldenTests.plans {
            let (plan, _) = PlanGoldenTests.plan(name)
            let json = try PlanJSONRenderer.render(plan)
            #expect(try PlanJSONRenderer.render(PlanJSONRenderer.decode(Data(json.utf8))) == json, "\(name)")
        }
    }

    /// Every control character is escaped, and every string reads back as it was.
    @Test func stringsAreEscapedAsTheEncoderEscapesThem() throws {
        var strings = (0..<0x80).map { String(UnicodeScalar(UInt8($0))) }
        strings += ["", "é", "😀", "\u{85}", "\u{A0}", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{10FFFF}", "a\u{1}b\u{1F}c", "\r\n", "e\u{301}"]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        for string in strings {
            var writer = PlanJSONWriter()
            writer.string(string)
            let written = String(decoding: writer.bytes, as: UTF8.self)
            #expect(written == String(decoding: try encoder.encode(string), as: UTF8.self), "U+\(String(string.unicodeScalars.first?.value ?? 0, radix: 16))")
            #expect(!writer.bytes.contains { $0 < 0x20 }, "a control character left raw in \(written.debugDescription)")
            #expect(try JSONDecoder().decode(String.self, from: Data(writer.bytes)) == string)
        }
    }

    @Test func numbersAreWrittenAsTheEncoderWritesThem() throws {
        let encoder = JSONEncoder()
        for value in [0, 5, 80, 300, 2.5, 0.1, 72.25, 1e-7, 1e21, 123_456_789.125, -3, 1.0 / 3] as [Double] {
            var writer = PlanJSONWriter()
            try writer.double(value)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == String(decoding: try encoder.encode(value), as: UTF8.self), "\(value)")
        }
        var writer = PlanJSONWriter()
        #expect(throws: PlanJSONWriter.Failure.self) { try writer.double(.nan) }
        for value in [0, 7, 10, 99, UInt64.max] as [UInt64] {
            var writer = PlanJSONWriter()
            writer.integer(value)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == String(decoding: try encoder.encode(value), as: UTF8.self))
        }
        for value in [0, 9, 10, 42, 1_000_000, Int.max, -1, -10, Int.min] {
            var writer = PlanJSONWriter()
            writer.integer(value)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == String(decoding: try encoder.encode(value), as: UTF8.self))
        }
    }

    @Test func datesAreWrittenAsTheEncoderWritesThem() throws {
        let encoder = PlanJSONRenderer.encoder()
        let times: [TimeInterval] = [0, -1, -86400.5, 951_782_400, 1_763_719_199.999, 4_102_444_800, 253_402_300_799]
        for time in times + (0..<500).map({ Double($0) * 7_654_321.25 - 1e9 }) {
            let date = Date(timeIntervalSince1970: time)
            var writer = PlanJSONWriter()
            writer.date(date)
            let written = String(decoding: writer.bytes, as: UTF8.self)
            #expect(written == "\"\(date.iso8601)\"", "\(time)")
            #expect(written == String(decoding: try encoder.encode(date), as: UTF8.self), "\(time)")
            // And read back: by arithmetic as by the standard decoder, to the second.
            let whole = Date(timeIntervalSince1970: time.rounded(.down))
            #expect(Date(iso8601: date.iso8601) == whole, "\(time)")
            #expect(try PlanJSONRenderer.decoder().decode(Date.self, from: Data(writer.bytes)) == whole, "\(time)")
        }
        for text in ["2026-11-21T10:00:00+01:00", "2026-11-21T10:00:00.5Z", "2026-11-21T09:00:00-00:00"] {
            #expect(Date(iso8601: text) == nil)
            let standard = JSONDecoder()
            standard.dateDecodingStrategy = .iso8601
            let json = Data("\"\(text)\"".utf8)
            #expect(try PlanJSONRenderer.decoder().decode(Date.self, from: json) == (try? standard.decode(Date.self, from: json)) ?? Date(timeIntervalSince1970: -1), "\(text)")
        }
        for text in ["2026-13-01T00:00:00Z", "2026-11-21 10:00:00Z", "2026-11-21T10:00:00", "", "2026-1a-21T10:00:00Z"] {
            #expect(Date(iso8601: text) == nil, "\(text)")
            #expect(throws: DecodingError.self) { try PlanJSONRenderer.decoder().decode(Date.self, from: Data("\"\(text)\"".utf8)) }
        }
    }

    // MARK: Plan files

    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fp-planfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func aPlanFileReadsBackAsThePlan() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (plan, _) = PlanGoldenTests.steadyState()
        let path = dir.appendingPathComponent("plan.json").path
        try PlanFile.write(plan, to: path)
        #expect(try PlanFile.read(path) == plan)
        #expect(FileManager.default.contents(atPath: path) == Data(try PlanJSONRenderer.render(plan).utf8))
    }

    /// Format 1 (operations as `{"createSnapshot": {"spec": …}}`), a format from the
    /// future, and a file without a format are all refused, naming both versions.
    @Test(arguments: [1, 3, nil] as [Int?]) func aPlanFileOfAnotherFormatIsRefused(_ version: Int?) throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (plan, _) = PlanGoldenTests.firstApply()
        var text = try PlanJSONRenderer.render(plan)
        let current = "\"format_version\" : 2,"
        #expect(text.contains(current))
        text = text.replacingOccurrences(of: current, with: version.map { "\"format_version\" : \($0)," } ?? "")
        if version == 1 {
            // As format 1 wrote it.
            text = text.replacingOccurrences(of: "\"op\" : \"create_snapshot\",", with: "")
        }
        let path = dir.appendingPathComponent("plan.json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: PlanFile.ReadError.self) { try PlanFile.read(path) }
        let found = version.map { "plan format_version \($0)" } ?? "no format_version"
        #expect(error.description.hasPrefix("\(path): the file has \(found)"), "\(error)")
        #expect(error.description.contains("this flashplan reads plan format_version 2 only"), "\(error)")
        #expect(error.description.contains("`flashplan plan --out \(path)`"), "\(error)")
        if let version { #expect(error.description.contains(version < 2 ? "older flashplan" : "newer flashplan")) }
    }

    @Test func aFileThatIsNoPlanIsRefusedAsSuch() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("plan.json").path
        for text in ["not json", "[1, 2]", #"{"format_version": 2, "actions": []}"#] {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let error = try #require(throws: PlanFile.ReadError.self) { try PlanFile.read(path) }
            #expect(error.description.hasPrefix("\(path): not a flashplan plan file"), "\(error)")
        }
        let missing = dir.appendingPathComponent("missing.json").path
        let error = try #require(throws: PlanFile.ReadError.self) { try PlanFile.read(missing) }
        #expect(error.description == "\(missing): cannot read the plan file")
    }
}
