import Foundation
import Testing

/// Runs the built `flashplan` executable the way a user does, for end-to-end tests.
///
/// The executable is found next to the test bundle: SwiftPM puts both in the same
/// products directory (`.build/debug/`). Set `FLASHPLAN_BINARY` to test another build.
///
///     let run = try FlashPlanBinary.run(["validate", "--config", "policies"], in: Repository.root)
///     #expect(run.exitCode == 0)
enum FlashPlanBinary {
    /// What one run printed and how it ended.
    struct Result: Sendable, CustomStringConvertible {
        var arguments: [String]
        var stdout: String
        var stderr: String
        var exitCode: Int32

        var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLastIfEmpty() }
        var stderrLines: [String] { stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLastIfEmpty() }

        var description: String {
            "flashplan \(arguments.joined(separator: " ")) -> exit \(exitCode)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)"
        }
    }

    struct NotFound: Error, CustomStringConvertible {
        var searched: [String]
        var description: String {
            "the flashplan executable was not found next to the test bundle (searched \(searched.joined(separator: ", "))); "
                + "build it with `swift build`, or set FLASHPLAN_BINARY"
        }
    }

    struct TimedOut: Error, CustomStringConvertible {
        var arguments: [String]
        var seconds: TimeInterval
        var description: String { "flashplan \(arguments.joined(separator: " ")) did not finish within \(Int(seconds)) s" }
    }

    /// The executable: `FLASHPLAN_BINARY`, or the first `flashplan` found walking up from the test bundle.
    static func locate() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["FLASHPLAN_BINARY"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        var starts: [URL] = [Bundle.main.bundleURL]
        if let executable = Bundle.main.executableURL { starts.append(executable.deletingLastPathComponent()) }
        if let first = CommandLine.arguments.first {
            starts.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        var searched: [String] = []
        for start in starts {
            var directory = start.standardizedFileURL
            for _ in 0..<6 {
                let candidate = directory.appendingPathComponent("flashplan")
                searched.append(directory.path)
                if isExecutableFile(candidate) { return candidate }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        throw NotFound(searched: searched)
    }

    private static func isExecutableFile(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: url.path)
    }

    /// Runs `flashplan arguments…` in `directory` (default: the repository root), with no
    /// standard input. `environment` is added to this process's environment; a value of
    /// nil removes the variable. Output goes through temporary files, so large output
    /// cannot block the child. `executable` runs another program the same way (a shell
    /// running a documented example with flashplan on its PATH).
    static func run(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String?] = [:],
        timeout: TimeInterval = 120, executable: URL? = nil
    ) throws -> Result {
        let executable = try executable ?? locate()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("flashplan-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        // A file that could not be created makes FileHandle throw on the next line.
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? Repository.root
        var env = ProcessInfo.processInfo.environment
        // A developer's own settings must not leak into the tests.
        for key in ["FLASHPLAN_CONFIG", "FLASHPLAN_STATE"] { env[key] = nil }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err

        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            _ = finished.wait(timeout: .now() + 5)
            throw TimedOut(arguments: arguments, seconds: timeout)
        }
        try out.close()
        try err.close()
        return Result(
            arguments: arguments,
            stdout: try String(contentsOf: outURL, encoding: .utf8),
            stderr: try String(contentsOf: errURL, encoding: .utf8),
            exitCode: process.terminationStatus)
    }
}

/// Places in the source tree.
enum Repository {
    /// The checkout: two levels above `Tests/EndToEndTests/`.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}

/// A temporary directory for one test, removed when the test is done with it.
///
///     let dir = try ScratchDirectory(files: ["policies/a.yaml": "hosts: {}\n"])
///     defer { dir.remove() }
struct ScratchDirectory: Sendable {
    let url: URL

    init(files: [String: String] = [:]) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("flashplan-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (path, text) in files { try write(path, text) }
    }

    var path: String { url.path }

    func write(_ relative: String, _ text: String) throws {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

extension Array where Element == String {
    fileprivate func dropLastIfEmpty() -> [String] { last == "" ? Array(dropLast()) : self }
}
