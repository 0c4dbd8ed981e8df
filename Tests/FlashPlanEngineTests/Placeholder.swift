import Testing

@Test func placeholder_FlashPlanEngineTests() { #expect(Bool(true)) }
