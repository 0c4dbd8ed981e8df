import Foundation

/// Plan files: the plan JSON, written atomically (temporary file + rename).
public enum PlanFile {
    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func write(_ plan: Plan, to path: String) throws {
        let data = Data(try PlanJSONRenderer.render(plan).utf8)
        try AtomicFile.write(data, to: path)
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

/// Writes a file so that readers see the old content or the new, never half of it.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String, permissions: Int? = nil) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        try data.write(to: temporary)
        if let permissions {
            try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: temporary.path)
        }
        if rename(temporary.path, url.path) != 0 {
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
