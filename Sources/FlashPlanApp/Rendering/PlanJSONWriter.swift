import FlashPlanEngine
import FlashPlanModel
import Foundation
import Synchronization

/// Writes the plan JSON straight into a byte buffer, in exactly the layout of
/// `JSONEncoder` with `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]` and
/// ISO-8601 dates: two-space indents, `"key" : value`, keys in byte order, `/`
/// unescaped, empty containers as `[`, a blank line, `]`.
///
/// `JSONEncoder` builds a tree of boxed values, sorts every object's keys and
/// formats each date with a date formatter: over the plan of the benchmark fleet
/// (2,000 actions, 101,000 retention decisions, 32 MiB) that took 1–2 s, this
/// writer about 0.15 s. It emits each type's keys already in sorted order, so its
/// output is byte for byte the encoder's (`PlanFormatTests` compare the two on the
/// golden plans and on a plan with every field, operation and awkward string); the
/// `Codable` conformances stay the reference, and are what plan files are read with.
///
/// Strings are escaped as the encoder escapes them, as JSON requires: `"`, `\` and
/// every control character below U+0020; everything else is written as UTF-8.
struct PlanJSONWriter {
    enum Failure: Error, CustomStringConvertible {
        case nonFinite(Double)
        var description: String {
            switch self { case .nonFinite(let value): "cannot write \(value) in JSON" }
        }
    }

    private(set) var bytes: [UInt8] = []
    private var depth = 0
    /// True until the innermost open container has its first member.
    private var empty = true
    /// A newline and the indentation of the deepest level a plan has, and more.
    private let indentation: [UInt8] = [0x0A] + [UInt8](repeating: 0x20, count: 2 * 32)

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    var data: Data { Data(bytes) }

    mutating func newlineAtEnd() { bytes.append(0x0A) }

    // MARK: Layout

    private mutating func newline() {
        let count = 1 + 2 * depth
        if count <= indentation.count {
            bytes.append(contentsOf: indentation[0..<count])
        } else {
            bytes.append(0x0A)
            bytes.append(contentsOf: repeatElement(0x20, count: count - 1))
        }
    }

    private mutating func ascii(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        depth += 1
        empty = true
    }

    private mutating func close(_ bracket: UInt8) {
        depth -= 1
        if empty { bytes.append(0x0A) }
        newline()
        bytes.append(bracket)
        empty = false
    }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Starts the next member of an array.
    mutating func element() {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
        newline()
    }

    /// Starts the next member of an object: `"key" : `. Keys must come in sorted order.
    mutating func key(_ key: StaticString) {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
        newline()
        bytes.append(UInt8(ascii: "\""))
        ascii(key)
        ascii("\" : ")
    }

    /// A key that is data (before/after attributes): escaped like any string.
    mutating func key(_ key: String) {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
        newline()
        string(key)
        ascii(" : ")
    }

    // MARK: Values

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// A string literal: `"` and `\` escaped, `\b \f \n \r \t` by name and every
    /// other control character (below U+0020) as `\u00XX`; the rest as UTF-8.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if start < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index])) }
                start = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    ascii("u00")
                    bytes.append(Self.hex[Int(byte >> 4)])
                    bytes.append(Self.hex[Int(byte & 0xF)])
                }
            }
            if start < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func bool(_ value: Bool) {
        if value { ascii("true") } else { ascii("false") }
    }

    mutating func integer(_ value: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            integer(value.magnitude)
        } else {
            integer(UInt64(value))
        }
    }

    mutating func integer(_ value: UInt) { integer(UInt64(value)) }

    mutating func integer(_ value: UInt64) {
        if value < 10 {
            bytes.append(0x30 + UInt8(value))
            return
        }
        // Digits from the right into a 20-byte scratch (UInt64.max has 20), then in order.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { scratch in
            var rest = value
            var index = 20
            while rest > 0 {
                index -= 1
                scratch[index] = 0x30 + UInt8(rest % 10)
                rest /= 10
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[index..<20]))
        }
    }

    /// A number as `JSONEncoder` writes a `Double`: integral values without `.0`.
    mutating func double(_ value: Double) throws {
        guard value.isFinite else { throw Failure.nonFinite(value) }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    /// `"2026-11-21T10:00:00Z"`: UTC, to the second (rounded down), as `Date.iso8601`.
    mutating func date(_ value: Date) {
        let (year, month, day, secondOfDay) = value.utcCivil
        guard (0...9999).contains(year) else {
            // Out of four digits: as `Date.iso8601` writes it.
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: value.iso8601.utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        func two(_ n: Int64) {
            bytes.append(0x30 + UInt8(n / 10))
            bytes.append(0x30 + UInt8(n % 10))
        }
        bytes.append(UInt8(ascii: "\""))
        two(year / 100)
        two(year % 100)
        bytes.append(UInt8(ascii: "-"))
        two(month)
        bytes.append(UInt8(ascii: "-"))
        two(day)
        bytes.append(UInt8(ascii: "T"))
        two(secondOfDay / 3600)
        bytes.append(UInt8(ascii: ":"))
        two(secondOfDay % 3600 / 60)
        bytes.append(UInt8(ascii: ":"))
        two(secondOfDay % 60)
        ascii("Z\"")
    }

    mutating func strings(_ values: [String]) {
        beginArray()
        for value in values {
            element()
            string(value)
        }
        endArray()
    }
}

// MARK: - The plan

extension PlanJSONWriter {
    /// Keys in sorted order, as the `CodingKeys` of each type name them.
    mutating func write(_ plan: Plan) throws {
        beginObject()
        key("actions")
        beginArray()
        for action in plan.actions {
            element()
            try write(action)
        }
        endArray()
        key("capacity")
        beginArray()
        for pool in plan.capacity {
            element()
            try write(pool)
        }
        endArray()
        key("config_digest"); string(plan.configDigest)
        key("diagnostics")
        beginArray()
        for diagnostic in plan.diagnostics {
            element()
            try write(diagnostic)
        }
        endArray()
        key("drift")
        beginArray()
        for item in plan.drift {
            element()
            beginObject()
            if let address = item.address { key("address"); string(address.description) }
            key("change"); string(item.change)
            key("response"); string(item.response)
            endObject()
        }
        endArray()
        key("excludes"); strings(plan.excludes)
        key("format_version"); integer(plan.formatVersion)
        key("now"); date(plan.now)
        key("retention")
        beginArray()
        writeRetention(plan.retention)
        endArray()
        key("state")
        beginObject()
        key("lineage"); string(plan.state.lineage)
        key("serial"); integer(plan.state.serial)
        endObject()
        key("summary")
        beginObject()
        key("change"); integer(plan.summary.change)
        key("create"); integer(plan.summary.create)
        key("destroy"); integer(plan.summary.destroy)
        key("prune"); integer(plan.summary.prune)
        key("snapshots"); integer(plan.summary.snapshots)
        key("transfers"); integer(plan.summary.transfers)
        endObject()
        key("targets"); strings(plan.targets)
        key("unmanaged")
        beginArray()
        for item in plan.unmanaged {
            element()
            beginObject()
            key("backups"); integer(item.backups)
            key("cause"); string(item.cause.rawValue)
            key("group"); string(item.group)
            key("newest"); date(item.newest)
            key("snapshots"); integer(item.snapshots)
            key("volumes"); strings(item.volumes)
            endObject()
        }
        endArray()
        endObject()
    }

    /// The members of the retention array. A plan of the whole fleet has a hundred
    /// thousand decisions, most of its JSON: rendered in slices on every core, each by a
    /// writer at this one's depth, and joined in order (the same bytes as one writer's).
    mutating func writeRetention(_ decisions: [RetentionDecision]) {
        let slices = decisions.count < 20_000 ? 1 : min(ProcessInfo.processInfo.activeProcessorCount, 8)
        guard slices > 1 else {
            for decision in decisions {
                element()
                write(decision)
            }
            return
        }
        let size = (decisions.count + slices - 1) / slices
        let rendered = Mutex([[UInt8]](repeating: [], count: slices))
        let depth = self.depth, empty = self.empty
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let range = min(slice * size, decisions.count)..<min((slice + 1) * size, decisions.count)
            var writer = PlanJSONWriter(capacity: range.count * 340)
            writer.depth = depth
            // Only the first slice may open an empty array; the others follow a member.
            writer.empty = slice == 0 ? empty : false
            for decision in decisions[range] {
                writer.element()
                writer.write(decision)
            }
            let bytes = writer.bytes
            rendered.withLock { $0[slice] = bytes }
        }
        for bytes in rendered.withLock({ $0 }) { self.bytes.append(contentsOf: bytes) }
        self.empty = false
    }

    mutating func write(_ action: PlanAction) throws {
        beginObject()
        key("address"); string(action.address.description)
        if let after = action.after { key("after"); attributes(after) }
        key("arrays"); strings(action.arrays)
        if let before = action.before { key("before"); attributes(before) }
        if let blockedBy = action.blockedBy { key("blocked_by"); string(blockedBy) }
        key("depends_on"); strings(action.dependsOn.map(\.description))
        key("destructive"); bool(action.destructive)
        if let group = action.group { key("group"); string(group) }
        key("id"); string(action.id.description)
        key("kind"); string(action.kind.rawValue)
        key("operations")
        beginArray()
        for operation in action.operations {
            element()
            try write(operation)
        }
        endArray()
        key("reason"); string(action.reason)
        endObject()
    }

    /// Before/after attributes, sorted by key.
    mutating func attributes(_ values: [String: String]) {
        beginObject()
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            key(name)
            string(value)
        }
        endObject()
    }

    mutating func write(_ decision: RetentionDecision) {
        beginObject()
        key("backup"); string(decision.backup)
        key("created"); date(decision.created)
        key("group"); string(decision.group)
        key("label"); string(decision.label)
        key("location"); string(decision.location.description)
        key("planned"); bool(decision.planned)
        key("protections")
        beginArray()
        for protection in decision.protections {
            element()
            beginObject()
            switch protection {
            case .cloneParent(let clones): key("clones"); strings(clones)
            case .replicationBase(let destination): key("destination"); string(destination)
            case .immutable: break
            }
            key("kind"); string(protection.kind)
            if case .immutable(let until) = protection { key("until"); date(until) }
            endObject()
        }
        endArray()
        key("reason"); string(decision.reason)
        key("verdict"); string(decision.verdict.rawValue)
        endObject()
    }

    mutating func write(_ diagnostic: Diagnostic) throws {
        beginObject()
        key("location")
        beginObject()
        key("column"); integer(diagnostic.location.column)
        key("file"); string(diagnostic.location.file)
        key("line"); integer(diagnostic.location.line)
        endObject()
        key("message"); string(diagnostic.message)
        if let note = diagnostic.note { key("note"); string(note) }
        key("rule"); try encodedString(diagnostic.rule)
        key("severity"); try encodedString(diagnostic.severity)
        if let subject = diagnostic.subject { key("subject"); string(subject.description) }
        endObject()
    }

    mutating func write(_ pool: PoolProjection) throws {
        beginObject()
        key("max_overcommit"); try double(pool.maxOvercommit.value)
        key("physical_capacity"); integer(pool.physicalCapacity.bytes)
        key("pool"); string(pool.pool)
        key("used_after"); integer(pool.usedAfter.bytes)
        key("used_now"); integer(pool.usedNow.bytes)
        key("virtual_after"); integer(pool.virtualAfter.bytes)
        key("warning_threshold"); try double(pool.warningThreshold.value)
        endObject()
    }

    /// A value whose `Codable` form is a string, whether it is a `String` or a type of
    /// its own (an address, a rule): a string-backed enum by its raw value, anything
    /// else as the standard encoder writes it.
    mutating func encodedString<T: Encodable>(_ value: T) throws {
        if let text = value as? String {
            string(text)
        } else if let raw = value as? any RawRepresentable<String> {
            string(raw.rawValue)
        } else {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            bytes.append(contentsOf: try encoder.encode(value))
        }
    }
}

// MARK: - Storage operations

extension PlanJSONWriter {
    /// `{"op": …}` with the fields of `StorageOperation+Codable.swift`, in sorted order.
    mutating func write(_ operation: StorageOperation) throws {
        beginObject()
        let op = operation.name.rawValue
        switch operation {
        case .installArray(let name, let model, let capacity, let site):
            key("capacity"); integer(capacity.bytes)
            key("model"); string(model.rawValue)
            key("name"); string(name)
            key("op"); string(op)
            if let site { key("site"); string(site) }
        case .installCluster(let name, let site, let ioGroups):
            key("io_groups"); integer(ioGroups)
            key("name"); string(name)
            key("op"); string(op)
            if let site { key("site"); string(site) }
        case .createPool(let name, let cluster, let capacityFrom, let warningThreshold, let maxOvercommit, let easyTier):
            key("capacity_from")
            beginArray()
            for extent in capacityFrom {
                element()
                beginObject()
                key("array"); string(extent.array)
                key("capacity"); integer(extent.capacity.bytes)
                endObject()
            }
            endArray()
            key("cluster"); string(cluster)
            key("easy_tier"); bool(easyTier)
            key("max_overcommit"); try double(maxOvercommit.value)
            key("name"); string(name)
            key("op"); string(op)
            key("warning_threshold"); try double(warningThreshold.value)
        case .addPoolCapacity(let pool, let array, let capacity):
            key("array"); string(array)
            key("capacity"); integer(capacity.bytes)
            key("op"); string(op)
            key("pool"); string(pool)
        case .modifyPool(let name, let warningThreshold, let maxOvercommit, let easyTier):
            key("easy_tier"); bool(easyTier)
            key("max_overcommit"); try double(maxOvercommit.value)
            key("name"); string(name)
            key("op"); string(op)
            key("warning_threshold"); try double(warningThreshold.value)
        case .createHost(let name, let site):
            key("name"); string(name)
            key("op"); string(op)
            if let site { key("site"); string(site) }
        case .createVolume(let spec):
            key("change_rate"); try double(spec.changeRate.value)
            key("compressed"); bool(spec.compressed)
            if let mirrorPool = spec.mirrorPool { key("mirror_pool"); string(mirrorPool) }
            key("name"); string(spec.name)
            key("op"); string(op)
            key("pool"); string(spec.pool)
            key("protocol"); string(spec.accessProtocol.rawValue)
            key("role"); string(spec.role.rawValue)
            key("size"); integer(spec.size.bytes)
            key("thin"); bool(spec.thin)
        case .destroyVolume(let name), .deleteClone(let name):
            key("name"); string(name)
            key("op"); string(op)
        case .resizeVolume(let name, let size):
            key("name"); string(name)
            key("op"); string(op)
            key("size"); integer(size.bytes)
        case .migrateVolume(let name, let toPool):
            key("name"); string(name)
            key("op"); string(op)
            key("to_pool"); string(toPool)
        case .addMirrorCopy(let volume, let pool):
            key("op"); string(op)
            key("pool"); string(pool)
            key("volume"); string(volume)
        case .removeMirrorCopy(let volume):
            key("op"); string(op)
            key("volume"); string(volume)
        case .mapHost(let volume, let host), .unmapHost(let volume, let host):
            key("host"); string(host)
            key("op"); string(op)
            key("volume"); string(volume)
        case .createSnapshot(let spec):
            if let group = spec.group { key("group"); string(group) }
            key("hosts"); strings(spec.hosts)
            if let immutableUntil = spec.immutableUntil { key("immutable_until"); date(immutableUntil) }
            key("label"); string(spec.label)
            key("name"); string(spec.name)
            key("op"); string(op)
            if let tag = spec.tag { key("tag"); string(tag) }
            key("volume"); string(spec.volume)
        case .deleteSnapshot(let volume, let name), .restoreSnapshot(let volume, let name):
            key("name"); string(name)
            key("op"); string(op)
            key("volume"); string(volume)
        case .renameSnapshot(let volume, let name, let newName):
            key("name"); string(name)
            key("new_name"); string(newName)
            key("op"); string(op)
            key("volume"); string(volume)
        case .createRelationship(let source, let destination, let type, let mode, let group):
            key("destination"); string(destination)
            if let group { key("group"); string(group) }
            key("mode"); string(mode.rawValue)
            key("op"); string(op)
            key("source"); string(source)
            key("type"); string(type.rawValue)
        case .initializeRelationship(let destination), .resyncRelationship(let destination):
            key("destination"); string(destination)
            key("op"); string(op)
        case .updateRelationship(let destination, let transfer, let drop):
            key("destination"); string(destination)
            key("drop"); strings(drop)
            key("op"); string(op)
            key("transfer"); strings(transfer)
        case .createClone(let name, let volume, let snapshot, let host):
            if let host { key("host"); string(host) }
            key("name"); string(name)
            key("op"); string(op)
            key("snapshot"); string(snapshot)
            key("volume"); string(volume)
        }
        endObject()
    }
}
