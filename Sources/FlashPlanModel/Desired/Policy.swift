/// `policies.<name>`: how often (frequency) and how long to keep (retention).
public struct Policy: Sendable, Hashable {
    public enum Frequency: String, Sendable, Hashable, Codable, CaseIterable {
        case hourly, daily, weekly, monthly, none

        /// The schedule a policy entry without `schedule` gets (DESIGN §3); nil for `none`.
        public var defaultSchedule: String? {
            switch self {
            case .hourly: "hourly"
            case .daily: "*-*-* 00:00:00"
            case .weekly: "Mon *-*-* 00:00:00"
            case .monthly: "*-*-01 00:00:00"
            case .none: nil
            }
        }

        /// The shortest interval a schedule of this frequency may have, in seconds.
        public var minimumInterval: Double? {
            switch self {
            case .hourly: 3600
            case .daily: 86400
            case .weekly: 7 * 86400
            case .monthly: 28 * 86400
            case .none: nil
            }
        }
    }

    public var name: String
    public var frequency: Frequency
    public var label: String
    public var retention: Retention
    public var immutable: Bool = false
    public var locations = FieldLocations()

    public init(name: String, frequency: Frequency, label: String? = nil, retention: Retention) {
        self.name = name
        self.frequency = frequency
        self.label = label ?? frequency.rawValue
        self.retention = retention
    }
}
