import Testing

@testable import FlashPlanConfig

@Suite("Did you mean")
struct SuggestionTests {
    @Test func closestWithinAFewEdits() {
        #expect(Suggestion.closest(to: "comressed", in: ["compressed", "thin"]) == "compressed")
        #expect(Suggestion.closest(to: "Volumes", in: ["volumes"]) == "volumes", "case does not count")
        #expect(Suggestion.closest(to: "colour", in: ["site"]) == nil)
        #expect(Suggestion.hint(for: "dayly", in: ["daily", "weekly"]) == "; did you mean 'daily'?")
        #expect(Suggestion.hint(for: "xyz", in: ["daily"]) == "")
    }

    @Test func tiesGoToTheFirstInAlphabeticalOrder() {
        // Names come from sets: the hint must not depend on their order.
        for candidates in [["svc-1", "svc-2"], ["svc-2", "svc-1"]] {
            #expect(Suggestion.closest(to: "svc-9", in: candidates) == "svc-1")
        }
        #expect(Suggestion.closest(to: "svc-9", in: Set(["svc-3", "svc-2", "svc-4", "svc-1"])) == "svc-1")
    }

    @Test func levenshtein() {
        #expect(Suggestion.distance("kitten", "sitting") == 3)
        #expect(Suggestion.distance("", "abc") == 3)
        #expect(Suggestion.distance("same", "same") == 0)
    }
}
