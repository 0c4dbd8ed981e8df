import FlashPlanEngine
import Foundation

/// Plan files: the plan JSON, written atomically (temporary file + rename).
public enum PlanFile {
    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func write(_ plan: Plan, to path: String) throws {
        try AtomicFile.write(try PlanJSONRenderer.renderData(plan), to: path, option: "--out")
    }

    /// Writes plan JSON already rendered (`plan --format json --out FILE` renders it once).
    public static func write(json: Data, to path: String) throws {
        try AtomicFile.write(json, to: path, option: "--out")
    }

    /// Reads a plan file of the current `format_version`; any other version (older,
    /// newer, or none) is refused with what to do about it.
    public static func read(_ path: String) throws -> Plan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadError(description: "\(path): cannot read the plan file")
        }
        let plan: Plan
        do {
            plan = try PlanJSONRenderer.decode(data)
        } catch {
            // A plan of another format does not decode as this one: say so rather than what failed.
            if let version = formatVersion(of: data), version != .some(Plan.currentFormatVersion) {
                throw versionError(path, version)
            }
            throw ReadError(description: "\(path): not a flashplan plan file (\(error))")
        }
        guard plan.formatVersion == Plan.currentFormatVersion else { throw versionError(path, plan.formatVersion) }
        return plan
    }

    /// The file's `format_version`: nil when the file is not a JSON object; `.some(nil)`
    /// when it is one without a (numeric) `format_version`.
    static func formatVersion(of data: Data) -> Int?? {
        struct Probe: Decodable {
            var formatVersion: Int?
            enum CodingKeys: String, CodingKey { case formatVersion = "format_version" }
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                formatVersion = try? container.decodeIfPresent(Int.self, forKey: .formatVersion)
            }
        }
        guard let probe = try? JSONDecoder().decode(Probe.self, from: data) else { return nil }
        return .some(probe.formatVersion)
    }

    static func versionError(_ path: String, _ version: Int?) -> ReadError {
        let found = version.map { "plan format_version \($0)" } ?? "no format_version"
        let age = version.map { $0 < Plan.currentFormatVersion ? " (an older flashplan made it)" : " (a newer flashplan made it)" } ?? ""
        return ReadError(description: """
            \(path): the file has \(found)\(age); this flashplan reads plan format_version \(Plan.currentFormatVersion) only. \
            Make the plan again with this flashplan (`flashplan plan --out \(path)`) and apply that file.
            """)
    }
}
