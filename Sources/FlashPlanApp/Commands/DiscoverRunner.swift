import FlashPlanConfig
import FlashPlanEngine
import FlashPlanModel
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `flashplan discover` was asked to do.
public struct DiscoverRequest: Sendable {
    public var configDirectory: String
    public var statePath: String
    public var now: Date
    /// Write one file per kind and per group into this directory instead of printing.
    public var out: String?

    public init(configDirectory: String, statePath: String, now: Date, out: String? = nil) {
        self.configDirectory = configDirectory
        self.statePath = statePath
        self.now = now
        self.out = out
    }
}

/// `flashplan discover`: YAML for what the storage holds but the configuration does not
/// declare (DESIGN §7), which `validate` accepts and whose plan adopts what exists.
///
/// Reads only: the state is opened read-only by `open` (a missing one is an error, never
/// created) and the configuration is loaded to know what it already declares. With
/// `out`, every file is checked before any is written: an existing file or link of one
/// of their names refuses them all, so nothing is overwritten and nothing half-written.
public enum DiscoverRunner {
    public static func run(_ request: DiscoverRequest, open: (String) throws -> StateSession) throws -> CommandOutcome {
        if let out = request.out, let problem = checkDirectory(out) {
            return CommandOutcome(stderr: "Error: --out \(Escaping.escape(out)) \(problem) Nothing was written.", exitCode: 1)
        }
        let loaded = try Validation.loadConfiguration(directory: request.configDirectory, strict: false)
        guard !loaded.hasErrors else {
            return CommandOutcome(
                stderr: loaded.renderer.render(loaded.diagnostics)
                    + "\nThe configuration has errors; discover needs a valid one to know what it declares. Nothing was written.",
                exitCode: 1)
        }
        let session = try open(request.statePath)
        let observed = try session.backend.observe(at: request.now)
        let fragment = Discovery(observed: observed, configuration: loaded.configuration, isValidName: Language.isValidName).discover()
        let heading = [
            "Discovered by `flashplan discover` from the state \(request.statePath) at \(request.now.iso8601):",
            "what the storage holds that the configuration in \(request.configDirectory) does not declare.",
            "Review it, add it to the configuration, then check with `flashplan validate` and `flashplan plan`.",
        ]
        var notes = fragment.warnings.map { "warning: " + Escaping.escape($0) }
        let summary = fragment.summary
        guard let out = request.out else {
            notes.append(fragment.isEmpty ? "Nothing to discover: the configuration declares everything the storage holds." : "Discovered \(summary).")
            return CommandOutcome(stdout: try ConfigurationWriter.document(fragment, heading: heading), stderr: notes.joined(separator: "\n"))
        }
        guard !fragment.isEmpty else {
            notes.append("Nothing to discover: the configuration declares everything the storage holds. Nothing was written.")
            return CommandOutcome(stderr: notes.joined(separator: "\n"))
        }
        let files = try ConfigurationWriter.files(fragment, heading: heading)
        let directory = URL(fileURLWithPath: out)
        let paths = files.map { directory.appendingPathComponent($0.name).path }
        let taken = paths.filter { exists($0) }
        guard taken.isEmpty else {
            let list = taken.map(Escaping.escape).joined(separator: ", ")
            notes.append("Error: --out \(Escaping.escape(out)): \(list) already exist\(taken.count == 1 ? "s" : ""); discover never overwrites a file. Choose an empty directory, or move them away. Nothing was written.")
            return CommandOutcome(stderr: notes.joined(separator: "\n"), exitCode: 1)
        }
        for (file, path) in zip(files, paths) {
            // Checked again right before each write: a file or link planted since is refused, not replaced.
            if exists(path) {
                notes.append("Error: --out \(Escaping.escape(path)) appeared while discover was writing; it was left as it is. Files written before it: \(paths.prefix { $0 != path }.map(Escaping.escape).joined(separator: ", ")).")
                return CommandOutcome(stderr: notes.joined(separator: "\n"), exitCode: 1)
            }
            try AtomicFile.write(Data(file.text.utf8), to: path, option: "--out")
        }
        notes.append("Discovered \(summary); wrote \(files.count) file\(files.count == 1 ? "" : "s") to \(Escaping.escape(out)): \(files.map { Escaping.escape($0.name) }.joined(separator: ", ")).")
        return CommandOutcome(stderr: notes.joined(separator: "\n"))
    }

    /// Why `path` cannot take discover's files, or nil: it must be an existing directory,
    /// writable, and not a symbolic link (flashplan never writes through one).
    static func checkDirectory(_ path: String) -> String? {
        var info = stat()
        guard !path.isEmpty else { return "is empty: name a directory." }
        guard lstat(path, &info) == 0 else {
            return "does not exist (\(String(cString: strerror(errno)))): create the directory first; flashplan does not create directories for its outputs."
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: break
        case S_IFLNK:
            return "is a symbolic link; flashplan never writes through one (it could have been planted to make root write elsewhere): give the real path."
        default: return "is not a directory: name a directory to write the files into."
        }
        guard access(path, W_OK | X_OK) == 0 else {
            return "is not writable (\(String(cString: strerror(errno)))): make it writable by this user, or choose another directory."
        }
        return nil
    }

    /// Whether anything (a file, a directory, a link, even a dangling one) has this name.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }
}
