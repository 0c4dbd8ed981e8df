import FlashPlanModel
import Foundation

/// A backup policy inferred from the backups of one label that exist (`flashplan discover`).
///
/// The rule is that adopting the inferred policy never prunes a backup that exists: the
/// retention count is the number of backups plus one (the next one the schedule takes),
/// and where the evidence is thin the inference errs towards more backups, not fewer.
public struct BackupInference: Sendable, Hashable {
    public var frequency: Policy.Frequency
    /// A systemd calendar event, or nil for the frequency's default.
    public var schedule: String?
    /// The retention count: every backup that exists, and room for the next.
    public var count: Int
    public var immutable: Bool
    /// What was inferred and from what, one sentence a line, for YAML comments.
    public var evidence: [String]

    /// The words that are both a frequency and its default label (DESIGN §2).
    static let frequencyLabels: [String: Policy.Frequency] = [
        "hourly": .hourly, "daily": .daily, "weekly": .weekly, "monthly": .monthly,
    ]

    /// Infers a policy for `label` from the creation times of its distinct backups.
    ///
    /// - Parameters:
    ///   - backups: when each backup of the label was made (one time a backup, not a snapshot).
    ///   - immutable: whether any of them is immutable.
    ///   - margin: backups kept beyond those that exist (1: the next one; 0 when the
    ///     volume's 255 snapshots leave no room).
    ///   - timeZone: the zone schedules are read in (the configuration's `settings.timezone`),
    ///     named `zoneName` in the evidence.
    public static func infer(
        label: String, backups: [Date], immutable: Bool = false, margin: Int = 1, timeZone: TimeZone, zoneName: String? = nil
    ) -> BackupInference {
        let times = backups.sorted()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var evidence: [String] = []
        let zone = zoneName ?? timeZone.identifier
        if let first = times.first, let last = times.last {
            evidence.append(times.count == 1
                ? "label '\(label)': 1 backup, at \(local(first, calendar)) (\(zone))"
                : "label '\(label)': \(times.count) backups from \(local(first, calendar)) to \(local(last, calendar)) (\(zone))")
        }
        let gaps = zip(times.dropFirst(), times).map { $0.timeIntervalSince($1) }.filter { $0 > 0 }

        // Frequency: the label when it is a frequency's own word; otherwise the closest two
        // backups, read generously (anything under a day is hourly): more often is safer.
        let frequency: Policy.Frequency
        if let named = frequencyLabels[label] {
            frequency = named
            evidence.append("frequency \(named.rawValue): '\(label)' is the default label of that frequency")
        } else if let closest = gaps.min() {
            frequency = closest < 86400 ? .hourly : closest < 7 * 86400 ? .daily : closest < 28 * 86400 ? .weekly : .monthly
            evidence.append("frequency \(frequency.rawValue): the closest two backups are \(span(closest)) apart")
        } else {
            frequency = .none
            evidence.append("frequency none (on demand): a single backup, and '\(label)' names no frequency; nothing tells how often it was taken, so flashplan takes no new one until you set a frequency")
        }

        // One backup says when it was taken, not when its schedule fires: the default then.
        let schedule = frequency == .none || times.count < 2 ? nil : inferSchedule(frequency, times: times, calendar: calendar)
        if let schedule {
            evidence.append("schedule '\(schedule)': every backup of the label was taken at that time (\(zone))")
        } else if let defaultSchedule = frequency.defaultSchedule {
            evidence.append(times.count > 1
                ? "schedule: the frequency's default ('\(defaultSchedule)'); the backups were not all taken at the same time of its period"
                : "schedule: the frequency's default ('\(defaultSchedule)')")
        }

        let count = min(Retention.countRange.upperBound, max(Retention.countRange.lowerBound, times.count + margin))
        if times.count + margin > Retention.countRange.upperBound {
            evidence.append("retention count \(count): the most a volume can hold; \(times.count) backups exist")
        } else if margin > 0 {
            evidence.append("retention count \(count): the \(times.count) backup\(times.count == 1 ? " that exists" : "s that exist") and the next one, so adopting prunes none; raise it if more were kept")
        } else {
            evidence.append("retention count \(count): the \(times.count) backups that exist; no room for more on a volume's 255 snapshots")
        }
        if immutable { evidence.append("immutable: some of its backups are immutable") }
        return BackupInference(frequency: frequency, schedule: schedule, count: count, immutable: immutable, evidence: evidence)
    }

    /// A calendar event at the one time of its period every backup shares (a minute of the
    /// hour, a time of day, of a weekday, of a day of the month), or nil for the default.
    static func inferSchedule(_ frequency: Policy.Frequency, times: [Date], calendar: Calendar) -> String? {
        guard !times.isEmpty else { return nil }
        let parts = times.map { calendar.dateComponents([.minute, .hour, .weekday, .day], from: $0) }
        func same(_ key: (DateComponents) -> Int?) -> Int? {
            let values = Set(parts.map { key($0) ?? -1 })
            return values.count == 1 ? values.first.flatMap { $0 >= 0 ? $0 : nil } : nil
        }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        guard let minute = same(\.minute) else { return nil }
        switch frequency {
        case .hourly:
            return "*-*-* *:\(two(minute)):00"
        case .daily:
            guard let hour = same(\.hour) else { return nil }
            return "*-*-* \(two(hour)):\(two(minute)):00"
        case .weekly:
            guard let hour = same(\.hour), let weekday = same(\.weekday) else { return nil }
            let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
            return "\(names[(weekday - 1) % 7]) *-*-* \(two(hour)):\(two(minute)):00"
        case .monthly:
            // Days past the 28th are missing from some months: those would get no backup.
            guard let hour = same(\.hour), let day = same(\.day), day <= 28 else { return nil }
            return "*-*-\(two(day)) \(two(hour)):\(two(minute)):00"
        case .none:
            return nil
        }
    }

    static func local(_ date: Date, _ calendar: Calendar) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute))"
    }

    /// `45m`, `4h`, `1d 2h`, `7d`.
    static func span(_ seconds: TimeInterval) -> String {
        let minutes = Int(seconds / 60)
        let days = minutes / 1440, hours = (minutes % 1440) / 60, rest = minutes % 60
        var words: [String] = []
        if days > 0 { words.append("\(days)d") }
        if hours > 0 { words.append("\(hours)h") }
        if rest > 0 || words.isEmpty { words.append("\(rest)m") }
        return words.joined(separator: " ")
    }
}
