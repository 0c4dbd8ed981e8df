import FlashPlanEngine
import FlashPlanModel
import Foundation

/// Durations on the command line (`--lock-timeout`): a whole number and a unit, `500ms`,
/// `30s`, `2m`, `1h`, or `0` alone. Nothing else: no sign, no fraction (`1.5m`: write
/// `90s`), no exponent, hex, `inf` or `nan`, no spaces, no unit without a number or number
/// without a unit (is `5` seconds or minutes?), nothing beyond the flag's maximum (a huge
/// number is refused, never wrapped or trapped on).
public enum DurationParser {
    public static let units: [(suffix: String, milliseconds: Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]

    /// What a refusal shows as valid values.
    public static let example = "a whole number and a unit (ms, s, m or h), e.g. 30s, 2m or 1h, or 0"

    /// Why a value was refused: a phrase completing "'VALUE' is refused: …".
    public struct Refusal: Error, Equatable, CustomStringConvertible, Sendable {
        public var reason: String
        public init(_ reason: String) { self.reason = reason }
        public var description: String { reason }
    }

    /// The duration `text` names, in milliseconds, at most `maximum` milliseconds.
    public static func milliseconds(_ text: String, maximum: Int64) throws(Refusal) -> Int64 {
        let scalars = Array(text.unicodeScalars)
        guard !scalars.isEmpty else { throw Refusal("it is empty") }
        if scalars.contains(where: { $0.properties.isWhitespace }) { throw Refusal("it contains whitespace") }
        if scalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            throw Refusal("it contains a control character")
        }
        let digitCount = scalars.prefix { ("0"..."9").contains($0) }.count
        if digitCount == 0 {
            if let first = scalars.first, first == "-" || first == "+" { throw Refusal("a duration has no sign") }
            throw Refusal("it does not start with a number")
        }
        let unit = String(String.UnicodeScalarView(scalars[digitCount...]))
        if unit.isEmpty {
            guard scalars.allSatisfy({ $0 == "0" }) else {
                throw Refusal("it has no unit (seconds? minutes?)")
            }
            return 0
        }
        guard let factor = units.first(where: { $0.suffix == unit })?.milliseconds else {
            if unit.first == "." || unit.first == "," { throw Refusal("fractions are not accepted; use a smaller unit (90s, not 1.5m)") }
            throw Refusal("'\(Escaping.escape(unit))' is not a unit (ms, s, m or h)")
        }
        var value: Int64 = 0
        for scalar in scalars.prefix(digitCount) {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(Int64(scalar.value - 0x30))
            guard !o1, !o2, next <= maximum else { throw tooLong(maximum) }
            value = next
        }
        let (total, overflow) = value.multipliedReportingOverflow(by: factor)
        guard !overflow, total <= maximum else { throw tooLong(maximum) }
        return total
    }

    /// `milliseconds`, in seconds.
    public static func seconds(_ text: String, maximum: TimeInterval) throws(Refusal) -> TimeInterval {
        TimeInterval(try milliseconds(text, maximum: Int64(maximum * 1000))) / 1000
    }

    /// `seconds`, with the refusal worded for `flag`.
    public static func seconds(_ text: String, flag: String, maximum: TimeInterval) throws(FlagValueError) -> TimeInterval {
        do {
            return try seconds(text, maximum: maximum)
        } catch {
            throw FlagValueError(flag: flag, value: text, reason: error.reason, expected: example)
        }
    }

    private static func tooLong(_ maximum: Int64) -> Refusal {
        Refusal("it is longer than the most this flag allows, \(describe(milliseconds: maximum))")
    }

    /// `90000` -> `90s`, `3600000` -> `1h`: the largest unit that divides it.
    public static func describe(milliseconds: Int64) -> String {
        for (suffix, factor) in units.reversed() where milliseconds % factor == 0 {
            return "\(milliseconds / factor)\(suffix)"
        }
        return "\(milliseconds)ms"
    }
}
