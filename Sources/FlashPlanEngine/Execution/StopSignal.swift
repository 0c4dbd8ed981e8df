import Foundation
import Synchronization

/// Set when SIGINT or SIGTERM arrives: the executor stops launching actions,
/// lets the running ones finish, records, and exits 130 or 143.
public final class StopSignal: Sendable {
    private let signalNumber = Atomic<Int32>(0)

    public init() {}

    public func request(_ signal: Int32) { signalNumber.store(signal, ordering: .sequentiallyConsistent) }

    public var requested: Bool { signalNumber.load(ordering: .sequentiallyConsistent) != 0 }

    /// 130 for SIGINT, 143 for SIGTERM, as shells report them.
    public var exitCode: Int32? {
        let n = signalNumber.load(ordering: .sequentiallyConsistent)
        return n == 0 ? nil : 128 + n
    }
}
