import FlashPlanModel
import Foundation
import Testing

/// `--now` and `schedule --base-time`: a full ISO-8601 date-time with `Z` or an offset,
/// anything else refused with the reason (DESIGN §5: "refused, never truncated").
@Suite("Command-line times")
struct CommandLineTimeTests {
    /// 2026-10-25T00:30:00Z, the instant of the design's example.
    static let example: TimeInterval = 1_792_888_200

    @Test(arguments: [
        ("2026-10-25T02:30:00+02:00", example),
        ("2026-10-25T00:30:00Z", example),
        ("2026-10-25T00:30:00+00:00", example),
        ("2026-10-25T00:30:00-00:00", example),
        ("2026-10-24T19:30:00-05:00", example),
        ("2026-10-25T06:00:00+05:30", example),
        ("2026-10-25T14:30:00+14:00", example),
        ("2026-10-24T10:30:00-14:00", example),
        ("2026-11-21T10:00:00Z", 1_795_255_200),
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T01:00:00+01:00", 0),
        ("2028-02-29T12:00:00Z", 1_835_438_400),
        ("2000-02-29T00:00:00Z", 951_782_400),
        ("2026-12-31T23:59:59Z", 1_798_761_599),
        ("9999-12-31T23:59:59Z", 253_402_300_799),
    ] as [(String, TimeInterval)])
    func accepted(text: String, seconds: TimeInterval) throws {
        #expect(try CommandLineTime.parse(text).timeIntervalSince1970 == seconds)
    }

    /// Each agrees with Foundation's own reading of the same text.
    @Test func agreesWithFoundation() throws {
        let formatter = ISO8601DateFormatter()
        for text in ["2026-10-25T02:30:00+02:00", "2026-03-29T01:59:59Z", "2024-02-29T23:00:00-03:00", "2026-11-21T10:00:00Z"] {
            #expect(try CommandLineTime.parse(text) == formatter.date(from: text), "\(text)")
        }
    }

    @Test(arguments: [
        // Not a date-time with a zone.
        ("", "it is empty"),
        ("2026-10-25", "a date without a time of day"),
        ("2026-10-25T02:30:00", "it has no zone"),
        ("2026-10-25T02:30", "no seconds"),
        ("2026-10-25T02:30Z", "no seconds"),
        ("2026-10-25T02", "not HH:MM:SS"),
        ("2026-10-25T", "not HH:MM:SS"),
        ("02:30:00Z", "does not start with a date"),
        ("20261025T023000Z", "does not start with a date"),
        ("2026-298T02:30:00Z", "does not start with a date"),
        ("2026-W43-7T02:30:00Z", "does not start with a date"),
        ("26-10-25T02:30:00Z", "does not start with a date"),
        ("+2026-10-25T02:30:00Z", "does not start with a date"),
        ("12026-10-25T02:30:00Z", "does not start with a date"),
        ("2026-1-25T02:30:00Z", "does not start with a date"),
        ("2026-10-25T2:30:00Z", "not HH:MM:SS"),
        ("2026-10-25T02:30:0Z", "seconds are not two digits"),
        ("2026-10-25T02:30:000Z", "seconds are not two digits"),
        ("1792888200", "does not start with a date"),
        ("@1792888200", "does not start with a date"),
        ("now", "does not start with a date"),
        // Separators and case.
        ("2026-10-25t02:30:00Z", "uppercase 'T'"),
        ("2026-10-25_02:30:00Z", "followed by 'T'"),
        ("2026-10-25T02:30:00z", "uppercase 'Z'"),
        ("2026/10/25T02:30:00Z", "does not start with a date"),
        // Fractions: whole seconds only, never truncated.
        ("2026-10-25T02:30:00.5Z", "fractional seconds"),
        ("2026-10-25T02:30:00.000Z", "fractional seconds"),
        ("2026-10-25T02:30:00,5Z", "fractional seconds"),
        ("2026-10-25T02:30:00.Z", "fractional seconds"),
        ("2026-10-25T02:30:00.5e3Z", "fractional seconds"),
        // Offsets.
        ("2026-10-25T02:30:00+2", "offset is not ±HH:MM"),
        ("2026-10-25T02:30:00+02", "offset is not ±HH:MM"),
        ("2026-10-25T02:30:00+0200", "offset is not ±HH:MM"),
        ("2026-10-25T02:30:00+02:0", "offset is not ±HH:MM"),
        ("2026-10-25T02:30:00+02:000", "offset is not ±HH:MM"),
        ("2026-10-25T02:30:00+15:00", "offset +15:00 does not exist"),
        ("2026-10-25T02:30:00-99:99", "offset -99:99 does not exist"),
        ("2026-10-25T02:30:00+02:60", "offset +02:60 does not exist"),
        ("2026-10-25T02:30:00UTC", "followed by Z or an offset"),
        ("2026-10-25T02:30:00 Europe/Rome", "whitespace"),
        ("2026-10-25T02:30:00ZZ", "text after the zone"),
        ("2026-10-25T02:30:00Z+02:00", "text after the zone"),
        ("2026-10-25T02:30:00\u{2212}02:00", "not ASCII"),
        // Fields out of range.
        ("2026-13-01T00:00:00Z", "month 13 does not exist"),
        ("2026-00-10T00:00:00Z", "month 0 does not exist"),
        ("2026-02-30T00:00:00Z", "day 30 does not exist in February 2026"),
        ("2026-02-29T00:00:00Z", "day 29 does not exist in February 2026"),
        ("2100-02-29T00:00:00Z", "day 29 does not exist in February 2100"),
        ("2026-04-31T00:00:00Z", "day 31 does not exist in April 2026"),
        ("2026-10-00T00:00:00Z", "day 0 does not exist"),
        ("2026-10-25T24:00:00Z", "24:00:00 is not accepted"),
        ("2026-10-25T25:00:00Z", "hour 25 does not exist"),
        ("2026-10-25T02:60:00Z", "minute 60 does not exist"),
        ("2026-12-31T23:59:60Z", "leap seconds"),
        ("2026-10-25T02:30:61Z", "second 61 does not exist"),
        ("1969-12-31T23:59:59Z", "before 1970"),
        ("0000-01-01T00:00:00Z", "before 1970"),
        ("1970-01-01T00:00:00+00:01", "before 1970"),
        // Whitespace, control characters, look-alike digits, trailing text.
        (" 2026-10-25T02:30:00Z", "whitespace"),
        ("2026-10-25T02:30:00Z ", "whitespace"),
        ("2026-10-25T02:30:00Z\n", "whitespace"),
        ("2026-10-25 02:30:00Z", "whitespace"),
        ("2026-10-25T02:30:00Z\u{0}", "control character"),
        ("2026-10-25T02:30:00Z\u{1B}[2J", "control character"),
        ("2026-10-25T02:30:00Z\u{202E}", "not ASCII"),
        ("٢٠٢٦-10-25T02:30:00Z", "not ASCII"),
        ("２026-10-25T02:30:00Z", "not ASCII"),
        ("2026-10-25T02:30:00Zjunk", "text after the zone"),
        ("2026-10-25T02:30:00+02:00[Europe/Paris]", "text after the zone"),
        ("inf", "does not start with a date"),
        ("nan", "does not start with a date"),
    ])
    func refused(text: String, reason: String) {
        #expect {
            _ = try CommandLineTime.parse(text)
        } throws: { error in
            (error as? CommandLineTime.Refusal)?.reason.contains(reason) == true
        }
    }

    @Test func theRefusalNamesTheFlagEchoesTheValueEscapedAndShowsAnExample() {
        #expect {
            _ = try CommandLineTime.parse("2026-10-25T02:30:00\u{1B}[31m\n", flag: "--now")
        } throws: { error in
            let message = "\(error)"
            return message.hasPrefix("--now '2026-10-25T02:30:00\\u{1B}[31m\\n' is refused: it contains whitespace")
                && message.hasSuffix("write a full ISO-8601 date-time with Z or an offset, e.g. 2026-10-25T02:30:00+02:00 or 2026-11-21T10:00:00Z")
                && !message.contains("\u{1B}") && !message.contains("\n")
        }
    }

    @Test func aLongValueIsCutForDisplayOnly() {
        let text = "2026-10-25T02:30:00Z" + String(repeating: "x", count: 100_000)
        #expect {
            _ = try CommandLineTime.parse(text, flag: "--now")
        } throws: { error in
            let message = "\(error)"
            return message.count < 400 && message.contains("…") && message.contains("text after the zone")
                && (error as? FlagValueError)?.value == text
        }
    }
}
