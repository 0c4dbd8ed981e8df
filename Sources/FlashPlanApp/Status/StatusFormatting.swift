import FlashPlanModel
import Foundation

/// Small text helpers for outputs read in an 80-column terminal.
enum StatusFormatting {
    /// The width every line of `status` and `history` text keeps to.
    static let width = 80

    /// `5m`, `3h20m`, `1d14h`, `45s`: at most the two largest units, rounded down.
    static func duration(_ seconds: Double) -> String {
        let total = Int64(max(0, seconds.rounded(.down)))
        let days = total / 86400, hours = total % 86400 / 3600, minutes = total % 3600 / 60, secs = total % 60
        if days > 0 { return hours > 0 ? "\(days)d\(hours)h" : "\(days)d" }
        if hours > 0 { return minutes > 0 ? "\(hours)h\(minutes)m" : "\(hours)h" }
        if minutes > 0 { return "\(minutes)m" }
        return "\(secs)s"
    }

    /// User text made safe to print (`Escaping`), then cut in the middle with `…` to at
    /// most `limit` characters; the JSON output has it whole.
    /// An escape sequence is never cut in two.
    static func name(_ text: String, limit: Int) -> String {
        let escaped = Escaping.escape(text)
        guard escaped.count > limit, limit > 1 else { return escaped }
        // Each character as it prints: one character, or its whole escape sequence.
        let pieces = text.map { Escaping.escape(String($0)) }
        var head = "", tail = ""
        var front = pieces.startIndex, back = pieces.endIndex
        let headRoom = (limit - 1) / 2, tailRoom = limit - 1 - headRoom
        while front < back, head.count + pieces[front].count <= headRoom {
            head += pieces[front]
            front += 1
        }
        while back > front, tail.count + pieces[back - 1].count <= tailRoom {
            tail = pieces[back - 1] + tail
            back -= 1
        }
        return head + "…" + tail
    }

    /// `text` padded with spaces to `width` characters.
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// `text` broken at spaces into lines of at most `width - indent` characters, each
    /// indented; a word longer than that is cut into pieces.
    static func wrap(_ text: String, indent: Int, width: Int = StatusFormatting.width) -> [String] {
        let room = max(10, width - indent)
        let prefix = String(repeating: " ", count: indent)
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = Substring(word)
            while word.count > room {
                if !line.isEmpty { lines.append(line); line = "" }
                lines.append(String(word.prefix(room)))
                word = word.dropFirst(room)
            }
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= room {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines.map { prefix + $0 }
    }

    /// `92%`, `4.2%`: one decimal below 10%, none above.
    static func percent(_ value: Double) -> String {
        value < 10 && value.rounded(.down) != value ? String(format: "%.1f%%", value) : "\(Int(value.rounded(.down)))%"
    }
}
