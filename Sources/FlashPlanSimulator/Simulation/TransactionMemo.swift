import Foundation

/// What one transaction remembers while it runs: pool extents (the topology does not
/// change under a volume or snapshot operation) and the atoms it met.
final class TransactionMemo {
    var extents: [Int64: [PoolRecord.Extent]] = [:]
    var learnedAtoms: [String: Int64] = [:]
}
