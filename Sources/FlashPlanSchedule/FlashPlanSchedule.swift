// FlashPlanSchedule
