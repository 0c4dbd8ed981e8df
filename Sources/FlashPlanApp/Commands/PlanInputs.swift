import FlashPlanEngine
import FlashPlanConfig
import FlashPlanModel
import Foundation
import Synchronization

/// Loads the configuration and observes the storage, the two inputs of a plan.
///
/// They are independent, so when a state already exists both run at once (the
/// configuration on this thread, the observation on another): a plan at fleet scale
/// costs the slower of the two instead of their sum. A state that does not exist yet
/// is only created once the configuration has proved valid, so bad input changes nothing.
enum PlanInputs {
    static func load(
        directory: String, strict: Bool, statePath: String, now: Date, open: (String) throws -> StateSession
    ) throws -> (LoadResult, StateSession?, ObservedState?) {
        guard FileManager.default.fileExists(atPath: statePath) else {
            let loaded = try Validation.loadConfiguration(directory: directory, strict: strict)
            if loaded.hasErrors { return (loaded, nil, nil) }
            let session = try open(statePath)
            return (loaded, session, try session.backend.observe(at: now))
        }
        let session = try open(statePath)
        let backend = session.backend
        let observation = Mutex<Result<ObservedState, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let result = Result { try backend.observe(at: now) }
            observation.withLock { $0 = result }
            done.signal()
        }
        let loaded = Result { try Validation.loadConfiguration(directory: directory, strict: strict) }
        done.wait()
        let observed = try observation.withLock { $0! }.get()
        return (try loaded.get(), session, observed)
    }
}
