import Foundation
import Testing

@testable import FlashPlanConfig
import FlashPlanModel

/// Shared helpers of the configuration tests.
enum Support {
    /// The repository root: three levels above this file (`Tests/FlashPlanConfigTests/Support.swift`).
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// This test target's directory in the source tree.
    static let testsDirectory: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// A small valid configuration the rule tests build on (`base.yaml`).
    ///
    /// Line numbers matter: tests refer to `base.yaml:LINE:COL`.
    static let base = """
        arrays:
          a1: { model: FlashSystem 720, capacity: 12TB }
          a2: { model: FlashSystem 820, capacity: 24TB }
        clusters:
          c1: { io_groups: 2 }
        pools:
          p1: { cluster: c1, capacity_from: [{ array: a1, capacity: 10TB }] }
          p2: { cluster: c1, capacity_from: [{ array: a2, capacity: 10TB }] }
        hosts:
          h1: {}
        volumes:
          v1: { pool: p1, size: 1TiB, hosts: [h1] }
        policies:
          daily: { frequency: daily, retention: { count: 7 } }
          weekly: { frequency: weekly, retention: { count: 4 } }

        """

    /// Loads `t.yaml` (and `base.yaml` first when `base` is true).
    static func load(_ yaml: String, base: Bool = true) -> LoadResult {
        var sources: [SourceFile] = []
        if base { sources.append(SourceFile(path: "base.yaml", text: Support.base)) }
        sources.append(SourceFile(path: "t.yaml", text: yaml))
        return ConfigurationLoader.load(sources: sources)
    }

    /// A readable list of diagnostics for failure messages.
    static func describe(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.isEmpty ? "(no diagnostics)" : diagnostics.map { "  \($0)" }.joined(separator: "\n")
    }
}
