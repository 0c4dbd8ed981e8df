import FlashPlanEngine
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One apply per state at a time: an exclusive `flock(2)` on `<state>.lock`, which
/// the kernel releases when the process dies however it dies. The holder writes
/// who it is into the file so that a waiting process can say who holds it.
public final class StateLock: @unchecked Sendable {
    /// Who holds the lock.
    public struct Holder: Codable, Sendable, Hashable, CustomStringConvertible {
        public var pid: Int32
        public var user: String
        public var host: String
        public var operation: String
        public var since: Date

        public var description: String {
            "pid \(pid), \(user)@\(host), \(operation), since \(since.iso8601)"
        }

        /// This process, about to run `operation`.
        public static func current(operation: String, since: Date) -> Holder {
            Holder(
                pid: getpid(), user: ProcessInfo.processInfo.environment["USER"] ?? StateLock.userName() ?? String(getuid()),
                host: ProcessInfo.processInfo.hostName, operation: operation, since: since)
        }
    }

    public struct HeldError: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var holder: Holder?
        public var waited: TimeInterval

        public var description: String {
            "the state is locked by another flashplan (\(holder?.description ?? "holder unknown")); gave up after \(Int(waited))s — try again later, or raise --lock-timeout"
        }
    }

    /// A lock file that cannot be used: a link, not a file, or not writable.
    public struct LockFileError: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var remedy: String

        public var description: String { "lock file \(path) \(reason). \(remedy)" }
    }

    public let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The lock file beside a state database.
    public static func path(forState statePath: String) -> String { statePath + ".lock" }

    /// Takes the lock, waiting up to `timeout` seconds; `onWait` is told once who holds it.
    public static func acquire(
        statePath: String, operation: String, now: Date = Date(), timeout: TimeInterval,
        onWait: (Holder?) -> Void = { _ in }
    ) throws -> StateLock {
        let path = path(forState: statePath)
        try createPrivateDirectories(URL(fileURLWithPath: path).deletingLastPathComponent().path)
        // Never through a link (O_NOFOLLOW: a link planted at the lock path is refused and
        // its target untouched), never a FIFO or device (O_NONBLOCK, then fstat), mode 0600
        // set on the descriptor whatever the umask or whoever made the file.
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0o600)
        guard fd >= 0 else {
            let code = errno
            throw LockFileError(path: path, reason: code == ELOOP
                ? "is a symbolic link; flashplan does not follow links at its lock file (a planted link could make it truncate another file)"
                : "cannot be opened (\(String(cString: strerror(code))))",
                remedy: code == ELOOP ? "Remove the link (after checking who put it there) and run again." : "Check that this user may write the state's directory.")
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw LockFileError(
                path: path, reason: "is not a regular file", remedy: "Remove it (after checking who put it there) and run again.")
        }
        if info.st_mode & 0o7177 != 0 { _ = fchmod(fd, 0o600) }
        let start = Date()
        var told = false
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = readLiveHolder(fd)
            if !told {
                onWait(holder)
                told = true
            }
            let waited = Date().timeIntervalSince(start)
            if waited >= timeout {
                close(fd)
                throw HeldError(path: path, holder: holder, waited: waited)
            }
            usleep(100_000)
        }
        let holder = Holder.current(operation: operation, since: now)
        let data = (try? JSONEncoder.iso8601.encode(holder)) ?? Data()
        _ = ftruncate(fd, 0)
        _ = data.withUnsafeBytes { pwrite(fd, $0.baseAddress, data.count, 0) }
        return StateLock(path: path, descriptor: fd)
    }

    /// `mkdir -p`, each directory it creates 0700 (the state's directory); existing ones are left alone.
    static func createPrivateDirectories(_ directory: String) throws {
        var info = stat()
        if stat(directory, &info) == 0 { return }
        let parent = URL(fileURLWithPath: directory).deletingLastPathComponent().path
        if parent != directory { try createPrivateDirectories(parent) }
        if mkdir(directory, 0o700) != 0, errno != EEXIST {
            let code = errno
            throw LockFileError(
                path: directory, reason: "(the state's directory) cannot be created (\(String(cString: strerror(code))))",
                remedy: "Create it (mode 700) or choose another --state.")
        }
        // No chmod afterwards: the umask can only narrow 0700, and a chmod by path could
        // follow a link swapped in meanwhile.
    }

    /// The login name of this process's user (USER is not set under every service manager).
    static func userName() -> String? {
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }

    /// The holder's record once it is complete and names a living process. A new holder
    /// writes its record just after `flock` succeeds, over the one of the holder before
    /// (which may have been killed): a waiter arriving in between would otherwise read
    /// nothing, or a dead process. Waits up to 0.2 s for the record to settle.
    private static func readLiveHolder(_ fd: Int32) -> Holder? {
        var holder = readHolder(fd)
        for _ in 0..<20 {
            if let current = holder, current.host != ProcessInfo.processInfo.hostName || kill(current.pid, 0) == 0 || errno == EPERM {
                return current
            }
            usleep(10_000)
            holder = readHolder(fd)
        }
        return holder
    }

    private static func readHolder(_ fd: Int32) -> Holder? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        return try? JSONDecoder.iso8601.decode(Holder.self, from: Data(buffer[0..<n]))
    }
}

extension JSONEncoder {
    static var iso8601: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONDecoder {
    static var iso8601: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
