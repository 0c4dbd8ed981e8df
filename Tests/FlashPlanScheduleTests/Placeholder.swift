import Testing

@Test func placeholder_FlashPlanScheduleTests() { #expect(Bool(true)) }
