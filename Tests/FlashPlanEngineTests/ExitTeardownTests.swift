@testable import FlashPlanApp
import Testing

/// `ExitTeardown`: what a command hands over is freed as usual unless the process asked
/// to keep it until exit (the `flashplan` executable does; library callers do not).
@Suite struct ExitTeardownTests {
    final class Probe: Sendable {}

    @Test func valuesAreFreedAsUsualUntilTheProcessAsksToKeepThem() {
        let teardown = ExitTeardown()
        weak var freed: Probe?
        do {
            let probe = Probe()
            freed = probe
            teardown.keep(probe, [probe])
        }
        #expect(freed == nil, "kept although the process never asked")

        teardown.keepLargeValuesUntilExit()
        weak var kept: Probe?
        do {
            let probe = Probe()
            kept = probe
            teardown.keep([probe])
        }
        #expect(kept != nil, "freed although the process asked to keep it until exit")
    }

    @Test func theSharedTeardownKeepsNothingUnlessAsked() {
        // Tests and library callers never ask: PlanRunner and ApplyRunner free as usual.
        weak var freed: Probe?
        do {
            let probe = Probe()
            freed = probe
            ExitTeardown.shared.keep(probe)
        }
        #expect(freed == nil)
    }
}
