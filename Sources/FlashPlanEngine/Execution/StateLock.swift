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
    }

    public struct HeldError: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var holder: Holder?
        public var waited: TimeInterval

        public var description: String {
            "the state is locked by another flashplan (\(holder?.description ?? "holder unknown")); gave up after \(Int(waited))s — try again later, or raise --lock-timeout"
        }
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
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
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
        let holder = Holder(
            pid: getpid(), user: ProcessInfo.processInfo.environment["USER"] ?? userName() ?? String(getuid()),
            host: ProcessInfo.processInfo.hostName, operation: operation, since: now)
        let data = (try? JSONEncoder.iso8601.encode(holder)) ?? Data()
        _ = ftruncate(fd, 0)
        _ = data.withUnsafeBytes { pwrite(fd, $0.baseAddress, data.count, 0) }
        return StateLock(path: path, descriptor: fd)
    }

    /// The login name of this process's user (USER is not set under every service manager).
    private static func userName() -> String? {
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
