#ifndef FLASHPLAN_BUILD_INFO_H
#define FLASHPLAN_BUILD_INFO_H

/// The commit this flashplan was built from, for `flashplan --version`, or "unknown".
///
/// A C function because only a C macro can carry a value from the build into the
/// binary: Package.swift defines FLASHPLAN_COMMIT from the environment variable
/// of the same name, which contrib/package/build.sh sets.
const char *flashplan_build_commit(void);

#endif
