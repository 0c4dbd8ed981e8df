// FlashPlanSimulator
