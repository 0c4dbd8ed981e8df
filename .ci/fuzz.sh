#!/usr/bin/env bash
# Fuzzes configuration loading and validation, and the value parsers, with libFuzzer
# for a fixed budget; fails on any crash, hang (timeout) or out-of-memory.
#
#   bash .ci/fuzz.sh                       # 120 s on `config`, 60 s on `values`
#   FUZZ_SECONDS=600 bash .ci/fuzz.sh      # that many seconds on each target
#   FUZZ_TARGETS=values bash .ci/fuzz.sh   # one target only
#
# Builds Sources/flashplan-fuzz with -sanitize=fuzzer,address into .build-fuzz (never
# .build: sanitizer objects must not mix with the ordinary build), assembles a seed
# corpus in a temporary directory from policies/, the test fixtures and the YAML examples
# of docs/configuration.md (config) and the calendar events of the systemd fixtures
# (values), and runs each target. A crash, a hang or an OOM leaves its input in
# .build-fuzz/findings/ and the script exits 1; replay one with
#   FLASHPLAN_FUZZ_TARGET=config .build-fuzz/release/flashplan-fuzz FILE
# or, without sanitizers, `swift run flashplan-fuzz --target config FILE`.
# docs/reliability.md ("Fuzzing") says what is covered and what was found.
set -euo pipefail
cd "$(dirname "$0")/.."

config_seconds="${FUZZ_SECONDS:-120}"
values_seconds="${FUZZ_SECONDS:-60}"
targets="${FUZZ_TARGETS:-config values}"

# -sanitize=fuzzer and address in one flag: given as two, the driver keeps only the last
# for compiling. --sanitize=fuzzer as well tells SwiftPM that libFuzzer supplies main.
swift build -c release --scratch-path .build-fuzz --product flashplan-fuzz \
  --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer,address \
  -Xswiftc -DFUZZING
binary=.build-fuzz/release/flashplan-fuzz

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
findings=.build-fuzz/findings
mkdir -p "$findings"

# config: every YAML file alone, each directory's files as one input (the files joined by
# the separator line `#@file`), and each ```yaml block of the configuration reference.
mkdir -p "$work/config" "$work/values"
n=0
while IFS= read -r dir; do
  first=true
  for file in "$dir"/*.yaml "$dir"/*.yml; do
    [ -f "$file" ] || continue
    n=$((n + 1))
    cp "$file" "$work/config/file-$n.yaml"
    if [ "$first" = true ]; then first=false; else printf '\n#@file\n' >>"$work/config/dir-$n.yaml"; fi
    cat "$file" >>"$work/config/dir-$n.yaml"
  done
done < <(find policies Tests -type f \( -name '*.yaml' -o -name '*.yml' \) -printf '%h\n' | sort -u)
awk '/^```yaml/ { n++; inside = 1; next } /^```/ { inside = 0; next } inside { print > (dir "/doc-" n ".yaml") }' \
  dir="$work/config" docs/configuration.md
# values: the calendar events of the systemd fixtures, and one value of each other kind.
python3 - "$work/values" <<'EOF'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
seen = set()
for name in ("systemd-calendar.json", "systemd-chains.json"):
    path = pathlib.Path("Tests/FlashPlanScheduleTests/Fixtures") / name
    if not path.exists():
        continue
    for case in json.loads(path.read_text()).get("cases", []):
        expression = case.get("expression")
        if isinstance(expression, str):
            seen.add(expression)
seen |= {"512GiB", "1.5TB", "80%", "2026-10-25T02:30:00+02:00", "2026-11-21T10:00:00Z",
         "snapshot.v1/daily-20261121T100000Z", "backup.g1/weekly-1", "volume.v1", "group.g1"}
for i, text in enumerate(sorted(seen)):
    (out / f"seed-{i}").write_text(text)
EOF
echo "seeds: $(ls "$work/config" | wc -l) config, $(ls "$work/values" | wc -l) values"

status=0
for target in $targets; do
  case "$target" in
    config) seconds="$config_seconds" ;;
    values) seconds="$values_seconds" ;;
    *) echo "unknown fuzz target $target (config or values)" >&2; exit 2 ;;
  esac
  echo "==> fuzzing $target for ${seconds}s"
  log="$work/$target.log"
  # Leak detection is off: Swift keeps type metadata, the zone-rule and schedule caches and
  # Foundation's singletons for the life of the process, which LeakSanitizer would report at
  # exit as noise; memory that grows per input is still caught by -rss_limit_mb.
  # SWIFT_BACKTRACE=enable=no: libFuzzer, not Swift's backtracer, must handle a crash, so
  # that it writes the input that caused it.
  set +e
  FLASHPLAN_FUZZ_TARGET="$target" SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 \
    "$binary" "$work/$target" -dict="contrib/fuzz/$target.dict" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$findings/$target-" >"$log" 2>&1
  code=$?
  set -e
  grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^Done [0-9]+ runs|^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb|new_units_added)' "$log" || true
  if [ "$code" -ne 0 ]; then
    status=1
    echo "fuzzing $target FAILED (exit $code); the end of its log:" >&2
    tail -n 60 "$log" >&2
    echo "inputs kept in $findings:" >&2
    ls -l "$findings" >&2
  fi
done
exit "$status"
