import FlashPlanModel

/// Checks one YAML document against the language and turns it into `ConfigValue`s,
/// reporting every mismatch (unknown keys, wrong types, bad units, names) as it goes.
struct SpecDecoder {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String) { self.file = file }

    func location(_ node: YAMLNode) -> SourceLocation {
        SourceLocation(file: file, line: node.line, column: node.column)
    }

    /// Decodes a whole file; nil when its top level is not a mapping.
    mutating func decodeFile(_ root: YAMLNode) -> ConfigValue? {
        if isNull(root) { return ConfigValue(content: .mapping([]), location: location(root)) }
        return decode(root, as: .object(Language.file), key: "file")
    }

    mutating func decode(_ node: YAMLNode, as kind: ValueKind, key: String) -> ConfigValue? {
        let here = location(node)
        if let tag = node.tag, !Self.tag(tag, fits: kind, node: node) {
            diagnostics.append(.unsupportedTag(Self.shortTag(tag), key: key, expected: kind.typeName, at: here))
            return nil
        }
        switch kind {
        case .object(let fields):
            return decodeObject(node, fields: fields, key: key)
        case .nameMap(let valueKind):
            return decodeNameMap(node, valueKind: valueKind, key: key)
        case .list(let elementKind):
            guard case .sequence(let sequence) = node.content else {
                if isNull(node) { return ConfigValue(content: .list([]), location: here) }
                diagnostics.append(.wrongType(key, expected: "a list", found: describe(node), at: here))
                return nil
            }
            let values = sequence.compactMap { decode($0, as: elementKind, key: key) }
            return ConfigValue(content: .list(values), location: here)
        case .retention:
            return decodeRetention(node, key: key)
        default:
            guard case .scalar(let text, let plain) = node.content, !isNull(node) else {
                diagnostics.append(.wrongType(key, expected: kind.typeName, found: describe(node), at: here))
                return nil
            }
            var value = decodeScalar(text, plain: plain, as: kind, key: key, at: here)
            value?.verbatim = node.verbatim
            return value
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
            // Digits beyond Int are out of range, not "not a number": clamped, then refused by the range.
            let digits = text.first == "-" ? text.dropFirst() : Substring(text)
            let clamped = !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
                ? (text.first == "-" ? Int.min : Int.max) : nil
            guard plain, let number = Int(text) ?? clamped else {
                diagnostics.append(.wrongType(key, expected: kind.typeName, found: "'\(text)'", at: here))
                return nil
            }
            if key == "version", number != 1 {
                diagnostics.append(.unsupportedVersion(Int(text) == nil ? text : "\(number)", at: here))
                return nil
            }
            guard range.contains(number) else {
                diagnostics.append(.outOfRange(Int(text) == nil ? text : "\(number)", key: key, range: range, at: here))
                return nil
            }
            var result = value(.integer(number))
            if Int(text) == nil { result.written = text }
            return result
        case .size:
            guard Language.isNumber(text, withUnitIn: Language.sizeUnits) else {
                diagnostics.append(.invalidSize(text, key: key, at: here))
                return nil
            }
            guard let size = ByteCount(parsing: text), size.bytes <= Limits.maximumSize else {
                diagnostics.append(.sizeTooLarge(text, key: key, at: here))
                return nil
            }
            return value(.size(size))
        case .percentage:
            guard Language.isNumber(text, withUnitIn: ["%"]), let percentage = Percentage(parsing: text) else {
                diagnostics.append(.invalidPercentage(text, key: key, at: here))
                return nil
            }
            let range = Language.percentageRanges[key] ?? 0...100
            guard range.contains(percentage.value) else {
                diagnostics.append(.percentageOutOfRange(text, key: key, range: range, at: here))
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

    private mutating func pairs(_ node: YAMLNode, key: String) -> [(YAMLNode, YAMLNode)]? {
        guard case .mapping(let mapping) = node.content else {
            if isNull(node) { return [] }
            diagnostics.append(.wrongType(key, expected: "a mapping", found: describe(node), at: location(node)))
            return nil
        }
        return mapping.map { ($0.key, $0.value) }
    }

    /// The text of a key, or nil (reported) when the key is not a plain string.
    private mutating func keyText(_ keyNode: YAMLNode) -> String? {
        if let tag = keyNode.tag, !Self.tag(tag, fits: .string, node: keyNode) {
            diagnostics.append(.unsupportedTag(Self.shortTag(tag), key: "a key", expected: "a string", at: location(keyNode)))
            return nil
        }
        guard let text = keyNode.string else {
            diagnostics.append(.wrongType("a key", expected: "a string", found: describe(keyNode), at: location(keyNode)))
            return nil
        }
        return text
    }

    static let coreTagPrefix = "tag:yaml.org,2002:"

    /// `!!str` for the core schema's tags, the tag as written otherwise.
    static func shortTag(_ tag: String) -> String {
        tag.hasPrefix(coreTagPrefix) ? "!!" + tag.dropFirst(coreTagPrefix.count) : tag
    }

    /// Only a core tag that says what the key's type and the node's shape say already.
    static func tag(_ tag: String, fits kind: ValueKind, node: YAMLNode) -> Bool {
        let expected: String?
        switch kind {
        case .string, .name, .oneOf: expected = "str"
        case .integer: expected = "int"
        case .bool: expected = "bool"
        case .list: expected = "seq"
        case .object, .nameMap, .retention: expected = "map"
        case .size, .percentage: expected = nil
        }
        guard let expected, tag == coreTagPrefix + expected else { return false }
        switch node.content {
        case .scalar: return ["str", "int", "bool"].contains(expected)
        case .sequence: return expected == "seq"
        case .mapping: return expected == "map"
        }
    }

    private mutating func decodeObject(_ node: YAMLNode, fields: [Field], key: String) -> ConfigValue? {
        guard let pairs = pairs(node, key: key) else { return nil }
        var entries: [(key: String, keyLocation: SourceLocation, value: ConfigValue)] = []
        var seen: [String: SourceLocation] = [:]
        for (keyNode, valueNode) in pairs {
            guard let keyText = keyText(keyNode) else { continue }
            let keyLocation = location(keyNode)
            if let first = seen[keyText] {
                // Every repeat is reported where it is. A repeated section still declares
                // its new names, so that references to them are not reported as unknown.
                diagnostics.append(.duplicateKey(keyText, at: keyLocation, first: first))
                if let field = fields.first(where: { $0.key == keyText }), case .nameMap = field.kind,
                    let index = entries.firstIndex(where: { $0.key == keyText }),
                    let more = decode(valueNode, as: field.kind, key: keyText)
                {
                    let known = Set(entries[index].value.entries.map(\.key))
                    if case .mapping(var merged) = entries[index].value.content {
                        merged += more.entries.filter { !known.contains($0.key) }
                        entries[index].value.content = .mapping(merged)
                    }
                }
                continue
            }
            guard let field = fields.first(where: { $0.key == keyText }) else {
                diagnostics.append(.unknownKey(keyText, at: keyLocation, allowed: fields.map(\.key)))
                continue
            }
            seen[keyText] = keyLocation
            if let value = decode(valueNode, as: field.kind, key: keyText) {
                entries.append((keyText, keyLocation, value))
            }
        }
        for field in fields where field.required && seen[field.key] == nil {
            diagnostics.append(.missingKey(field.key, in: "'\(key)'", at: location(node)))
        }
        return ConfigValue(content: .mapping(entries), location: location(node))
    }

    private mutating func decodeNameMap(_ node: YAMLNode, valueKind: ValueKind, key: String) -> ConfigValue? {
        guard let pairs = pairs(node, key: key) else { return nil }
        var entries: [(key: String, keyLocation: SourceLocation, value: ConfigValue)] = []
        var seen: [String: SourceLocation] = [:]
        for (keyNode, valueNode) in pairs {
            guard let name = keyText(keyNode) else { continue }
            let keyLocation = location(keyNode)
            guard Language.isValidName(name) else {
                diagnostics.append(.invalidName(name, at: keyLocation))
                continue
            }
            if let first = seen[name] {
                diagnostics.append(.duplicateKey(name, at: keyLocation, first: first))
                continue
            }
            seen[name] = keyLocation
            if let value = decode(valueNode, as: valueKind, key: name) {
                entries.append((name, keyLocation, value))
            }
        }
        return ConfigValue(content: .mapping(entries), location: location(node))
    }

    private mutating func decodeRetention(_ node: YAMLNode, key: String) -> ConfigValue? {
        let here = location(node)
        let fields = [Field("count", .integer(Int.min...Int.max), ""), Field("days", .integer(Int.min...Int.max), "")]
        guard let object = decodeObject(node, fields: fields, key: "retention") else { return nil }
        let count = object["count"], days = object["days"]
        // What was written, whether or not its value decoded (a bad value is reported already).
        var written: Set<String> = []
        if case .mapping(let pairs) = node.content { for (k, _) in pairs { if let s = k.string { written.insert(s) } } }
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
                diagnostics.append(.retentionRange("count", count!.written ?? "\(n)", range: Retention.countRange, at: count!.location))
                return nil
            }
            return ConfigValue(content: .retention(.count(n)), location: here)
        case (nil, let d?):
            guard Retention.daysRange.contains(d) else {
                diagnostics.append(.retentionRange("days", days!.written ?? "\(d)", range: Retention.daysRange, at: days!.location))
                return nil
            }
            return ConfigValue(content: .retention(.days(d)), location: here)
        }
    }

    private func isNull(_ node: YAMLNode) -> Bool { node.isNull }

    private func describe(_ node: YAMLNode) -> String {
        switch node.content {
        case .scalar(let s, _): isNull(node) ? "nothing" : "'\(s.count > 60 ? s.prefix(60) + "…" : Substring(s))'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }
}
