import FlashPlanModel
import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A state file flashplan cannot use: which file, what is wrong with it, and how to
/// recover. Never a bare database error code.
///
///     state .flashplan/state.db is corrupted (SQLite: database disk image is malformed).
///     Restore it from a backup; …
public struct StateFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Problem: String, Sendable, Hashable {
        case missing, directory, symbolicLink, notRegularFile, empty, notADatabase, notAState, truncated, corrupted
        case notWritable, unreadable, newerSchema, olderSchema, diskFull, busy, ioError
        /// PostgreSQL: a URL that cannot be used, a server that cannot be reached, an error it
        /// returned, a lease this runner no longer holds.
        case unusable, unreachable, database, leaseLost
    }

    public var path: String
    public var problem: Problem
    /// What is wrong, as a phrase following the path ("is a directory, not a state file").
    public var what: String
    /// How to recover.
    public var remedy: String

    public init(path: String, problem: Problem, what: String, remedy: String) {
        self.path = path
        self.problem = problem
        self.what = what
        self.remedy = remedy
    }

    public var description: String { "state \(path) \(what). \(remedy)" }

    static let restore =
        "Restore it from a backup of the state (the state is the only record of what the storage should hold)"
    static let startOver =
        "only if there is none, move it aside: the next `flashplan apply` then starts a new state that knows nothing of the backups taken so far"

    /// Explains an error SQLite raised while using the state at `path`; other errors pass through.
    public static func explaining(_ error: any Error, path: String?) -> any Error {
        guard let path, let error = error as? DatabaseError else { return error }
        let sqlite = error.message.map { " (SQLite: \($0))" } ?? ""
        switch error.resultCode {
        case .SQLITE_NOTADB:
            return StateFileError(
                path: path, problem: .notADatabase, what: "is not a database SQLite can read\(sqlite)",
                remedy: "Check that --state names the state file; otherwise \(restore.prefix(1).lowercased() + restore.dropFirst()); \(startOver).")
        case .SQLITE_CORRUPT:
            return StateFileError(
                path: path, problem: .corrupted, what: "is corrupted\(sqlite)",
                remedy: "\(restore); `sqlite3 \(path) 'PRAGMA integrity_check'` shows the damage and `sqlite3 \(path) .recover` may salvage what is left; \(startOver).")
        case .SQLITE_IOERR where freeBytes(besides: path).map({ $0 < 256 * 1024 }) ?? false:
            // SQLite reports a full disk as SQLITE_FULL only when it grows a file; growing
            // the -shm index or writing the WAL on a full disk is an I/O error
            // (SQLITE_IOERR_SHMSIZE, _WRITE): the free space says which it was.
            return StateFileError(
                path: path, problem: .diskFull,
                what: "could not be written: the file system holding it is full (\(freeBytes(besides: path) ?? 0) bytes free)\(sqlite), extended code \(error.extendedResultCode.rawValue)",
                remedy: "Free space there (df \(URL(fileURLWithPath: path).deletingLastPathComponent().path)) and run again; every action that committed before is kept in the state and its journal.")
        case .SQLITE_FULL:
            return StateFileError(
                path: path, problem: .diskFull, what: "could not be written: the file system holding it is full\(sqlite)",
                remedy: "Free space there (df \(URL(fileURLWithPath: path).deletingLastPathComponent().path)) and run again; every action that committed before is kept in the state and its journal.")
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            return StateFileError(
                path: path, problem: .notWritable, what: "cannot be written\(sqlite)",
                remedy: "apply and sim write the state: run them as the user that owns it and make the file and its directory writable (or the file system read-write); plan and state only read it.")
        case .SQLITE_CANTOPEN:
            return StateFileError(
                path: path, problem: .unreadable, what: "cannot be opened\(sqlite)",
                remedy: "Check that the file and its directory exist and are readable and writable by this user; SQLite also needs to create \(URL(fileURLWithPath: path).lastPathComponent)-wal and -shm beside it.")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StateFileError(
                path: path, problem: .busy, what: "is locked by another process for too long\(sqlite)",
                remedy: "Another flashplan (or a sqlite3 shell) holds it; wait for it to finish and run again.")
        case .SQLITE_IOERR:
            return StateFileError(
                path: path, problem: .ioError, what: "could not be read or written: an I/O error\(sqlite), extended code \(error.extendedResultCode.rawValue)",
                remedy: "Check the disk and the file system holding it (dmesg); if the file is damaged, \(restore.prefix(1).lowercased() + restore.dropFirst()).")
        default:
            return StateFileError(
                path: path, problem: .ioError, what: "could not be used: SQLite error \(error.resultCode.rawValue)\(sqlite)",
                remedy: "Check the file (`sqlite3 \(path) 'PRAGMA integrity_check'`); if it is damaged, \(restore.prefix(1).lowercased() + restore.dropFirst()).")
        }
    }

    /// The bytes an unprivileged user could still write beside `path`.
    static func freeBytes(besides path: String) -> Int? {
        var info = statvfs()
        guard statvfs(URL(fileURLWithPath: path).deletingLastPathComponent().path, &info) == 0 else { return nil }
        return Int(info.f_bavail) * Int(info.f_frsize)
    }

    /// Runs `body`, explaining the SQLite errors it throws (see `explaining(_:path:)`).
    static func guarding<T>(_ path: String?, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw explaining(error, path: path)
        }
    }
}

extension StateFileError: HaltsExecution {
    /// A PostgreSQL session cut off or a lease lost: nothing more can be committed by
    /// this run (every later action would fail the same way).
    public var haltsExecution: Bool { problem == .unreachable || problem == .leaseLost }
}
