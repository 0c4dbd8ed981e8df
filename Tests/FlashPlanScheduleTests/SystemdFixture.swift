import Foundation
import Testing

/// One recorded `systemd-analyze calendar` run (see Fixtures/generate.py).
struct SystemdCase: Decodable, Sendable, CustomTestStringConvertible {
    var group: String
    var expression: String
    var timezone: String
    var base: Double
    var error: Bool
    var normalized: String?
    var next: [Int]?
    /// systemd gave up (its iteration safety valve) and printed nothing.
    var stuck: Bool?

    var testDescription: String { "\(expression) | TZ=\(timezone) | @\(base)" }
}

struct SystemdFixture: Decodable, Sendable {
    var systemd_version: String
    var cases: [SystemdCase]

    static let url = Bundle.module.url(forResource: "systemd-calendar", withExtension: "json", subdirectory: "Fixtures")

    /// The committed fixture, or the file named by FLASHPLAN_SCHEDULE_FIXTURE
    /// (for stress runs with a bigger generated set).
    static func load() -> SystemdFixture {
        let override = ProcessInfo.processInfo.environment["FLASHPLAN_SCHEDULE_FIXTURE"].map { URL(fileURLWithPath: $0) }
        guard let url = override ?? url, let data = try? Data(contentsOf: url),
              let fixture = try? JSONDecoder().decode(SystemdFixture.self, from: data) else {
            return SystemdFixture(systemd_version: "missing", cases: [])
        }
        return fixture
    }

    static let shared = load()
}
