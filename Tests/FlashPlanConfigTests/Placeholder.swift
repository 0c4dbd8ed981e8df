import Testing

@Test func placeholder_FlashPlanConfigTests() { #expect(Bool(true)) }
