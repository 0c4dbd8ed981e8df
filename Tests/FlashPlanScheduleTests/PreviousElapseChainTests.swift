import Foundation
import Testing
@testable import FlashPlanSchedule

private func at(_ iso: String) -> Date {
    guard let d = ISO8601DateFormatter().date(from: iso) else { fatalError("bad test date \(iso)") }
    return d
}

/// DESIGN §3: the latest elapse at or before `now` is the last element of
/// the chain a timer running all along follows, so a fall-back fold never
/// makes a backup due twice.
@Suite struct PreviousElapseChainTests {
    /// Europe/Rome repeats 02:00–03:00 on 2026-10-25. The chain from the day
    /// before fires at 02:30 CEST (00:30Z) and next at 02:30 CET on the 26th;
    /// the second 02:30 (01:30Z) is not an elapse of that chain.
    /// (Before 2026-12 previousElapse returned the second 02:30 here.)
    @Test func romeFoldFiresOnce() throws {
        let rome = try #require(TimeZone(identifier: "Europe/Rome"))
        for expression in ["*-*-* 02:30:00", "*-*-* 02:30:00 Europe/Rome"] {
            let event = try CalendarEvent(parsing: expression)
            let chain = event.nextElapses(after: at("2026-10-24T00:00:00Z"), count: 3, defaultTimeZone: rome)
            #expect(chain == [at("2026-10-24T00:30:00Z"), at("2026-10-25T00:30:00Z"), at("2026-10-26T01:30:00Z")])
            // After the second 02:30 the latest elapse is still the first one.
            for now in ["2026-10-25T01:30:00Z", "2026-10-25T01:45:00Z", "2026-10-25T12:00:00Z", "2026-10-26T01:29:59Z"] {
                #expect(event.previousElapse(atOrBefore: at(now), defaultTimeZone: rome) == at("2026-10-25T00:30:00Z"),
                        "\(expression) at \(now)")
            }
        }
    }
}

/// One recorded chain (see Fixtures/generate_chains.py).
struct SystemdChain: Decodable, Sendable, CustomTestStringConvertible {
    var expression: String
    var timezone: String
    /// The zone change the chain crosses (UTC epoch seconds).
    var change: Int
    /// Two days before `change`.
    var base: Int
    var next: [Int]

    var testDescription: String { "\(expression) | TZ=\(timezone) | across @\(change)" }

    struct File: Decodable {
        var systemd_version: String
        var cases: [SystemdChain]
    }

    static let all: [SystemdChain] = {
        guard let url = Bundle.module.url(forResource: "systemd-chains", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data) else { return [] }
        return file.cases
    }()

    /// Every element is the latest elapse at or before itself, and stays the
    /// latest until a second before the next one.
    static func checkPreviousElapses(_ expression: String, zone: TimeZone, chain: [Int],
                                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        let event = try CalendarEvent(parsing: expression)
        for (i, e) in chain.enumerated() {
            let elapse = Date(timeIntervalSince1970: TimeInterval(e))
            #expect(event.previousElapse(atOrBefore: elapse, defaultTimeZone: zone) == elapse,
                    "at \(e)", sourceLocation: sourceLocation)
            #expect(event.previousElapse(atOrBefore: elapse.addingTimeInterval(0.5), defaultTimeZone: zone) == elapse,
                    "at \(e) + 0.5 s", sourceLocation: sourceLocation)
            if i + 1 < chain.count {
                let justBefore = Date(timeIntervalSince1970: TimeInterval(chain[i + 1] - 1))
                #expect(event.previousElapse(atOrBefore: justBefore, defaultTimeZone: zone) == elapse,
                        "at \(chain[i + 1]) - 1 s", sourceLocation: sourceLocation)
            }
        }
    }
}

/// systemd's own chains across the 2026 folds and gaps of five zones.
@Suite struct SystemdChainTests {
    @Test func fixtureIsPresent() {
        #expect(SystemdChain.all.count == 200)
    }

    @Test(arguments: SystemdChain.all)
    func previousElapseWalksSystemdsChain(_ c: SystemdChain) throws {
        let zone = try #require(TimeZone(identifier: c.timezone))
        let event = try CalendarEvent(parsing: c.expression)
        // The chain is ours too (systemd parity) …
        let ours = event.nextElapses(after: Date(timeIntervalSince1970: TimeInterval(c.base)), count: c.next.count, defaultTimeZone: zone)
        #expect(ours.map { Int($0.timeIntervalSince1970) } == c.next)
        // … and previousElapse names its elements: with the expression's zone
        // read from `settings.timezone` or named in the expression.
        try SystemdChain.checkPreviousElapses(c.expression, zone: zone, chain: c.next)
        if c.timezone == "UTC", let named = c.expression.split(separator: " ").last.map(String.init),
           let namedZone = TimeZone(identifier: named) {
            // The named zone wins over the default one, whatever that is.
            try SystemdChain.checkPreviousElapses(c.expression, zone: namedZone, chain: c.next)
        }
    }

    /// Where systemd is installed, it still lists the recorded chains.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")),
          arguments: SystemdChain.all)
    func systemdStillListsTheChain(_ c: SystemdChain) throws {
        let live = try LiveSystemdTests.run(c.expression, zone: c.timezone, base: Double(c.base), iterations: c.next.count)
        #expect(live.next == c.next, "systemd here differs from the recording")
    }
}

/// Random `now`s in the week around a 2026 zone change: the answer is the
/// last element at or before `now` of the chain iterated with nextElapse
/// from three days earlier (a week or a month more for weekly and monthly
/// events, so that the chain holds one).
@Suite struct PreviousElapsePropertyTests {
    /// SplitMix64, so failures reproduce.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let expressions: [(String, Double)] = [
        ("hourly", 0), ("daily", 0), ("weekly", 7), ("monthly", 31), ("*-*-* 02:30:00", 0), ("Sun 02:30", 7),
        ("*:30", 0), ("*-*-* 01:15:00", 0), ("*-*-* 00/4:15:00", 0), ("*-*-* 01:45:00", 0),
    ]

    @Test func matchesTheRunningChain() throws {
        var rng = Generator(state: 20_261_202)
        let changes = Dictionary(grouping: SystemdChain.all, by: { $0.timezone == "UTC" ? String($0.expression.split(separator: " ").last!) : $0.timezone })
            .mapValues { Set($0.map(\.change)).sorted() }
        #expect(changes.count == 5)
        let zones = changes.keys.sorted()
        for _ in 0..<800 {
            let (expression, extraDays) = Self.expressions.randomElement(using: &rng)!
            let zoneName = zones.randomElement(using: &rng)!
            let change = Double(changes[zoneName]!.randomElement(using: &rng)!)
            let named = Bool.random(using: &rng)
            let event = try CalendarEvent(parsing: named ? "\(expression) \(zoneName)" : expression)
            let zone = try #require(TimeZone(identifier: named ? "UTC" : zoneName))
            // Whole minutes or seconds, half of the time, to hit elapses exactly.
            var offset = Double.random(in: -3.5 * 86_400...3.5 * 86_400, using: &rng)
            if Bool.random(using: &rng) { offset = (offset / 60).rounded() * 60 }
            let now = Date(timeIntervalSince1970: change + offset)

            var cursor = now.addingTimeInterval(-(3 + extraDays) * 86_400)
            var expected: Date?
            while let n = event.nextElapse(after: cursor, defaultTimeZone: zone), n <= now {
                expected = n
                cursor = n
            }
            #expect(expected != nil)
            #expect(event.previousElapse(atOrBefore: now, defaultTimeZone: zone) == expected,
                    "\(event.expression) in \(zone.identifier) at \(now.timeIntervalSince1970)")
        }
    }
}

/// The remembered `[elapse, next elapse)` interval answers exactly as the search does, for
/// times moving forwards (a timer, a simulation), backwards and at random, across the
/// zone changes of several zones.
@Suite struct ElapseMemoTests {
    @Test(arguments: ["Europe/Rome", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"])
    func rememberedAnswersAreTheSearchsAnswers(_ zoneName: String) throws {
        let zone = try #require(TimeZone(identifier: zoneName))
        let expressions = ["hourly", "*-*-* 02:30:00", "Sun 03:00", "*-*-* 00/4:15:00", "*-*-01 00:00:00", "Mon..Fri *-*-* 01:45"]
        var generator = SystemRandomNumberGenerator()
        // Around the 2026 changes of most zones, and a stretch with none.
        let starts = [at("2026-03-27T00:00:00Z"), at("2026-10-23T00:00:00Z"), at("2026-04-03T00:00:00Z"), at("2026-07-01T00:00:00Z")]
        for expression in expressions {
            let event = try CalendarEvent(parsing: expression)
            for start in starts {
                var times = (0..<200).map { start.addingTimeInterval(Double($0) * 1_800) }  // forwards, every 30 min
                times += times.reversed()
                times += (0..<200).map { _ in start.addingTimeInterval(Double.random(in: 0..<(6 * 86_400), using: &generator)) }
                for time in times {
                    let remembered = event.previousElapse(atOrBefore: time, defaultTimeZone: zone)
                    #expect(remembered == event.previousElapseUncached(atOrBefore: time, defaultTimeZone: zone), "\(expression) in \(zoneName) at \(time)")
                }
            }
        }
    }
}
