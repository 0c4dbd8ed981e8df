import FlashPlanModel
import Foundation

/// The JSON Schema (2020-12) of the configuration language, generated from `Language`
/// so that editors and CI see exactly what the decoder accepts.
public enum ConfigurationSchema {
    public static let id = "https://flashplan.dev/schemas/flashplan.schema.json"

    /// The schema as pretty-printed JSON with sorted keys, ending in a newline.
    public static func json() -> String {
        var root = schema(for: .object(Language.file), description: "A flashplan configuration file (all files of the directory are merged).")
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        root["$id"] = id
        root["title"] = "flashplan configuration"
        let data = try! JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func schema(for kind: ValueKind, description: String? = nil, defaultValue: String? = nil) -> [String: Any] {
        var s: [String: Any]
        switch kind {
        case .string:
            s = ["type": "string"]
        case .name:
            s = ["type": "string", "pattern": Language.namePattern]
        case .bool:
            s = ["type": "boolean"]
        case .integer(let range):
            s = ["type": "integer", "minimum": range.lowerBound, "maximum": range.upperBound]
        case .size:
            s = ["type": "string", "pattern": "^[0-9]+(\\.[0-9]+)? ?(B|KB|MB|GB|TB|PB|KiB|MiB|GiB|TiB|PiB)$"]
        case .percentage:
            s = ["type": "string", "pattern": "^[0-9]+(\\.[0-9]+)? ?%$"]
        case .oneOf(let values):
            s = ["type": "string", "enum": values]
        case .list(let element):
            s = ["type": ["array", "null"], "items": schema(for: element)]
        case .object(let fields):
            var properties: [String: Any] = [:]
            for field in fields {
                properties[field.key] = schema(for: field.kind, description: field.summary, defaultValue: field.defaultValue)
            }
            let required = fields.filter(\.required).map(\.key)
            s = ["type": required.isEmpty ? ["object", "null"] : ["object"], "additionalProperties": false, "properties": properties]
            if !required.isEmpty { s["required"] = required }
        case .nameMap(let value):
            s = [
                "type": ["object", "null"], "propertyNames": ["pattern": Language.namePattern],
                "additionalProperties": schema(for: value),
            ]
        case .retention:
            s = [
                "type": "object",
                "oneOf": [
                    [
                        "additionalProperties": false, "required": ["count"],
                        "properties": ["count": ["type": "integer", "minimum": Retention.countRange.lowerBound, "maximum": Retention.countRange.upperBound]],
                    ],
                    [
                        "additionalProperties": false, "required": ["days"],
                        "properties": ["days": ["type": "integer", "minimum": Retention.daysRange.lowerBound, "maximum": Retention.daysRange.upperBound]],
                    ],
                ],
            ]
        }
        if let description { s["description"] = description }
        if let defaultValue { s["x-default"] = defaultValue }
        return s
    }
}
