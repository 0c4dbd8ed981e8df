#!/usr/bin/env bash
# flashplan-review.sh — review a pull request that changes flashplan's configuration,
# in any CI system (GitHub Actions, GitLab CI, Jenkins, a git hook…).
#
# It takes the base branch's configuration out of git (`git archive BASE DIR | tar -x`
# into a temporary directory; the checkout is not touched), then runs
#
#   flashplan validate --config DIR
#   flashplan diff --base <base's DIR> --config DIR --format markdown   (and --format json)
#
# prints the markdown (ready to post as a pull-request comment; --output FILE also
# writes it to FILE for the CI's comment step) and decides the job's result:
#
#   exit 0   the proposal is valid and destroys nothing (or --allow-destructive was given)
#   exit 1   errors: the proposal does not validate, either configuration has errors,
#            the proposed plan has errors (e.g. a lowered volume size), the base cannot
#            be read from git, or flashplan failed
#   exit 2   the change is destructive and --allow-destructive was not given
#   exit 64  usage error
#
# "Destructive" is read from `flashplan diff --format json` (schemas/diff.schema.json):
#   - now: an action only the proposed plan takes, or takes differently, whose severity is
#     not "routine" (prunes the base would not make, deletions, resyncs, copies a mirror
#     update drops), and backups the proposal would leave unmanaged
#     (plans.unmanaged_only_proposed);
#   - over --days: a resource group/label that keeps fewer backups at the end of the
#     proposed simulation than of the base one (a lowered retention, a removed policy or
#     group). This is what catches a lowered retention when the CI has no state.
#
# Usage:
#   contrib/ci/flashplan-review.sh [--base REF] [--config DIR] [--state PATH] [--now TIME]
#                                  [--days N] [--output FILE] [--allow-destructive]
#
#   --base REF            the commit or branch the change starts from
#                         (default: $FLASHPLAN_REVIEW_BASE, else origin/main)
#   --config DIR          the configuration directory, relative to the repository's top
#                         (default: policies)
#   --state PATH          a copy of the production state to compare against (default:
#                         none — both configurations start from empty storage, so only the
#                         simulated consequences show what the change destroys)
#   --now TIME            the time to compare at (ISO-8601; default: now)
#   --days N              days to simulate both configurations (default: 30)
#   --output FILE         also write the markdown to FILE
#   --allow-destructive   report destructive changes but do not fail on them (e.g. when
#                         the pull request carries an "allow-destructive" label)
#
# Needs git, tar, flashplan on PATH (or $FLASHPLAN) and python3 or jq. Run it from
# inside the repository's checkout, with the base commit fetched (e.g. actions/checkout
# with fetch-depth: 0). Example, GitHub Actions:
#
#   - run: contrib/ci/flashplan-review.sh --base "origin/$GITHUB_BASE_REF" --output review.md
#   - if: always()
#     run: gh pr comment "$PR" --body-file review.md
set -euo pipefail

usage() { sed -n '/^# Usage:/,/^#   --allow-destructive/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }

base=${FLASHPLAN_REVIEW_BASE:-origin/main}
config=policies
state=""
now=""
days=30
output=""
allow=false
flashplan=${FLASHPLAN:-flashplan}

while [ $# -gt 0 ]; do
    case $1 in
        --base) [ $# -ge 2 ] || usage; base=$2; shift 2 ;;
        --config) [ $# -ge 2 ] || usage; config=$2; shift 2 ;;
        --state) [ $# -ge 2 ] || usage; state=$2; shift 2 ;;
        --now) [ $# -ge 2 ] || usage; now=$2; shift 2 ;;
        --days) [ $# -ge 2 ] || usage; days=$2; shift 2 ;;
        --output) [ $# -ge 2 ] || usage; output=$2; shift 2 ;;
        --allow-destructive) allow=true; shift ;;
        -h|--help) usage ;;
        *) echo "flashplan-review: unknown argument '$1'" >&2; usage ;;
    esac
done

command -v "$flashplan" >/dev/null || { echo "flashplan-review: '$flashplan' is not on PATH; set FLASHPLAN to the binary" >&2; exit 1; }
top=$(git rev-parse --show-toplevel) || { echo "flashplan-review: not inside a git repository" >&2; exit 1; }
config=${config%/}
git rev-parse --verify --quiet "$base^{commit}" >/dev/null \
    || { echo "flashplan-review: the base '$base' is not a commit here; fetch it first (e.g. git fetch origin main)" >&2; exit 1; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/flashplan-review.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/base"
# The base's configuration as committed, without touching the checkout.
if ! git -C "$top" archive --format=tar "$base" -- "$config" | tar -x -C "$scratch/base"; then
    echo "flashplan-review: '$config' cannot be read from $base (git archive failed)" >&2
    exit 1
fi

# From the top of the checkout, so that the report names the proposed files as the
# repository does (policies/protection.yaml:9) and the base's under .../base/.
cd "$top"
common=(--config "$config" --days "$days")
[ -n "$state" ] && common+=(--state "$state")
[ -n "$now" ] && common+=(--now "$now")

echo "flashplan-review: validating $config" >&2
if ! "$flashplan" validate --config "$config" >&2; then
    echo "flashplan-review: the proposed configuration does not validate" >&2
    exit 1
fi

markdown=$scratch/review.md
json=$scratch/review.json
if ! "$flashplan" diff --base "$scratch/base/$config" "${common[@]}" --format markdown >"$markdown"; then
    echo "flashplan-review: flashplan diff failed" >&2
    exit 1
fi
cat "$markdown"
if [ -n "$output" ]; then cp "$markdown" "$output"; fi
"$flashplan" diff --base "$scratch/base/$config" "${common[@]}" --format json >"$json" 2>/dev/null \
    || { echo "flashplan-review: flashplan diff --format json failed" >&2; exit 1; }

# Prints "errors N", then one line per destructive finding.
if command -v python3 >/dev/null; then
    findings=$(python3 - "$json" <<'PY'
import json, sys
diff = json.load(open(sys.argv[1]))["diff"]
plans = diff["plans"]
print("errors", len(plans["proposed_errors"]) + len(plans["base_errors"]))
for entry in plans["only_proposed"] + plans["differing"]:
    if entry["severity"] != "routine":
        print(f'{entry["severity"]}: {entry["id"]}')
for left in plans["unmanaged_only_proposed"]:
    print(f'unmanaged: {left["backups"]} backups of {left["group"]} ({left["cause"]})')
kept = lambda side: {(p["group"], p["label"]): p["backups_at_end"] for p in diff["simulation"][side]["protection"]}
base, proposed = kept("base"), kept("proposed")
for key in sorted(base):
    if proposed.get(key, 0) < base[key]:
        print(f'fewer backups: {key[0]}/{key[1]} keeps {proposed.get(key, 0)} instead of {base[key]} after {diff["simulation"]["days"]} days')
PY
    )
elif command -v jq >/dev/null; then
    findings=$(jq -r '.diff as $d | $d.plans as $p
        | "errors \(($p.proposed_errors | length) + ($p.base_errors | length))",
          ($p.only_proposed[], $p.differing[] | select(.severity != "routine") | "\(.severity): \(.id)"),
          ($p.unmanaged_only_proposed[] | "unmanaged: \(.backups) backups of \(.group) (\(.cause))"),
          ([$d.simulation.proposed.protection[] | {key: "\(.group)/\(.label)", value: .backups_at_end}] | from_entries) as $new
          | ($d.simulation.base.protection[] | "\(.group)/\(.label)" as $k | select(($new[$k] // 0) < .backups_at_end)
             | "fewer backups: \($k) keeps \($new[$k] // 0) instead of \(.backups_at_end) after \($d.simulation.days) days")' "$json")
else
    echo "flashplan-review: python3 or jq is needed to read flashplan diff --format json" >&2
    exit 1
fi

errors=$(printf '%s\n' "$findings" | sed -n 's/^errors //p')
destructive=$(printf '%s\n' "$findings" | grep -v '^errors ' || true)
if [ "${errors:-0}" -gt 0 ]; then
    echo "flashplan-review: the plans have $errors errors (see the report)" >&2
    exit 1
fi
if [ -n "$destructive" ]; then
    echo "flashplan-review: the change is destructive:" >&2
    printf '%s\n' "$destructive" | sed 's/^/  /' >&2
    if [ "$allow" = true ]; then
        echo "flashplan-review: allowed by --allow-destructive" >&2
        exit 0
    fi
    echo "flashplan-review: failing; pass --allow-destructive once reviewers accept it" >&2
    exit 2
fi
echo "flashplan-review: nothing destructive" >&2
