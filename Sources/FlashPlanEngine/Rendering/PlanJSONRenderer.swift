import Foundation

/// The plan as JSON (`--format json`, and plan files): `schemas/plan.schema.json`.
public enum PlanJSONRenderer {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    public static func render(_ plan: Plan) throws -> String {
        String(decoding: try encoder().encode(plan), as: UTF8.self) + "\n"
    }

    public static func decode(_ data: Data) throws -> Plan {
        try decoder().decode(Plan.self, from: data)
    }
}
