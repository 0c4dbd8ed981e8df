import Foundation

/// A time zone's UTC offsets as a sorted table of transitions, read once
/// from Foundation's `TimeZone` and then looked up by binary search.
///
/// The calendar code converts between local and UTC time dozens of times per
/// elapse; asking `TimeZone` each time would cost microseconds per
/// conversion, the table costs nanoseconds.
final class ZoneRules: Sendable {
    let identifier: String
    /// `starts[i]` is the first UTC second at which `offsets[i]`/`dst[i]` apply;
    /// `starts[0]` is `Int.min`.
    private let starts: [Int]
    private let offsets: [Int]
    private let dst: [Bool]

    /// The table covers the years systemd can schedule in (1970…2199).
    private static let tableStart = Date(timeIntervalSince1970: -315_619_200)  // 1960-01-01
    private static let tableEnd = Date(timeIntervalSince1970: 7_289_654_400)  // 2201-01-01

    init(_ zone: TimeZone) {
        identifier = zone.identifier
        var starts = [Int.min]
        var offsets = [zone.secondsFromGMT(for: Self.tableStart)]
        var dst = [zone.isDaylightSavingTime(for: Self.tableStart)]
        var cursor = Self.tableStart
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < Self.tableEnd, next > cursor {
            let offset = zone.secondsFromGMT(for: next)
            let isDST = zone.isDaylightSavingTime(for: next)
            if offset != offsets[offsets.count - 1] || isDST != dst[dst.count - 1] {
                starts.append(Int(next.timeIntervalSince1970.rounded()))
                offsets.append(offset)
                dst.append(isDST)
            }
            cursor = next
        }
        self.starts = starts
        self.offsets = offsets
        self.dst = dst
    }

    /// The offset from UTC (seconds east) and the DST flag at UTC second `t`.
    @inline(__always)
    func lookup(_ t: Int) -> (offset: Int, isDST: Bool) {
        if starts.count == 1 { return (offsets[0], dst[0]) }
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) >> 1
            if starts[mid] <= t { lo = mid } else { hi = mid - 1 }
        }
        return (offsets[lo], dst[lo])
    }

    /// The UTC seconds at which the offset or DST flag changes, within `range`.
    func transitions(in range: ClosedRange<Int>) -> [Int] {
        guard starts.count > 1 else { return [] }
        var lo = 1, hi = starts.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if starts[mid] < range.lowerBound { lo = mid + 1 } else { hi = mid }
        }
        var result: [Int] = []
        while lo < starts.count && starts[lo] <= range.upperBound {
            result.append(starts[lo])
            lo += 1
        }
        return result
    }

    /// Whether the zone has a single offset and no DST (so nothing about it
    /// varies over time).
    var isFixed: Bool { starts.count == 1 }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: ZoneRules] = [:]

    /// Shared, lazily built rules for `zone`.
    static func rules(for zone: TimeZone) -> ZoneRules {
        lock.lock()
        defer { lock.unlock() }
        if let rules = cache[zone.identifier] { return rules }
        let rules = ZoneRules(zone)
        cache[zone.identifier] = rules
        return rules
    }

    /// systemd's verify_timezone: a plausible name that names a real zone.
    static func isValidZoneName(_ name: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix("/"), !name.hasSuffix("/"), !name.contains("//") else { return false }
        for scalar in name.unicodeScalars {
            let ok = (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
                || scalar == "-" || scalar == "_" || scalar == "+" || scalar == "/"
            if !ok { return false }
        }
        if name == "UTC" { return true }
        guard let zone = TimeZone(identifier: name) else { return false }
        // Foundation also understands "GMT+1" and the like, which are not
        // zoneinfo files and which systemd rejects.
        return zone.identifier == name || FileManager.default.fileExists(atPath: "/usr/share/zoneinfo/" + name)
    }
}
