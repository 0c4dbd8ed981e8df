/// Makes text from a configuration file or the file system safe to print.
///
/// Diagnostics echo what users wrote — keys, values, tags, file names, source lines — to a
/// terminal, a journal and JSON for CI. A control character in them (an ESC starting a
/// terminal sequence, a newline forging a second diagnostic line, a bidirectional override
/// reordering what is shown) must not act; it is shown as a Swift-style escape, `\u{1B}`.
/// Messages and notes are escaped once, where a diagnostic is made (`Diagnostic.init`), so
/// that text and JSON carry the same safe message; the renderer escapes what it takes from
/// elsewhere: file names and source lines.
public enum Escaping {
    /// `text` with every control character (C0, DEL, C1), line or paragraph separator and
    /// bidirectional control written as `\u{…}` (`\t` and `\n`… as such), other text unchanged.
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }

    /// Messages at most this many characters: a 64 KiB value quoted in one is cut.
    public static let maximumMessageLength = 2000

    /// `text`, cut in the middle with `…` when longer than `maximumMessageLength`.
    public static func shortened(_ text: String) -> String {
        guard text.utf8.count > maximumMessageLength else { return text }
        let scalars = text.unicodeScalars
        guard scalars.count > maximumMessageLength else { return text }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars.prefix(maximumMessageLength / 2))
        out.append("…")
        out.append(contentsOf: scalars.suffix(maximumMessageLength / 2 - 1))
        return String(out)
    }

    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x2028, 0x2029: true  // line and paragraph separators
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true  // bidirectional controls
        case 0xFEFF: true
        default: false
        }
    }
}
