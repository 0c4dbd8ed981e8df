// FlashPlanEngine
