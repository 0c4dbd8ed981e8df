/// A refusal or failure from the storage backend, naming the object and the limit.
public struct BackendError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The object named does not exist.
        case notFound = "not-found"
        /// The object already exists.
        case alreadyExists = "already-exists"
        /// A limit of DOMAIN.md would be exceeded (capacity, 255 snapshots, …).
        case limitExceeded = "limit-exceeded"
        /// The operation is not allowed in the object's state (SMB snapshot, clone parent, immutable).
        case refused
        /// The array holding the object is offline.
        case offline
        /// An injected fault (`flashplan sim fail`).
        case injectedFailure = "injected-failure"
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
