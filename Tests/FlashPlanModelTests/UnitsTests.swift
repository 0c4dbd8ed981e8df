import FlashPlanModel
import Foundation
import Testing

/// Sizes (`512GiB`, `1.5TB`) and percentages (`80%`) as the configuration language writes them.
@Suite("Units")
struct UnitsTests {
    @Test(arguments: [
        ("1B", UInt64(1)),
        ("512GiB", UInt64(512) << 30),
        ("2TiB", UInt64(2) << 40),
        ("1PiB", UInt64(1) << 50),
        ("4KiB", UInt64(4096)),
        ("10MiB", UInt64(10) << 20),
        ("1.5TiB", UInt64(3) << 39),
        ("1KB", UInt64(1_000)),
        ("100MB", UInt64(100_000_000)),
        ("100 GB", UInt64(100_000_000_000)),
        ("1.5TB", UInt64(1_500_000_000_000)),
        ("12TB", UInt64(12_000_000_000_000)),
        ("2PB", UInt64(2_000_000_000_000_000)),
        ("0GiB", UInt64(0)),
        (" 7TB ", UInt64(7_000_000_000_000)),
    ])
    func byteCountParsesBinaryAndDecimalUnits(text: String, bytes: UInt64) {
        #expect(ByteCount(parsing: text)?.bytes == bytes)
    }

    @Test(arguments: ["", "12", "TB", "12 parsecs", "1.5.5TB", "-1TB", "1e3GB", "12tb", "12Tb", "0x10GiB", "12TB!", "∞TB", "99999999PiB"])
    func byteCountRejects(text: String) {
        #expect(ByteCount(parsing: text) == nil)
    }

    @Test(arguments: [
        (UInt64(0), "0B"),
        (UInt64(512), "512B"),
        (UInt64(1024), "1KiB"),
        (UInt64(1536), "1.5KiB"),
        (UInt64(512) << 30, "512GiB"),
        (UInt64(2) << 40, "2TiB"),
        (UInt64(3) << 39, "1.5TiB"),
        (UInt64(1_000_000_000_000), "931.32GiB"),
        (UInt64(12_000_000_000_000), "10.91TiB"),
        (UInt64(1) << 50, "1PiB"),
        (UInt64(4096) << 50, "4096PiB"),
    ])
    func byteCountIsShownInBinaryUnits(bytes: UInt64, text: String) {
        #expect(ByteCount(bytes: bytes).description == text)
    }

    @Test func byteCountRoundTripsThroughItsDescriptionWhenExact() {
        for text in ["512GiB", "2TiB", "1.5TiB", "100MiB", "3KiB"] {
            #expect(ByteCount(parsing: text)?.description == text)
        }
    }

    @Test func byteCountArithmetic() {
        #expect(ByteCount.tib(1) + .tib(1) == .tib(2))
        #expect(ByteCount.tib(1) - .tib(2) == .zero, "subtraction saturates at zero")
        #expect(ByteCount.gib(1024) == .tib(1))
        #expect(ByteCount.tb(1) < ByteCount.tib(1))
        #expect(ByteCount.mib(1) == ByteCount(bytes: 1 << 20))
        #expect(ByteCount.kib(1) == ByteCount(bytes: 1024))
        var total = ByteCount.zero
        total += .gib(512)
        total += .gib(512)
        #expect(total == .tib(1))
    }

    @Test func byteCountEncodesAsPlainBytes() throws {
        let data = try JSONEncoder().encode([ByteCount.kib(2)])
        #expect(String(decoding: data, as: UTF8.self) == "[2048]")
        #expect(try JSONDecoder().decode([ByteCount].self, from: data) == [.kib(2)])
    }

    @Test(arguments: [("80%", 80.0), ("12.5%", 12.5), ("0%", 0.0), ("300%", 300.0), (" 5 %", 5.0)])
    func percentageParses(text: String, value: Double) {
        #expect(Percentage(parsing: text)?.value == value)
    }

    @Test(arguments: ["80", "%", "lots%", "-5%", "nan%", "inf%", "80%%", ""])
    func percentageRejects(text: String) {
        #expect(Percentage(parsing: text) == nil)
    }

    @Test func percentageDescriptionAndFraction() {
        #expect(Percentage(80).description == "80%")
        #expect(Percentage(12.5).description == "12.5%")
        #expect(Percentage(300).fraction == 3)
        #expect(Percentage(5) < Percentage(80))
    }

    @Test func percentageEncodesAsPlainNumber() throws {
        let data = try JSONEncoder().encode([Percentage(12.5)])
        #expect(String(decoding: data, as: UTF8.self) == "[12.5]")
    }

    @Test func arrayCatalogue() {
        #expect(ArrayModel.flashSystem710.capacitiesTB == [1, 2, 3, 4, 5])
        #expect(ArrayModel.flashSystem810.capacitiesTB == [2, 4, 6, 8, 10])
        #expect(ArrayModel.flashSystem720.capacitiesTB == Array(6...12))
        #expect(ArrayModel.flashSystem820.capacitiesTB == Array(12...24))
        #expect(ArrayModel.flashSystem720.capacities.contains(.tb(12)))
        #expect(!ArrayModel.flashSystem720.capacities.contains(.tib(12)), "capacities are decimal terabytes")
    }
}
