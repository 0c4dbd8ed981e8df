import FlashPlanModel

/// A configuration value that has been checked against the language, with its location.
///
/// Built by `SpecDecoder`; `ConfigurationBuilder` reads it without checking types again.
struct ConfigValue: Sendable {
    enum Content: Sendable {
        case string(String)
        case bool(Bool)
        case integer(Int)
        case size(ByteCount)
        case percentage(Percentage)
        case retention(Retention)
        case list([ConfigValue])
        /// Keys in the order written, with the location of each key.
        case mapping([(key: String, keyLocation: SourceLocation, value: ConfigValue)])
        case null
    }

    var content: Content
    var location: SourceLocation
    /// The scalar was written in quotes: its text starts one column after `location`.
    var quoted = false
    /// The text stands in the source as written, on one line: the character at offset n
    /// of the text is at `location`'s column + n (+1 when `quoted`).
    var verbatim = false
    /// A whole number as written when it does not fit 64 bits (`content` holds it clamped).
    var written: String?

    var string: String? { if case .string(let s) = content { s } else { nil } }
    var bool: Bool? { if case .bool(let b) = content { b } else { nil } }
    var integer: Int? { if case .integer(let i) = content { i } else { nil } }
    var size: ByteCount? { if case .size(let s) = content { s } else { nil } }
    var percentage: Percentage? { if case .percentage(let p) = content { p } else { nil } }
    var retention: Retention? { if case .retention(let r) = content { r } else { nil } }
    var list: [ConfigValue] { if case .list(let l) = content { l } else { [] } }
    var entries: [(key: String, keyLocation: SourceLocation, value: ConfigValue)] {
        if case .mapping(let m) = content { m } else { [] }
    }

    subscript(key: String) -> ConfigValue? { entries.first { $0.key == key }?.value }

    /// Key → location of its value, for `FieldLocations`.
    func fieldLocations(name: SourceLocation) -> FieldLocations {
        FieldLocations(name: name, fields: Dictionary(entries.map { ($0.key, $0.value.location) }, uniquingKeysWith: { a, _ in a }))
    }
}
