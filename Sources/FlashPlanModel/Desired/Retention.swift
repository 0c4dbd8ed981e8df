/// How long backups of one label are kept: the newest N, or those younger than D days.
public enum Retention: Sendable, Hashable, Codable {
    case count(Int)
    case days(Int)

    public static let countRange = 1...255
    public static let daysRange = 1...36500
}

extension Retention: CustomStringConvertible {
    public var description: String {
        switch self {
        case .count(let n): "count \(n)"
        case .days(let d): "\(d) days"
        }
    }
}
