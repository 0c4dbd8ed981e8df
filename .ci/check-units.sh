#!/usr/bin/env bash
# Checks the shipped systemd units with systemd-analyze verify. verify insists that
# ExecStart= names an existing executable, so a copy points at the built binary.
set -euo pipefail
cd "$(dirname "$0")/.."
binary="$(swift build --show-bin-path)/flashplan"
[ -x "$binary" ] || { echo "build flashplan first ($binary missing)"; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for unit in contrib/systemd/*.service contrib/systemd/*.timer; do
  sed "s|/usr/local/bin/flashplan|$binary|" "$unit" > "$work/$(basename "$unit")"
done
systemd-analyze verify --man=no "$work"/*.service "$work"/*.timer
echo "systemd units: ok"
