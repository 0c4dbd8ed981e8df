import FlashPlanModel

/// The observed snapshots by volume, as slices of one array: no snapshot is copied.
///
/// `observe()` returns snapshots sorted by volume, so each volume's snapshots are one
/// contiguous range; other input is sorted once first.
struct SnapshotIndex: Sendable {
    private let snapshots: [ObservedSnapshot]
    private let ranges: [String: Range<Int>]
    /// Snapshots taken outside flashplan (no group).
    let handMadeCount: Int

    init(_ input: [ObservedSnapshot]) {
        var ranges: [String: Range<Int>] = [:]
        var contiguous = true
        var handMade = 0
        var start = 0
        for i in input.indices {
            if input[i].group == nil { handMade += 1 }
            if i + 1 == input.count || input[i + 1].volume != input[i].volume {
                if ranges[input[i].volume] != nil { contiguous = false }
                ranges[input[i].volume] = start..<(i + 1)
                start = i + 1
            }
        }
        handMadeCount = handMade
        if contiguous {
            snapshots = input
            self.ranges = ranges
            return
        }
        let sorted = input.sorted { $0.volume < $1.volume }
        var sortedRanges: [String: Range<Int>] = [:]
        start = 0
        for i in sorted.indices where i + 1 == sorted.count || sorted[i + 1].volume != sorted[i].volume {
            sortedRanges[sorted[i].volume] = start..<(i + 1)
            start = i + 1
        }
        snapshots = sorted
        self.ranges = sortedRanges
    }

    /// Every volume holding snapshots, with its snapshots.
    var volumes: some Sequence<(volume: String, snapshots: ArraySlice<ObservedSnapshot>)> {
        ranges.lazy.map { ($0.key, snapshots[$0.value]) }
    }

    subscript(volume: String) -> ArraySlice<ObservedSnapshot>? {
        ranges[volume].map { snapshots[$0] }
    }
}
