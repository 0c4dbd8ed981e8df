#!/usr/bin/env bash
# Builds the static binary and the Debian package (contrib/package/build.sh), checks
# the package with lintian, installs it, uses what it installed (the binary, the man
# page, a completion, the systemd units), then purges it and checks nothing is left.
#
#   bash .ci/check-package.sh
#
# Installing a package needs root and dpkg: without them it says so and skips.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive

if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "package check skipped: this is not a Debian-like system (no dpkg/apt-get)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "package check skipped: installing the package needs root (run as root)"
  exit 0
fi
if dpkg-query -W -f='${Status}' flashplan 2>/dev/null | grep -q 'installed'; then
  echo "package check skipped: a flashplan package is already installed here; it is left alone"
  exit 0
fi

missing=()
for tool in dpkg-shlibdeps:dpkg-dev lintian:lintian man:man-db strip:binutils systemd-analyze:systemd adduser:adduser; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

contrib/package/build.sh
deb="$(ls .build/package/flashplan_*.deb)"

echo "==> lintian $deb"
# Errors fail; warnings and notes are shown (and lintian's notice that it runs as root, as CI does).
lintian --fail-on error --display-info "$deb"

purge() { dpkg --purge flashplan >/dev/null 2>&1 || true; }
trap purge EXIT

echo "==> dpkg -i"
# A system set to leave out man pages and docs (minimal images) still gets these.
dpkg --path-include='/usr/share/man/man1/flashplan.1.gz' --path-include='/usr/share/doc/flashplan/*' -i "$deb"

echo "==> the installed binary"
[ "$(command -v flashplan)" = /usr/bin/flashplan ] || { echo "flashplan is not /usr/bin/flashplan" >&2; exit 1; }
version="$(flashplan --version)"
echo "$version"
commit="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
grep -Eq "^flashplan [0-9]+\.[0-9]+\.[0-9]+ \(commit $commit(-dirty)?\)\$" <<<"$version" \
  || { echo "--version does not name the version and the commit $commit" >&2; exit 1; }
flashplan schedule hourly --base-time 2026-11-21T10:00:00Z --iterations 1 >/dev/null

echo "==> the user and the state directory"
getent passwd flashplan
[ "$(stat -c '%U:%G %a' /var/lib/flashplan)" = "flashplan:flashplan 750" ] \
  || { echo "/var/lib/flashplan: $(stat -c '%U:%G %a' /var/lib/flashplan), not flashplan:flashplan 750" >&2; exit 1; }

echo "==> man flashplan"
man_text="$(MANPAGER=cat MANWIDTH=80 man flashplan 2>&1)"
head -n 8 <<<"$man_text"
# Every subcommand is in it, with its options.
for section in validate plan apply schedule state sim schema; do
  grep -Eq "^[[:space:]]+$section([[:space:]]|\$)" <<<"$man_text" || { echo "the man page has no section for $section" >&2; exit 1; }
done
grep -q -- '--auto-approve' <<<"$man_text" || { echo "the man page does not list apply's options" >&2; exit 1; }

echo "==> completions"
bash -c 'source /usr/share/bash-completion/completions/flashplan && complete -p flashplan'
test -s /usr/share/zsh/vendor-completions/_flashplan
test -s /usr/share/fish/vendor_completions.d/flashplan.fish

echo "==> systemd-analyze verify of the installed units"
grep -H '^ExecStart=' /usr/lib/systemd/system/flashplan-apply.service
systemd-analyze verify --man=no /usr/lib/systemd/system/flashplan-apply.service /usr/lib/systemd/system/flashplan-apply.timer

echo "==> dpkg --purge"
trap - EXIT
dpkg --purge flashplan
for left in /usr/bin/flashplan /var/lib/flashplan /usr/lib/systemd/system/flashplan-apply.service /usr/share/doc/flashplan; do
  [ ! -e "$left" ] || { echo "$left is still there after purge" >&2; exit 1; }
done
if getent passwd flashplan >/dev/null || getent group flashplan >/dev/null; then
  echo "the flashplan user or group is still there after purge" >&2
  exit 1
fi
echo "package: ok ($deb, $(du -h "$deb" | cut -f1))"
