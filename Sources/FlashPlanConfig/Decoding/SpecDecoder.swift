import FlashPlanModel
import Yams

/// Checks one YAML document against the language and turns it into `ConfigValue`s,
/// reporting every mismatch (unknown keys, wrong types, bad units, names) as it goes.
struct SpecDecoder {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String) { self.file = file }

    func location(_ node: Node) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// Decodes a whole file; nil when its top level is not a mapping.
    mutating func decodeFile(_ root: Node) -> ConfigValue? {
        if isNull(root) { return ConfigValue(content: .mapping([]), location: location(root)) }
        return decode(root, as: .object(Language.file), key: "file")
    }

    mutating func decode(_ node: Node, as kind: ValueKind, key: String) -> ConfigValue? {
        let here = location(node)
        if case .alias = node { return nil }
        switch kind {
        case .object(let fields):
            return decodeObject(node, fields: fields, key: key)
        case .nameMap(let valueKind):
            return decodeNameMap(node, valueKind: valueKind, key: key)
        case .list(let elementKind):
            guard case .sequence(let sequence) = node else {
                if isNull(node) { return ConfigValue(content: .list([]), location: here) }
                diagnostics.append(.wrongType(key, expected: "a list", found: describe(node), at: here))
                return nil
            }
            let values = sequence.compactMap { decode($0, as: elementKind, key: key) }
            return ConfigValue(content: .list(values), location: here)
        case .retention:
            return decodeRetention(node, key: key)
        default:
            guard case .scalar(let scalar) = node, !isNull(node) else {
                diagnostics.append(.wrongType(key, expected: kind.typeName, found: describe(node), at: here))
                return nil
            }
            return decodeScalar(scalar.string, plain: scalar.style == .plain, as: kind, key: key, at: here)
        }
    }

    private mutating func decodeScalar(_ text: String, plain: Bool, as kind: ValueKind, key: String, at here: SourceLocation) -> ConfigValue? {
        func value(_ content: ConfigValue.Content) -> ConfigValue { ConfigValue(content: content, location: here) }
        switch kind {
        case .string:
            var result = value(.string(text))
            result.quoted = !plain
            return result
        case .name:
            guard Language.isValidName(text) else {
                diagnostics.append(.invalidName(text, at: here))
                return nil
            }
            return value(.string(text))
        case .bool:
            switch text.lowercased() {
            case "true" where plain: return value(.bool(true))
            case "false" where plain: return value(.bool(false))
            default:
                diagnostics.append(.wrongType(key, expected: kind.typeName, found: "'\(text)'", at: here))
                return nil
            }
        case .integer(let range):
            guard plain, let number = Int(text) else {
                diagnostics.append(.wrongType(key, expected: kind.typeName, found: "'\(text)'", at: here))
                return nil
            }
            if key == "version", number != 1 {
                diagnostics.append(.unsupportedVersion(number, at: here))
                return nil
            }
            guard range.contains(number) else {
                diagnostics.append(.outOfRange(number, key: key, range: range, at: here))
                return nil
            }
            return value(.integer(number))
        case .size:
            guard Language.isNumber(text, withUnitIn: Language.sizeUnits), let size = ByteCount(parsing: text) else {
                diagnostics.append(.invalidSize(text, key: key, at: here))
                return nil
            }
            return value(.size(size))
        case .percentage:
            guard Language.isNumber(text, withUnitIn: ["%"]), let percentage = Percentage(parsing: text) else {
                diagnostics.append(.invalidPercentage(text, key: key, at: here))
                return nil
            }
            return value(.percentage(percentage))
        case .oneOf(let choices):
            guard choices.contains(text) else {
                diagnostics.append(.invalidChoice(text, key: key, choices: choices, at: here))
                return nil
            }
            return value(.string(text))
        case .list, .object, .nameMap, .retention:
            return nil
        }
    }

    private mutating func pairs(_ node: Node, key: String) -> [(Node, Node)]? {
        guard case .mapping(let mapping) = node else {
            if isNull(node) { return [] }
            diagnostics.append(.wrongType(key, expected: "a mapping", found: describe(node), at: location(node)))
            return nil
        }
        return Array(mapping).map { ($0.key, $0.value) }
    }

    private mutating func decodeObject(_ node: Node, fields: [Field], key: String) -> ConfigValue? {
        guard let pairs = pairs(node, key: key) else { return nil }
        var entries: [(key: String, keyLocation: SourceLocation, value: ConfigValue)] = []
        var seen: Set<String> = []
        for (keyNode, valueNode) in pairs {
            let keyText = keyNode.string ?? ""
            let keyLocation = location(keyNode)
            guard let field = fields.first(where: { $0.key == keyText }) else {
                diagnostics.append(.unknownKey(keyText, at: keyLocation, allowed: fields.map(\.key)))
                continue
            }
            guard seen.insert(keyText).inserted else {
                diagnostics.append(.duplicateKey(keyText, at: keyLocation))
                continue
            }
            if let value = decode(valueNode, as: field.kind, key: keyText) {
                entries.append((keyText, keyLocation, value))
            }
        }
        for field in fields where field.required && !seen.contains(field.key) {
            diagnostics.append(.missingKey(field.key, in: "'\(key)'", at: location(node)))
        }
        return ConfigValue(content: .mapping(entries), location: location(node))
    }

    private mutating func decodeNameMap(_ node: Node, valueKind: ValueKind, key: String) -> ConfigValue? {
        guard let pairs = pairs(node, key: key) else { return nil }
        var entries: [(key: String, keyLocation: SourceLocation, value: ConfigValue)] = []
        var seen: Set<String> = []
        for (keyNode, valueNode) in pairs {
            let name = keyNode.string ?? ""
            let keyLocation = location(keyNode)
            guard Language.isValidName(name) else {
                diagnostics.append(.invalidName(name, at: keyLocation))
                continue
            }
            guard seen.insert(name).inserted else {
                diagnostics.append(.duplicateKey(name, at: keyLocation))
                continue
            }
            if let value = decode(valueNode, as: valueKind, key: name) {
                entries.append((name, keyLocation, value))
            }
        }
        return ConfigValue(content: .mapping(entries), location: location(node))
    }

    private mutating func decodeRetention(_ node: Node, key: String) -> ConfigValue? {
        let here = location(node)
        let fields = [Field("count", .integer(Int.min...Int.max), ""), Field("days", .integer(Int.min...Int.max), "")]
        guard let object = decodeObject(node, fields: fields, key: "retention") else { return nil }
        let count = object["count"], days = object["days"]
        // What was written, whether or not its value decoded (a bad value is reported already).
        let written = Set(node.mapping?.keys.compactMap(\.string) ?? [])
        if written.contains("count"), written.contains("days") {
            diagnostics.append(.retentionBoth(at: here))
            return nil
        }
        switch (count?.integer, days?.integer) {
        case (nil, nil):
            if !written.contains("count"), !written.contains("days") { diagnostics.append(.retentionMissing(at: here)) }
            return nil
        case (.some, .some):
            diagnostics.append(.retentionBoth(at: here))
            return nil
        case (let n?, nil):
            guard Retention.countRange.contains(n) else {
                diagnostics.append(.retentionRange("count", n, range: Retention.countRange, at: count!.location))
                return nil
            }
            return ConfigValue(content: .retention(.count(n)), location: here)
        case (nil, let d?):
            guard Retention.daysRange.contains(d) else {
                diagnostics.append(.retentionRange("days", d, range: Retention.daysRange, at: days!.location))
                return nil
            }
            return ConfigValue(content: .retention(.days(d)), location: here)
        }
    }

    private func isNull(_ node: Node) -> Bool {
        if case .scalar(let s) = node { return s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string) }
        return false
    }

    private func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): isNull(node) ? "nothing" : "'\(s.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}
