import Foundation

/// A percentage such as `80%`, kept as the number before the sign.
public struct Percentage: Hashable, Sendable, Comparable {
    public var value: Double

    public init(_ value: Double) { self.value = value }

    /// Parses `80%` or `12.5%`.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix("%"), let value = Double(trimmed.dropLast().trimmingCharacters(in: .whitespaces)),
            value >= 0, value.isFinite
        else { return nil }
        self.value = value
    }

    public var fraction: Double { value / 100 }

    public static func < (lhs: Percentage, rhs: Percentage) -> Bool { lhs.value < rhs.value }
}

extension Percentage: CustomStringConvertible {
    public var description: String {
        value == value.rounded() ? "\(Int(value))%" : String(format: "%.1f%%", value)
    }
}

/// Encoded as the plain number before the `%` sign.
extension Percentage: Codable {
    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(Double.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
