import FlashPlanEngine
import FlashPlanApp
import FlashPlanModel
import Foundation
import Testing

/// `--lock-timeout`: a whole number and a unit, or `0`; nothing a float parser would
/// also take (`inf`, `1e3`, `0x10`), no sign, no overflow.
@Suite("Durations")
struct DurationParsingTests {
    static let day: Int64 = 86_400_000

    @Test(arguments: [
        ("0", Int64(0)),
        ("00", 0),
        ("0s", 0),
        ("0ms", 0),
        ("500ms", 500),
        ("1500ms", 1500),
        ("1s", 1000),
        ("30s", 30_000),
        ("090s", 90_000),
        ("2m", 120_000),
        ("5m", 300_000),
        ("1h", 3_600_000),
        ("24h", day),
        ("1440m", day),
        ("86400s", day),
        ("86400000ms", day),
    ])
    func accepted(text: String, milliseconds: Int64) throws {
        #expect(try DurationParser.milliseconds(text, maximum: Self.day) == milliseconds)
    }

    @Test(arguments: [
        ("", "it is empty"),
        ("30", "it has no unit"),
        ("5", "it has no unit"),
        ("s", "does not start with a number"),
        ("ms", "does not start with a number"),
        ("-5s", "no sign"),
        ("+5s", "no sign"),
        ("-0", "no sign"),
        ("1.5m", "fractions are not accepted"),
        ("0.5s", "fractions are not accepted"),
        ("1,5m", "fractions are not accepted"),
        (".5s", "does not start with a number"),
        ("1e3s", "'e3s' is not a unit"),
        ("1e3", "'e3' is not a unit"),
        ("0x10s", "'x10s' is not a unit"),
        ("0x10", "'x10' is not a unit"),
        ("inf", "does not start with a number"),
        ("infs", "does not start with a number"),
        ("nan", "does not start with a number"),
        ("nans", "does not start with a number"),
        ("30 s", "whitespace"),
        (" 30s", "whitespace"),
        ("30s ", "whitespace"),
        ("30s\n", "whitespace"),
        ("30s\u{0}", "control character"),
        ("30s\u{1B}", "control character"),
        ("30S", "'S' is not a unit"),
        ("30sec", "'sec' is not a unit"),
        ("1d", "'d' is not a unit"),
        ("1h30m", "'h30m' is not a unit"),
        ("30s30s", "'s30s' is not a unit"),
        ("٣٠s", "does not start with a number"),
        ("３0s", "does not start with a number"),
        ("25h", "longer than the most this flag allows, 24h"),
        ("86400001ms", "longer than the most this flag allows, 24h"),
        ("9223372036854775807ms", "longer than the most"),
        ("9223372036854775808s", "longer than the most"),
        ("99999999999999999999999999999999h", "longer than the most"),
        ("2562047788015216h", "longer than the most"),
    ])
    func refused(text: String, reason: String) {
        #expect {
            _ = try DurationParser.milliseconds(text, maximum: Self.day)
        } throws: { error in
            (error as? DurationParser.Refusal)?.reason.contains(reason) == true
        }
    }

    /// Overflow is refused even when the maximum is the largest there is.
    @Test(arguments: ["9223372036854775808ms", "9223372036854775807s", "2562047788015216h", String(repeating: "9", count: 1000) + "s"])
    func overflowIsRefusedNotTrapped(text: String) {
        #expect(throws: DurationParser.Refusal.self) { try DurationParser.milliseconds(text, maximum: .max) }
    }

    @Test func seconds() throws {
        #expect(try DurationParser.seconds("500ms", maximum: 60) == 0.5)
        #expect(try DurationParser.seconds("2m", maximum: 3600) == 120)
        #expect(throws: DurationParser.Refusal.self) { try DurationParser.seconds("2m", maximum: 60) }
    }

    @Test func theRefusalNamesTheFlagEchoesTheValueEscapedAndShowsAnExample() {
        #expect {
            _ = try DurationParser.seconds("1e3s\u{7}", flag: "--lock-timeout", maximum: 86_400)
        } throws: { error in
            "\(error)" == "--lock-timeout '1e3s\\u{7}' is refused: it contains a control character; "
                + "write a whole number and a unit (ms, s, m or h), e.g. 30s, 2m or 1h, or 0"
        }
    }
}
