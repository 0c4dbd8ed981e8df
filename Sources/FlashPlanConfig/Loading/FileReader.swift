import FlashPlanModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one configuration file defensively: what the path is, is checked with
/// `lstat`/`stat` before anything is opened (a FIFO is never opened, so reading cannot
/// block), and no more than `Limits.maximumFileSize` + 1 bytes are ever read.
enum FileReader {
    static func read(_ path: String) -> Result<[UInt8], Refusal> {
        let place = SourceLocation(file: path, line: 0, column: 0)
        func unreadable(_ what: String, _ note: String) -> Result<[UInt8], Refusal> {
            .failure(Refusal(.fileUnreadable(what, note: note, at: place)))
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return unreadable("cannot be examined: \(errorText(errno))", "check that it exists and that flashplan may read it") }
        if kind(info.st_mode) == S_IFLNK {
            var target = stat()
            guard stat(path, &target) == 0 else {
                let error = errno
                let to = linkTarget(path).map { " to '\($0)'" } ?? ""
                switch error {
                case ELOOP: return unreadable("is a symbolic link loop\(to)", "point the link at a file, or remove it")
                case ENOENT, ENOTDIR: return unreadable("is a dangling symbolic link\(to): its target does not exist", "point the link at a file, or remove it")
                default: return unreadable("is a symbolic link\(to) that cannot be followed: \(errorText(error))", "point the link at a file, or remove it")
                }
            }
            info = target
        }
        switch kind(info.st_mode) {
        case S_IFREG: break
        case S_IFDIR: return unreadable("is a directory, not a file, although its name ends in .yaml or .yml", "rename the directory; the files in it are read anyway")
        case S_IFIFO: return unreadable("is a named pipe (FIFO), not a file; it is not read", "configuration files must be regular files; remove the FIFO")
        case S_IFCHR: return unreadable("is a character device, not a file", "configuration files must be regular files")
        case S_IFBLK: return unreadable("is a block device, not a file", "configuration files must be regular files")
        case S_IFSOCK: return unreadable("is a socket, not a file", "configuration files must be regular files")
        default: return unreadable("is not a regular file", "configuration files must be regular files")
        }
        if Int64(info.st_size) > Int64(Limits.maximumFileSize) {
            return .failure(Refusal(.fileTooLarge(bytes: Int64(info.st_size), at: place)))
        }
        // O_NONBLOCK: should the path be swapped for a FIFO after the check, open does not block.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else {
            let error = errno
            return unreadable(
                error == EACCES ? "cannot be read: permission denied" : "cannot be opened: \(errorText(error))",
                "let the user running flashplan read it")
        }
        defer { close(fd) }
        var opened = stat()
        guard fstat(fd, &opened) == 0, kind(opened.st_mode) == S_IFREG else {
            return unreadable("changed while it was read (it is no longer a regular file)", "run flashplan again")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while bytes.count <= Limits.maximumFileSize {
            let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return unreadable("cannot be read: \(errorText(errno))", "check the file system")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        if bytes.count > Limits.maximumFileSize { return .failure(Refusal(.fileTooLarge(bytes: Int64(bytes.count), at: place))) }
        return .success(bytes)
    }

    private static func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.read(fd, buffer, count)
        #else
        Darwin.read(fd, buffer, count)
        #endif
    }

    private static func kind(_ mode: mode_t) -> mode_t { mode & mode_t(S_IFMT) }

    private static func errorText(_ error: Int32) -> String { String(cString: strerror(error)) }

    private static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A file refused before YAML sees it, with the diagnostic that says why.
struct Refusal: Error {
    var diagnostic: Diagnostic
    init(_ diagnostic: Diagnostic) { self.diagnostic = diagnostic }
}
