import FlashPlanEngine
import FlashPlanModel
import Foundation

/// Checks a saved plan before `apply FILE` runs it (DESIGN §5): not older than
/// `--plan-max-age`, and exactly the plan the configuration and the state call for at the
/// plan's time. An edited plan file can therefore never make flashplan delete, destroy or
/// restore anything the configuration does not ask for.
enum SavedPlanCheck {
    /// Why the plan may not be applied, or nil.
    static func refusal(
        _ saved: Plan, file: String, configuration: Configuration, session: StateSession, now: Date, maxAge: TimeInterval,
        allowClockJump: Bool = false
    ) -> String? {
        let age = now.timeIntervalSince(saved.now)
        if age > maxAge {
            return "\(file) was made for \(saved.now.iso8601), \(Int(age / 60)) minutes before \(now.iso8601); plans older than --plan-max-age (\(Int(maxAge / 60)) minutes) are refused, so that backup names never carry a time far from their creation. Make a new plan."
        }
        if age < -60 {
            return "\(file) was made for \(saved.now.iso8601), later than now (\(now.iso8601)); make a new plan."
        }
        // The stale check (lineage, serial) runs when the apply begins; a plan of another
        // state cannot be recomputed meaningfully, so leave it to that check.
        // A plan made with no state at all was made against empty storage.
        guard let observed = try? session.backend.observe(at: saved.now),
            (observed.lineage == saved.state.lineage && observed.serial == saved.state.serial)
                || (saved.state.lineage.isEmpty && observed.arrays.isEmpty && observed.volumes.isEmpty)
        else { return nil }
        let recomputed = Planner(
            configuration: configuration, observed: observed, now: saved.now,
            options: PlanOptions(targets: saved.targets, excludes: saved.excludes, allowClockJump: allowClockJump)
        ).plan()
        return difference(saved: saved.actions, expected: recomputed.actions).map {
            "\(file) is not the plan the configuration and the state call for: \($0). It may have been edited, or the configuration changed since; make a new plan (`flashplan plan --out \(file)`)."
        }
    }

    /// The first difference between two action lists, in words; nil when they are the same.
    /// Actions are compared by what they do (their JSON), in order.
    static func difference(saved: [PlanAction], expected: [PlanAction]) -> String? {
        let expectedByID = Dictionary(expected.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let savedIDs = Set(saved.map(\.id))
        for action in saved where expectedByID[action.id] == nil {
            return "it has \(action.id), which is not called for"
        }
        for action in expected where !savedIDs.contains(action.id) {
            return "it lacks \(action.id)"
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for action in saved {
            guard let other = expectedByID[action.id] else { continue }
            if action == other { continue }
            // Equal in what they do (a pool's declared place is not in the file)?
            let a = try? encoder.encode(Comparable(action)), b = try? encoder.encode(Comparable(other))
            if a == nil || a != b { return "\(action.id) differs from what is called for" }
        }
        return nil
    }

    /// What an action does, without its words: the reason may be worded differently.
    struct Comparable: Encodable {
        var id: String
        var dependsOn: [String]
        var operations: [StorageOperation]
        var destructive: Bool
        var blockedBy: String?

        init(_ action: PlanAction) {
            id = action.id.description
            dependsOn = action.dependsOn.map(\.description).sorted()
            operations = action.operations
            destructive = action.destructive
            blockedBy = action.blockedBy
        }
    }
}
