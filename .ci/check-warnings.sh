#!/usr/bin/env bash
# Fails when a build log holds a compiler warning in the project's own code (Sources/
# or Tests/ of this checkout; the dependencies' warnings are theirs). A warning is
# shown once per file and position.
#
#   swift build --build-tests 2>&1 | tee build.log; .ci/check-warnings.sh build.log
#
# Only what was compiled is seen: CI builds a fresh clone, so everything is.
set -euo pipefail
cd "$(dirname "$0")/.."
log="${1:?usage: .ci/check-warnings.sh BUILD-LOG}"
root="$(pwd -P)"
warnings="$(grep -E "^($root/|$(pwd)/)?(Sources|Tests)/[^:]+:[0-9]+(:[0-9]+)?: warning:" "$log" | sort -u || true)"
if [ -n "$warnings" ]; then
  echo "$warnings"
  echo "error: $(wc -l <<<"$warnings") compiler warning(s) in the project's code (above)" >&2
  exit 1
fi
echo "compiler warnings in the project's code: none"
