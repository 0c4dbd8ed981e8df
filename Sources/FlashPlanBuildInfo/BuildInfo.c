#include "FlashPlanBuildInfo.h"

// A build that did not say (a plain `swift build`) must not claim a commit.
#ifndef FLASHPLAN_COMMIT
#define FLASHPLAN_COMMIT "unknown"
#endif

const char *flashplan_build_commit(void) { return FLASHPLAN_COMMIT; }
