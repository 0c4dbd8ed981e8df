import FlashPlanConfig
import FlashPlanEngine
import FlashPlanModel
import FlashPlanSchedule
import Foundation
import Yams

#if canImport(Glibc)
    import Glibc
#endif

/// Measures the performance targets of DESIGN §8 on a generated fleet and prints them.
/// Run: `swift run -c release flashplan-bench [--quick]`.
@main
struct Bench {
    static func main() throws {
        let quick = CommandLine.arguments.contains("--quick")
        var fleet = FleetGenerator()
        if quick { fleet.groups = 100 }
        let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("flashplan-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: work) }
        let config = work.appendingPathComponent("policies")
        try fleet.write(to: config)
        print("fleet: \(fleet.volumeCount) volumes, \(fleet.groups) resource groups")

        // validate vs the libyaml floor
        let files = try ConfigurationLoader.configurationFiles(in: config.path)
        let (yamlFloor, _) = try measure { for file in files { _ = try Yams.compose(yaml: String(contentsOfFile: file, encoding: .utf8), .basic) } }
        let (validate, loaded) = try measure { try ConfigurationLoader.load(directory: config.path) }
        guard !loaded.hasErrors else {
            print(loaded.renderer.render(loaded.diagnostics.prefix(5).map { $0 }))
            exit(1)
        }
        report("validate", validate, target: 0.5, floor: yamlFloor, floorName: "libyaml parse (Yams.compose)")

        // The pure planner over an in-memory state of 1,000,000 snapshots.
        let now = ISO8601DateFormatter().date(from: "2026-11-21T10:00:00Z")!
        let state = SyntheticState.make(loaded.configuration, now: now)
        let (planSeconds, plan) = measure { Planner(configuration: loaded.configuration, observed: state, now: now).plan() }
        report("planner (\(state.snapshots.count) snapshots)", planSeconds, target: 1.0)
        print("  plan: \(PlanTextRenderer.summaryLine(plan)) peak memory so far \(Int(peakMemoryMiB())) MiB")
    }

    static func measure<T>(_ body: () throws -> T) rethrows -> (Double, T) {
        let start = DispatchTime.now().uptimeNanoseconds
        let value = try body()
        return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, value)
    }

    static func report(_ name: String, _ seconds: Double, target: Double, floor: Double? = nil, floorName: String = "") {
        var line = String(format: "%-28@ %8.3f s  (target ≤ %.1f s: %@)", name as NSString, seconds, target, seconds <= target ? "met" : "MISSED")
        if let floor {
            line += String(format: "  floor %@ %.3f s, ratio %.2f×", floorName as NSString, floor, seconds / max(floor, 1e-9))
        }
        print(line)
    }

    /// Peak resident memory of this process so far, in MiB.
    static func peakMemoryMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
