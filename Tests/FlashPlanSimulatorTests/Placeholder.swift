import Testing

@Test func placeholder_FlashPlanSimulatorTests() { #expect(Bool(true)) }
