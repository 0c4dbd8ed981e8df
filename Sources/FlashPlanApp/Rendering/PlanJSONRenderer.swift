import FlashPlanEngine
import Foundation

/// The plan as JSON (`--format json`, and plan files): `schemas/plan.schema.json`.
///
/// Written by `PlanJSONWriter`, byte for byte what `encoder()` makes of the plan's
/// `Codable` form, in a fraction of the time; read back with `decoder()`.
public enum PlanJSONRenderer {
    /// The reference encoding: what `render` writes, far more slowly.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        // What the writer writes is read by arithmetic, anything else by the ISO 8601
        // parser of `.iso8601`: a plan file holds a date for every retention decision.
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = Date(iso8601: text) { return date }
            guard let date = try? Date.ISO8601FormatStyle().parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "Expected date string to be ISO8601-formatted.")
            }
            return date
        }
        return decoder
    }

    /// The plan JSON, ending in a newline.
    public static func render(_ plan: Plan) throws -> String {
        // Straight from the writer's bytes: one copy of a 35 MiB plan, not two.
        String(decoding: try written(plan).bytes, as: UTF8.self)
    }

    /// The plan JSON as UTF-8, ending in a newline: what a plan file holds.
    public static func renderData(_ plan: Plan) throws -> Data {
        try written(plan).data
    }

    private static func written(_ plan: Plan) throws -> PlanJSONWriter {
        // About 330 bytes a retention decision and 1 KiB an action.
        var writer = PlanJSONWriter(capacity: 4096 + plan.retention.count * 340 + plan.actions.count * 1024)
        try writer.write(plan)
        writer.newlineAtEnd()
        return writer
    }

    public static func decode(_ data: Data) throws -> Plan {
        try decoder().decode(Plan.self, from: data)
    }
}
