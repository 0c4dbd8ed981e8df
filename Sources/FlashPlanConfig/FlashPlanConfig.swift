// FlashPlanConfig
