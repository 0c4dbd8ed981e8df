import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

// Helpers for the tests of DESIGN §6 "files are an attacker's target": the files beside
// a state as bytes and modes, planted links, mounts (tmpfs, read-only binds).

/// Every file of a directory (recursively) with its bytes and mode, to prove nothing changed.
struct DirectorySnapshot: Equatable, CustomStringConvertible {
    struct Entry: Equatable {
        var mode: UInt32
        var bytes: Data?
        var link: String?
    }

    var entries: [String: Entry] = [:]

    init(_ directory: URL, excluding: (String) -> Bool = { _ in false }) {
        let manager = FileManager.default
        let base = directory.path
        guard let enumerator = manager.enumerator(atPath: base) else { return }
        while let relative = enumerator.nextObject() as? String {
            if excluding(relative) { continue }
            let path = base + "/" + relative
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            var entry = Entry(mode: UInt32(info.st_mode), bytes: nil, link: nil)
            switch info.st_mode & S_IFMT {
            case S_IFREG: entry.bytes = manager.contents(atPath: path)
            case S_IFLNK: entry.link = try? manager.destinationOfSymbolicLink(atPath: path)
            default: break
            }
            entries[relative] = entry
        }
    }

    var description: String {
        entries.keys.sorted().map { key in
            let entry = entries[key]!
            return "\(key) mode \(String(entry.mode, radix: 8)) \(entry.bytes.map { "\($0.count) bytes" } ?? entry.link.map { "-> \($0)" } ?? "")"
        }.joined(separator: "\n")
    }
}

enum FileMode {
    /// The permission bits of `path` (not following a link).
    static func of(_ path: String) -> Int? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Int(info.st_mode & 0o7777)
    }

    static func set(_ path: String, _ mode: Int) { _ = chmod(path, mode_t(mode)) }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }
}

/// Mounts for the tests that need a file system of their own. Tests run as root here;
/// where mounting is not allowed (a container without CAP_SYS_ADMIN) they are skipped and
/// say why.
enum TestMount {
    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static var mountTool: String? {
        ["/usr/bin/mount", "/bin/mount"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A tmpfs of `size` (e.g. "6m") at `directory`; nil with the reason when it cannot be mounted.
    static func tmpfs(at directory: URL, size: String) -> String? {
        guard let tool = mountTool else { return "no mount(8) here" }
        guard getuid() == 0 else { return "not root: cannot mount a tmpfs" }
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let result = run(tool, ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", directory.path])
        return result.status == 0 ? nil : "mount -t tmpfs failed: \(result.output)"
    }

    /// `source` seen read-only at `target` (a read-only bind mount); nil with the reason when it cannot be mounted.
    static func readOnlyBind(_ source: URL, at target: URL) -> String? {
        guard let tool = mountTool else { return "no mount(8) here" }
        guard getuid() == 0 else { return "not root: cannot bind-mount" }
        try? FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        var result = run(tool, ["--bind", source.path, target.path])
        guard result.status == 0 else { return "mount --bind failed: \(result.output)" }
        result = run(tool, ["-o", "remount,ro,bind", target.path])
        guard result.status == 0 else {
            unmount(target)
            return "mount -o remount,ro,bind failed: \(result.output)"
        }
        return nil
    }

    static func unmount(_ directory: URL) {
        let tool = ["/usr/bin/umount", "/bin/umount"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/umount"
        run(tool, [directory.path])
    }
}

/// Configurations for the state-file tests: small, so that every run is quick.
enum SmallFleet {
    static let config = Fleets.twoArrays
    static let day1 = "2026-11-21T10:00:00Z"
    static let day2 = "2026-11-22T10:00:00Z"
    static let day3 = "2026-11-23T10:00:00Z"
}

extension FlashPlanBinary.Result {
    /// Standard output and standard error together, for messages that may go to either.
    var output: String { stdout + stderr }
}
