import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The checks a state file passes before SQLite opens it, and the creation of a new one.
///
/// The state is the only record of what the storage should hold, and flashplan runs as
/// root from a timer: its files are an attacker's target. So
/// - the state itself, and its `-wal`/`-shm` siblings, are never symbolic links (SQLite
///   would write through them) and must be regular files;
/// - a new state is built under an unpredictable temporary name (`O_CREAT|O_EXCL|
///   O_NOFOLLOW`, mode 0600 set on the descriptor), fully migrated, and only then linked
///   into place: a state is never seen half-made, and a 0-byte file is never one of ours;
/// - directories flashplan creates for it are 0700; an existing state opened for writing
///   (apply, sim) is brought to 0600 with its siblings (`fchmod` on an `O_NOFOLLOW`
///   descriptor); a read-only open changes nothing at all;
/// - a file that is empty, not SQLite, or shorter than its header says is refused with
///   its path, what is wrong and how to recover, before SQLite sees it.
enum StateFile {
    static let privateMode: mode_t = 0o600
    static let directoryMode: mode_t = 0o700

    static func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// The checks of an existing or missing state at `path`. Returns false when it does not exist.
    static func inspect(_ path: String, writing: Bool) throws -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return false }
            throw StateFileError(
                path: path, problem: .unreadable, what: "cannot be examined (\(errnoText(code)))",
                remedy: "Check that this user may read its directory.")
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR:
            throw StateFileError(
                path: path, problem: .directory, what: "is a directory, not a state file",
                remedy: "Point --state (or FLASHPLAN_STATE) at the database file, e.g. \(URL(fileURLWithPath: path).appendingPathComponent("state.db").path).")
        case S_IFLNK:
            throw StateFileError(
                path: path, problem: .symbolicLink,
                what: "is a symbolic link; flashplan does not follow links to its state (a planted link could make it write to another file)",
                remedy: "Give the real file with --state, or replace the link with the file itself.")
        default:
            throw StateFileError(
                path: path, problem: .notRegularFile, what: "is not a regular file (a device, pipe or socket)",
                remedy: "Point --state at the state database file.")
        }
        for suffix in ["-wal", "-shm"] {
            var sibling = stat()
            if lstat(path + suffix, &sibling) == 0, sibling.st_mode & S_IFMT != S_IFREG {
                throw StateFileError(
                    path: path, problem: .notRegularFile,
                    what: "has a \(suffix) file that is not a regular file (\(sibling.st_mode & S_IFMT == S_IFLNK ? "a symbolic link" : "a directory or device")): SQLite would write through it",
                    remedy: "Remove \(path + suffix) (after checking who put it there) and run again.")
            }
        }
        try checkContent(path, size: Int(info.st_size))
        if writing {
            try checkWritable(path)
            tighten(path)
            for suffix in ["-wal", "-shm"] { tighten(path + suffix) }
        }
        return true
    }

    /// Where a read-only connection opens the state. Normally the path itself: SQLite
    /// reads it `SQLITE_OPEN_READONLY`, taking the usual shared locks, so an apply running
    /// meanwhile is seen consistently; it may create the empty `-wal`/`-shm` files that any
    /// reader of a WAL database needs (with the state's owner and mode). On a read-only
    /// file system it cannot, and nothing can change the file either: then, and only when
    /// no WAL holds pages the database file lacks, the state is opened `immutable=1` (no
    /// locks, no -shm). `immutable` is never used elsewhere: on a writable file system
    /// another process could change the file under a reader that takes no locks.
    static func readOnlyLocation(_ path: String) -> String {
        var info = statvfs()
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard statvfs(directory, &info) == 0, info.f_flag & UInt(ST_RDONLY) != 0 else { return path }
        var wal = stat()
        if lstat(path + "-wal", &wal) == 0, wal.st_size > 0 { return path }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        return "file:" + (path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path) + "?immutable=1"
    }

    /// An empty file, a file that is not SQLite, or one shorter than its header says.
    static func checkContent(_ path: String, size: Int) throws {
        if size == 0 {
            throw StateFileError(
                path: path, problem: .empty,
                what: "is empty (0 bytes): it is not a flashplan state (flashplan never leaves an empty one; it was truncated or created by something else)",
                remedy: "\(StateFileError.restore); \(StateFileError.startOver).")
        }
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let code = errno
            throw StateFileError(
                path: path, problem: .unreadable, what: "cannot be read (\(errnoText(code)))",
                remedy: "Run as the user that owns it (usually root, as the timer does), or fix its permissions (chmod 600).")
        }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: 100)
        let n = pread(fd, &header, header.count, 0)
        let magic = Array("SQLite format 3\0".utf8)
        guard n >= 16, Array(header[0..<16]) == magic else {
            let start = String(decoding: header[0..<max(0, min(n, 16))], as: UTF8.self)
                .unicodeScalars.map { $0.value >= 32 && $0.value < 127 ? String($0) : "." }.joined()
            throw StateFileError(
                path: path, problem: .notADatabase,
                what: "is not a SQLite database (\(size) bytes starting with \"\(start)\"), so not a flashplan state",
                remedy: "Check that --state names the state file and not another one; otherwise \(StateFileError.restore.prefix(1).lowercased() + StateFileError.restore.dropFirst()); \(StateFileError.startOver).")
        }
        guard n >= 100 else {
            throw truncated(path, size: size, expected: nil)
        }
        var pageSize = Int(header[16]) << 8 | Int(header[17])
        if pageSize == 1 { pageSize = 65536 }
        let pages = Int(header[28]) << 24 | Int(header[29]) << 16 | Int(header[30]) << 8 | Int(header[31])
        let valid = header[24..<28] == header[92..<96] && pages > 0
        // With a non-empty WAL, a checkpoint cut short may have written page 1 (the new
        // page count) before the pages past the old end: SQLite finishes it from the WAL.
        var wal = stat()
        let walHoldsPages = lstat(path + "-wal", &wal) == 0 && wal.st_size > 0
        if pageSize < 512 || (!walHoldsPages && (size % pageSize != 0 || (valid && size < pages * pageSize))) {
            throw truncated(path, size: size, expected: valid ? pages * max(pageSize, 1) : nil)
        }
    }

    static func truncated(_ path: String, size: Int, expected: Int?) -> StateFileError {
        StateFileError(
            path: path, problem: .truncated,
            what: "is truncated: it holds \(size) bytes" + (expected.map { " where its header says \($0)" } ?? ", not whole database pages"),
            remedy: "A copy cut short (or one made while the disk was full) leaves such a file. \(StateFileError.restore); \(StateFileError.startOver).")
    }

    /// apply and sim write the state: its file and directory must be writable. For root
    /// only a read-only file system says no (root writes a 0400 file anyway).
    static func checkWritable(_ path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        for (target, name) in [(path, "it"), (directory, "its directory \(directory)")] where access(target, W_OK) != 0 {
            let code = errno
            throw StateFileError(
                path: path, problem: .notWritable,
                what: "cannot be written: \(name) is not writable (\(errnoText(code)))",
                remedy: "apply and sim write the state (and SQLite its -wal and -shm files beside it): run them as the user that owns it, make it writable (chmod 600 the file, 700 the directory) or the file system read-write; plan and state only read it.")
        }
    }

    /// Brings a file to 0600 when it is open to others, through an `O_NOFOLLOW` descriptor.
    static func tighten(_ path: String) {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_mode & 0o7177 != 0 else { return }
        _ = fchmod(fd, privateMode)
    }

    /// `mkdir -p` with 0700 for each directory it creates; existing ones are left alone.
    static func createDirectories(_ directory: String) throws {
        var info = stat()
        if stat(directory, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw StateFileError(
                    path: directory, problem: .notRegularFile, what: "should be the state's directory but is not a directory",
                    remedy: "Point --state at a file in an existing directory, or move that file away.")
            }
            return
        }
        let parent = URL(fileURLWithPath: directory).deletingLastPathComponent().path
        if parent != directory { try createDirectories(parent) }
        if mkdir(directory, directoryMode) != 0, errno != EEXIST {
            let code = errno
            throw StateFileError(
                path: directory, problem: .notWritable, what: "(the state's directory) cannot be created (\(errnoText(code)))",
                remedy: "Create it (mode 700) or choose another --state.")
        }
        // No chmod afterwards: the umask can only narrow 0700, and a chmod by path could
        // follow a link swapped in meanwhile.
    }

    /// An unpredictable name beside `path`, created with `O_CREAT|O_EXCL|O_NOFOLLOW`.
    static func createTemporary(beside path: String, mode: mode_t) throws -> (path: String, fd: Int32) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        for _ in 0..<16 {
            let suffix = (0..<12).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! }
            let candidate = directory + "/." + url.lastPathComponent + ".tmp-" + String(suffix)
            let fd = open(candidate, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            if fd >= 0 {
                _ = fchmod(fd, mode)
                return (candidate, fd)
            }
            if errno != EEXIST {
                let code = errno
                throw StateFileError(
                    path: path, problem: errno == ENOSPC ? .diskFull : .notWritable,
                    what: "cannot be created: \(candidate) could not be made (\(errnoText(code)))",
                    remedy: code == ENOSPC ? "Free space on the file system and run again." : "Check that this user may write \(directory).")
            }
        }
        throw StateFileError(
            path: path, problem: .notWritable, what: "cannot be created: no unused temporary name beside it",
            remedy: "Remove stale .\(url.lastPathComponent).tmp-* files from \(directory).")
    }

    /// A new state: migrated under a temporary name, then linked into place (never
    /// replacing a state another process created meanwhile).
    static func create(_ path: String, configuration: GRDB.Configuration, migrator: DatabaseMigrator) throws {
        try createDirectories(URL(fileURLWithPath: path).deletingLastPathComponent().path)
        let (temporary, fd) = try createTemporary(beside: path, mode: privateMode)
        close(fd)
        defer {
            unlink(temporary)
            unlink(temporary + "-wal")
            unlink(temporary + "-shm")
        }
        try StateFileError.guarding(path) {
            let queue = try DatabaseQueue(path: temporary, configuration: configuration)
            try queue.writeWithoutTransaction { db in _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
            try migrator.migrate(queue)
            try queue.close()
        }
        if link(temporary, path) != 0 {
            let code = errno
            if code == EEXIST { return }  // another flashplan created it first: use that one
            // A file system without hard links: rename, which may replace only what appeared since lstat.
            if rename(temporary, path) != 0 {
                let code = errno
                throw StateFileError(
                    path: path, problem: code == ENOSPC ? .diskFull : .notWritable,
                    what: "cannot be created (\(errnoText(code)))", remedy: "Check the directory and free space, then run again.")
            }
        }
    }
}
