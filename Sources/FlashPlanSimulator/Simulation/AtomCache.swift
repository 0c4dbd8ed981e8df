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

    /// The text a host list is interned as, encoded once per distinct list: a backup of
    /// a group snaps its volumes for the same hosts, thousands of times in one apply.
    private let hostLists = Mutex<[[String]: String]>([:])

    func encoding(of hosts: [String]) -> String {
        if let text = hostLists.withLock({ $0[hosts] }) { return text }
        let text = SimulationContext.encodeHosts(hosts)
        hostLists.withLock { $0[hosts] = text }
        return text
    }

    func merge(_ learned: [String: Int64]) {
        guard !learned.isEmpty else { return }
        ids.withLock { $0.merge(learned) { old, _ in old } }
    }
}
