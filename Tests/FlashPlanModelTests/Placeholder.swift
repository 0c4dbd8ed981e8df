import Testing

@Test func placeholder_FlashPlanModelTests() { #expect(Bool(true)) }
