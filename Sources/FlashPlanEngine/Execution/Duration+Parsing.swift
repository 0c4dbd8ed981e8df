import Foundation

/// Parses `30s`, `2m`, `1h`, `500ms` or a bare number of seconds (`--lock-timeout`).
public enum DurationParser {
    public static func seconds(_ text: String) -> TimeInterval? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let n = Double(text.dropLast(suffix.count)), n >= 0 else { return nil }
            return n * factor
        }
        return Double(text).flatMap { $0 >= 0 ? $0 : nil }
    }
}
