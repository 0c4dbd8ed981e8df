import Foundation
import Synchronization

/// Ids of interned strings (labels, tags, groups, host lists) already committed to the
/// database, shared by every transaction of one backend.
///
/// Atoms are never deleted, so a committed id stays valid for the life of the file.
/// Ids learned inside a transaction are added only after it commits (`merge`), so a
/// rolled-back insert never leaves a dangling id here.
final class AtomCache: Sendable {
    private let ids = Mutex<[String: Int64]>([:])

    func id(_ text: String) -> Int64? {
        ids.withLock { $0[text] }
    }

    func merge(_ learned: [String: Int64]) {
        guard !learned.isEmpty else { return }
        ids.withLock { $0.merge(learned) { old, _ in old } }
    }
}
