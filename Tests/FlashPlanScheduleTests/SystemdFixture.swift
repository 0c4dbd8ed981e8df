import Foundation

/// One recorded `systemd-analyze calendar` run (see Fixtures/generate.py).
struct SystemdCase: Decodable, Sendable, CustomTestStringConvertible {
    var group: String
    var expression: String
    var timezone: String
    var base: Double
    var error: Bool
    var normalized: String?
    var next: [Int]?

    var testDescription: String { "\(expression) | TZ=\(timezone) | @\(base)" }
}

struct SystemdFixture: Decodable, Sendable {
    var systemd_version: String
    var cases: [SystemdCase]

    static let url = Bundle.module.url(forResource: "systemd-calendar", withExtension: "json", subdirectory: "Fixtures")

    static func load() -> SystemdFixture {
        guard let url, let data = try? Data(contentsOf: url),
              let fixture = try? JSONDecoder().decode(SystemdFixture.self, from: data) else {
            return SystemdFixture(systemd_version: "missing", cases: [])
        }
        return fixture
    }

    static let shared = load()
}

import Testing
