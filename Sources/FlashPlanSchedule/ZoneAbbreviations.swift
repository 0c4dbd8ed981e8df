import Foundation

/// Zone abbreviations (`CET`, `EDT`, `+1030`) as the C library prints them,
/// read from the system's TZif files.
///
/// Foundation on Linux only offers ICU's `GMT+1` style, while
/// systemd-analyze prints tzdata's abbreviations; for output that matches it
/// line by line we read them where tzdata keeps them. Used for display only.
enum ZoneAbbreviations {
    private final class Table: Sendable {
        let times: [Int]
        let names: [String]  // abbreviation in force from times[i]
        let standardName: String?
        let daylightName: String?

        init(times: [Int], names: [String], standardName: String?, daylightName: String?) {
            self.times = times
            self.names = names
            self.standardName = standardName
            self.daylightName = daylightName
        }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: Table?] = [:]

    /// The abbreviation in force in `zone` at UTC second `t`, whose offset and
    /// DST flag are `offset`/`isDST`.
    static func abbreviation(for zone: TimeZone, at t: Int, offset: Int, isDST: Bool) -> String {
        let rules = ZoneRules.rules(for: zone)
        if rules.isFixed && offset == 0 && !isDST && ["GMT", "UTC", "Etc/UTC", "Etc/GMT", "Universal", "Zulu", "Etc/Universal", "Etc/Zulu"].contains(zone.identifier) {
            return "UTC"
        }
        if let table = table(for: zone.identifier) {
            if let last = table.times.last, t < last || table.standardName == nil {
                var lo = 0, hi = table.times.count - 1
                if t < table.times[0] { return table.names[0] }
                while lo < hi {
                    let mid = (lo + hi + 1) >> 1
                    if table.times[mid] <= t { lo = mid } else { hi = mid - 1 }
                }
                return table.names[lo]
            }
            if let name = isDST ? (table.daylightName ?? table.standardName) : table.standardName {
                return name
            }
        }
        return zone.abbreviation(for: Date(timeIntervalSince1970: TimeInterval(t))) ?? zone.identifier
    }

    private static func table(for identifier: String) -> Table? {
        lock.lock()
        defer { lock.unlock() }
        if let cached = cache[identifier] { return cached }
        let table = load(identifier)
        cache[identifier] = table
        return table
    }

    private static func load(_ identifier: String) -> Table? {
        guard !identifier.contains(".."),
              let data = FileManager.default.contents(atPath: "/usr/share/zoneinfo/" + identifier) else { return nil }
        let bytes = [UInt8](data)
        func u32(_ at: Int) -> Int? {
            guard at + 4 <= bytes.count else { return nil }
            return Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        }
        func i32(_ at: Int) -> Int? { u32(at).map { Int(Int32(truncatingIfNeeded: $0)) } }
        func i64(_ at: Int) -> Int? {
            guard let hi = u32(at), let lo = u32(at + 4) else { return nil }
            return Int(Int64(bitPattern: UInt64(hi) << 32 | UInt64(lo)))
        }
        guard bytes.count >= 44, bytes[0] == 0x54, bytes[1] == 0x5A, bytes[2] == 0x69, bytes[3] == 0x66 else { return nil }
        func counts(_ at: Int) -> [Int]? {
            let values = (0..<6).compactMap { u32(at + 20 + 4 * $0) }
            return values.count == 6 ? values : nil
        }
        guard let v1 = counts(0) else { return nil }
        var header = 0
        var timeSize = 4
        if bytes[4] >= 0x32 {
            // Skip the 32-bit block to the 64-bit one.
            let v1Size = v1[3] * 4 + v1[3] + v1[4] * 6 + v1[5] + v1[2] * 8 + v1[1] + v1[0]
            header = 44 + v1Size
            timeSize = 8
        }
        guard let c = counts(header) else { return nil }
        let (isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt) = (c[0], c[1], c[2], c[3], c[4], c[5])
        var at = header + 44
        var times: [Int] = []
        for i in 0..<timecnt {
            guard let t = timeSize == 8 ? i64(at + 8 * i) : i32(at + 4 * i) else { return nil }
            times.append(t)
        }
        at += timecnt * timeSize
        guard at + timecnt <= bytes.count else { return nil }
        let indices = bytes[at..<(at + timecnt)].map(Int.init)
        at += timecnt
        let typesAt = at
        at += typecnt * 6
        guard at + charcnt <= bytes.count else { return nil }
        let chars = Array(bytes[at..<(at + charcnt)])
        at += charcnt + leapcnt * (timeSize + 4) + isstdcnt + isutcnt
        func name(type: Int) -> String {
            guard type < typecnt else { return "" }
            var i = Int(bytes[typesAt + type * 6 + 5])
            var s: [UInt8] = []
            while i < chars.count && chars[i] != 0 { s.append(chars[i]); i += 1 }
            return String(decoding: s, as: UTF8.self)
        }
        var names = indices.map { name(type: $0) }
        if times.isEmpty {
            times = [Int.min]
            names = [name(type: 0)]
        }
        var standard: String?
        var daylight: String?
        if timeSize == 8, at < bytes.count, bytes[at] == 0x0A, let end = bytes[(at + 1)...].firstIndex(of: 0x0A) {
            let footer = String(decoding: bytes[(at + 1)..<end], as: UTF8.self)
            (standard, daylight) = footerNames(footer)
        }
        return Table(times: times, names: names, standardName: standard, daylightName: daylight)
    }

    // The names in a POSIX TZ string such as `CET-1CEST,M3.5.0,M10.5.0/3`
    // or `<+1030>-10:30<+11>-11,M10.1.0,M4.1.0`.
    private static func footerNames(_ tz: String) -> (String?, String?) {
        var chars = Substring(tz)
        func name() -> String? {
            if chars.first == "<" {
                guard let close = chars.firstIndex(of: ">") else { return nil }
                let n = String(chars[chars.index(after: chars.startIndex)..<close])
                chars = chars[chars.index(after: close)...]
                return n
            }
            let n = chars.prefix { $0.isLetter }
            chars = chars.dropFirst(n.count)
            return n.isEmpty ? nil : String(n)
        }
        let standard = name()
        chars = chars.drop { "+-0123456789:".contains($0) }
        let daylight = chars.isEmpty || chars.first == "," ? nil : name()
        return (standard, daylight)
    }
}
