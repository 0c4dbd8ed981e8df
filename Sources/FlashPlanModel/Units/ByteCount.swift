import Foundation

/// A size in bytes. Parsed from binary (`KiB`…`PiB`) and decimal (`KB`…`PB`) units,
/// always shown back in binary units.
public struct ByteCount: Hashable, Sendable, Comparable {
    public var bytes: UInt64

    public init(bytes: UInt64) { self.bytes = bytes }

    public static let zero = ByteCount(bytes: 0)
    public static func kib(_ n: UInt64) -> ByteCount { ByteCount(bytes: n << 10) }
    public static func mib(_ n: UInt64) -> ByteCount { ByteCount(bytes: n << 20) }
    public static func gib(_ n: UInt64) -> ByteCount { ByteCount(bytes: n << 30) }
    public static func tib(_ n: UInt64) -> ByteCount { ByteCount(bytes: n << 40) }
    public static func tb(_ n: UInt64) -> ByteCount { ByteCount(bytes: n * 1_000_000_000_000) }

    static let units: [(suffix: String, factor: Double)] = [
        ("KiB", 1024), ("MiB", 1024 * 1024), ("GiB", 1024 * 1024 * 1024),
        ("TiB", 1024 * 1024 * 1024 * 1024), ("PiB", 1024 * 1024 * 1024 * 1024 * 1024),
        ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("PB", 1e15),
        ("B", 1),
    ]

    /// Parses `512GiB`, `2TiB`, `1.5TB`, `100 GB`. Returns nil for anything else.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for unit in Self.units where trimmed.hasSuffix(unit.suffix) {
            let number = trimmed.dropLast(unit.suffix.count).trimmingCharacters(in: .whitespaces)
            guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }),
                let value = Double(number), value >= 0
            else { return nil }
            let bytes = (value * unit.factor).rounded()
            guard bytes < 1.8e19 else { return nil }
            self.bytes = UInt64(bytes)
            return
        }
        return nil
    }

    public static func < (lhs: ByteCount, rhs: ByteCount) -> Bool { lhs.bytes < rhs.bytes }
    public static func + (lhs: ByteCount, rhs: ByteCount) -> ByteCount { ByteCount(bytes: lhs.bytes &+ rhs.bytes) }
    public static func - (lhs: ByteCount, rhs: ByteCount) -> ByteCount {
        ByteCount(bytes: lhs.bytes >= rhs.bytes ? lhs.bytes - rhs.bytes : 0)
    }
    public static func += (lhs: inout ByteCount, rhs: ByteCount) { lhs = lhs + rhs }
}

extension ByteCount: CustomStringConvertible {
    /// In the largest binary unit that keeps the number at least 1, with up to two decimals: `1.5TiB`.
    public var description: String {
        let names = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(bytes)
        var index = 0
        while value >= 1024, index < names.count - 1 {
            value /= 1024
            index += 1
        }
        var text = String(format: "%.2f", value)
        while text.contains("."), text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + names[index]
    }
}

/// Encoded as a plain number of bytes.
extension ByteCount: Codable {
    public init(from decoder: any Decoder) throws {
        bytes = try decoder.singleValueContainer().decode(UInt64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(bytes)
    }
}
