import Foundation

/// Plan files: the plan JSON, written atomically (temporary file + rename).
public enum PlanFile {
    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func write(_ plan: Plan, to path: String) throws {
        let data = Data(try PlanJSONRenderer.render(plan).utf8)
        try AtomicFile.write(data, to: path, option: "--out")
    }

    public static func read(_ path: String) throws -> Plan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadError(description: "\(path): cannot read the plan file")
        }
        do {
            let plan = try PlanJSONRenderer.decode(data)
            guard plan.formatVersion == Plan.currentFormatVersion else {
                throw ReadError(description: "\(path): plan format_version \(plan.formatVersion) is not supported (expected \(Plan.currentFormatVersion))")
            }
            return plan
        } catch let error as ReadError {
            throw error
        } catch {
            throw ReadError(description: "\(path): not a flashplan plan file (\(error))")
        }
    }
}
