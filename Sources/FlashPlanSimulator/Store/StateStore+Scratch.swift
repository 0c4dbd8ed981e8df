import FlashPlanModel
import Foundation

extension StateStore {
    /// A private in-memory copy of this state — same lineage, serial, storage and
    /// journal — for `flashplan simulate` and `flashplan diff`, which replay the timer on
    /// it. Only reads this store: a read-only state stays byte-for-byte as it was, and
    /// nothing done to the copy ever reaches it.
    ///
    /// - Throws: `StateFileError` naming the path when the state cannot be read.
    public func scratchCopy() throws -> StateStore {
        try StateFileError.guarding(path) {
            // An absent state (no lineage) copies to fresh empty storage with a lineage of its
            // own, as the first apply would create it.
            try StateStore(inMemoryLineage: lineage.isEmpty ? nil : lineage, copying: lineage.isEmpty ? nil : writer)
        }
    }
}
