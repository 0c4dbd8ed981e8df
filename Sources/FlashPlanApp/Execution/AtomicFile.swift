import FlashPlanEngine
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An output flashplan cannot write (`--out`, `--metrics-file`): which, what is wrong, how to fix it.
public struct OutputFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var option: String
    public var path: String
    public var what: String
    public var remedy: String

    public var description: String { "\(option) \(path) \(what). \(remedy)" }
}

/// Writes a file so that readers see the old content or the new, never half of it, and
/// so that a link an attacker planted is never written through.
///
/// flashplan runs as root from a timer, often into directories others can write to (a
/// node_exporter textfile directory, a CI workspace). So an output is written to a new
/// file under an unpredictable name beside it, opened `O_CREAT|O_EXCL|O_NOFOLLOW` (an
/// existing file or link of that name is never opened), its mode set on the descriptor
/// (`fchmod`), its bytes flushed (`fsync`), and then renamed into place. A symbolic link
/// at the output path itself is refused, never followed and never replaced: its target
/// stays as it was. The directory must already exist; flashplan does not create it.
public enum AtomicFile {
    /// The checks an output path passes before anything runs: an existing directory to
    /// write in, and no directory, link or special file where the output goes.
    public static func check(_ path: String, option: String) throws {
        func refuse(_ what: String, _ remedy: String) -> OutputFileError {
            OutputFileError(option: option, path: path, what: what, remedy: remedy)
        }
        guard !path.isEmpty else { throw refuse("is empty", "Name a file.") }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var info = stat()
        guard stat(directory, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            throw refuse("cannot be written: its directory \(directory) does not exist (\(reason))", "Create the directory first, or fix the path; flashplan does not create directories for its outputs.")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw refuse("cannot be written: \(directory) is not a directory", "Fix the path.")
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            let reason = String(cString: strerror(errno))
            throw refuse("cannot be written: its directory \(directory) is not writable (\(reason))", "Make the directory writable by this user, or choose another path.")
        }
        guard lstat(path, &info) == 0 else { return }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: throw refuse("is a directory", "Name a file, e.g. \(URL(fileURLWithPath: path).appendingPathComponent(option == "--out" ? "plan.json" : "flashplan.prom").path).")
        case S_IFLNK:
            throw refuse(
                "is a symbolic link; flashplan neither writes through nor replaces a link at an output (it could have been planted to make root overwrite another file)",
                "Remove the link, or give the real path.")
        default: throw refuse("is not a regular file (a device, pipe or socket)", "Name a regular file.")
        }
    }

    /// Writes `data` to `path`: temporary file (`O_EXCL|O_NOFOLLOW`, mode set with
    /// `fchmod`), `fsync`, rename. `permissions` default to 0644.
    public static func write(_ data: Data, to path: String, permissions: Int? = nil, option: String = "output") throws {
        try check(path, option: option)
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let mode = mode_t(permissions ?? 0o644)
        func failed(_ step: String, _ code: Int32) -> OutputFileError {
            OutputFileError(
                option: option, path: path, what: "could not be written (\(step): \(String(cString: strerror(code))))",
                remedy: code == ENOSPC || code == EDQUOT ? "Free space on the file system holding it; the previous file, if any, is unchanged." : "Check the directory \(directory); the previous file, if any, is unchanged.")
        }
        var temporary = ""
        var fd: Int32 = -1
        for _ in 0..<16 {
            let suffix = String((0..<12).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
            temporary = directory + "/." + url.lastPathComponent + ".tmp-" + suffix
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw failed("creating a temporary file beside it", errno) }
        var closed = false
        defer { if !closed { close(fd) } }
        do {
            guard fchmod(fd, mode) == 0 else { throw failed("fchmod", errno) }
            try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
                var offset = 0
                while offset < buffer.count {
                    let n = posixWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw failed("write", errno)
                    }
                    offset += n
                }
            }
            guard fsync(fd) == 0 else { throw failed("fsync", errno) }
            closed = true
            guard close(fd) == 0 else { throw failed("close", errno) }
            // Checked again just before the rename: a link planted since the first check is
            // refused too (rename would replace the link itself, never write to its target).
            try check(path, option: option)
            guard rename(temporary, path) == 0 else { throw failed("rename into place", errno) }
        } catch {
            unlink(temporary)
            throw error
        }
    }
}

/// `write(2)` (inside `AtomicFile` the name is its own method).
private func posixWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
