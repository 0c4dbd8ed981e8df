import Foundation

/// A state shared by several runners (PostgreSQL, DESIGN §9) hands out the right to act
/// as leases rather than a file lock: one apply at a time per scope, taken over once
/// its holder stops renewing it.
public protocol StateLeasing: Sendable {
    /// Takes the leases of `scopes` (`*` for the whole state, `site=NAME` for one site),
    /// waiting up to `timeout` seconds; `onWait` is told once who holds what is in the
    /// way. The returned value holds them until it is released or dropped; every write
    /// made on this state meanwhile is fenced by them.
    ///
    /// - Throws: `StateLeaseHeld` when the timeout passes; other errors when the database
    ///   cannot be used.
    func lease(scopes: [String], holder: String, timeout: TimeInterval, onWait: (String) -> Void) throws -> any StateLeaseHandle

    /// Whether the lease of `scope` can be taken now, without waiting (the other site of a
    /// transfer); nil when it is held by someone else, whose description is returned in
    /// `holder`.
    func tryLease(scope: String, holder: String, into handle: any StateLeaseHandle) throws -> String?
}

/// Leases held; dropping it (or `release`) gives them up.
public protocol StateLeaseHandle: AnyObject, Sendable {
    /// The scopes held.
    var scopes: [String] { get }
    func release()
}

/// The leases could not be taken in time.
public struct StateLeaseHeld: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

/// An error after which no further action of the run can succeed: the state's database
/// cut off, the lease lost to another runner. The executor stops at the first one instead
/// of trying — and failing — every remaining action.
public protocol HaltsExecution: Error {
    /// Whether this error ends the run.
    var haltsExecution: Bool { get }
}
