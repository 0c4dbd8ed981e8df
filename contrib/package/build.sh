#!/usr/bin/env bash
# Builds flashplan to install anywhere, offline, from a checkout:
#
#   contrib/package/build.sh            # the static binary and the Debian package
#   contrib/package/build.sh --binary   # the static binary only
#
# Leaves in .build/package/ (ignored by git):
#   flashplan                      release build, Swift runtime and Foundation linked
#                                  statically: ldd lists only system libraries (libc,
#                                  libsqlite3, …), which this script checks
#   flashplan_VERSION_ARCH.deb     the binary in /usr/bin, the man page, bash/zsh/fish
#                                  completions, the systemd units, the docs; a
#                                  `flashplan` user and /var/lib/flashplan on install
#
# Needs Swift, git, dpkg-deb and dpkg-shlibdeps (Debian's dpkg-dev), gzip.
# The man page and the completions are generated from the command definitions
# (swift-argument-parser's generate-manual plugin, --generate-completion-script),
# so they say what --help says.
set -euo pipefail
cd "$(dirname "$0")/../.."

binary_only=false
case "${1:-}" in
  --binary) binary_only=true ;;
  "") ;;
  *) echo "usage: contrib/package/build.sh [--binary]" >&2; exit 64 ;;
esac

out=.build/package
mkdir -p "$out"

# The commit --version names (see Package.swift); "-dirty" when tracked files differ.
commit=unknown
if git rev-parse --verify -q HEAD >/dev/null 2>&1; then
  commit="$(git rev-parse --short=12 HEAD)"
  if [ -n "$(git status --porcelain --untracked-files=no)" ]; then commit="$commit-dirty"; fi
fi

echo "==> static release build of $commit"
# Bind-now, as Debian's hardening flags ask.
FLASHPLAN_COMMIT="$commit" swift build -c release --static-swift-stdlib --product flashplan -Xlinker -z -Xlinker now
built="$(FLASHPLAN_COMMIT="$commit" swift build -c release --show-bin-path)/flashplan"
install -m 0755 "$built" "$out/flashplan"

# What the binary needs at run time must be the system's alone: no Swift runtime,
# Foundation, ICU data, dispatch or anything else of the toolchain.
echo "==> ldd $out/flashplan"
libraries="$(ldd "$out/flashplan")"
echo "$libraries"
if grep -Ei 'swift|foundation|dispatch|blocksruntime|xctest|icu|not found' <<<"$libraries"; then
  echo "error: $out/flashplan needs a Swift/toolchain library (above) or one that is missing" >&2
  exit 1
fi

# And it runs: YAML, Foundation (time zones, JSON), GRDB on the system's sqlite3.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for command in "plan --config policies --format json" "apply --config policies --auto-approve" "state list --format json"; do
  # shellcheck disable=SC2086 # the words of $command are its arguments
  "$out/flashplan" $command --state "$scratch/state.db" --now 2026-11-21T10:00:00Z \
    >"$scratch/log" 2>&1 || { cat "$scratch/log"; echo "error: flashplan $command failed" >&2; exit 1; }
done
echo "==> the static binary planned and applied the example policies"

version_line="$("$out/flashplan" --version)"
echo "==> $version_line"
version="$(sed -n 's/^flashplan \([0-9][0-9.]*\) (commit .*)$/\1/p' <<<"$version_line")"
[ -n "$version" ] || { echo "error: cannot read the version from '$version_line'" >&2; exit 1; }
if [ "$binary_only" = true ]; then
  echo "static binary: $out/flashplan"
  exit 0
fi

for tool in dpkg-deb dpkg-shlibdeps gzip; do
  command -v "$tool" >/dev/null || { echo "error: $tool is missing (apt-get install dpkg-dev)" >&2; exit 1; }
done

echo "==> man page (swift-argument-parser's generate-manual plugin)"
# The debug build is enough to read the command definitions, and leaves the release
# binary above as it is. The date is the commit's, so that a rebuild is identical.
date="$(git log -1 --format=%cs 2>/dev/null || date -u +%F)"
manuals=.build/plugins/GenerateManual/outputs
rm -rf "$manuals"
swift package plugin generate-manual --configuration debug --date "$date" --section 1
manual="$(find "$manuals" -name flashplan.1 | head -n 1)"
[ -s "$manual" ] || { echo "error: generate-manual wrote no flashplan.1 under $manuals" >&2; exit 1; }

arch="$(dpkg --print-architecture)"
deb_version="$version-1"
stage="$out/stage"
rm -rf "$stage"
install -d "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/share/man/man1" \
  "$stage/usr/share/bash-completion/completions" "$stage/usr/share/zsh/vendor-completions" \
  "$stage/usr/share/fish/vendor_completions.d" "$stage/usr/lib/systemd/system" \
  "$stage/usr/share/doc/flashplan/docs"

install -m 0755 "$out/flashplan" "$stage/usr/bin/flashplan"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/bin/flashplan"
# generate-manual leaves a text line that starts with an apostrophe (help text wrapped
# before a quoted 'word') as it is, and roff reads it as a control line: \& escapes it.
sed "s/^'/\\\\\&'/" "$manual" | gzip -9n >"$stage/usr/share/man/man1/flashplan.1.gz"
# A completion is sourced, not run: no #! line (lintian's bash-completion-with-hashbang).
"$out/flashplan" --generate-completion-script bash | sed '1{/^#!/d}' >"$stage/usr/share/bash-completion/completions/flashplan"
"$out/flashplan" --generate-completion-script zsh >"$stage/usr/share/zsh/vendor-completions/_flashplan"
"$out/flashplan" --generate-completion-script fish >"$stage/usr/share/fish/vendor_completions.d/flashplan.fish"

# The units of contrib/systemd, pointed at the packaged binary.
for unit in contrib/systemd/*.service contrib/systemd/*.timer; do
  sed 's|/usr/local/bin/flashplan|/usr/bin/flashplan|g' "$unit" >"$stage/usr/lib/systemd/system/$(basename "$unit")"
done
if grep -n '^ExecStart=' "$stage"/usr/lib/systemd/system/*.service | grep -v ':ExecStart=/usr/bin/flashplan '; then
  echo "error: a packaged unit does not start /usr/bin/flashplan (above)" >&2
  exit 1
fi

doc="$stage/usr/share/doc/flashplan"
install -m 0644 README.md "$doc/README.md"
install -m 0644 docs/*.md "$doc/docs/"
maintainer="flashplan maintainers <maintainers@users.noreply.r-seed-2018bd90.example>"
{
  printf 'flashplan (%s) unstable; urgency=medium\n\n' "$deb_version"
  printf '  * Built by contrib/package/build.sh from commit %s.\n\n' "$commit"
  printf ' -- %s  %s\n' "$maintainer" "$(git log -1 --format=%cD 2>/dev/null || date -uR)"
} | gzip -9n >"$doc/changelog.Debian.gz"
# The copyright file: flashplan's own notice, then the packages linked into the binary,
# with the MIT texts in full as their licenses ask (Apache-2.0 is in common-licenses).
{
  cat contrib/package/debian/copyright.in
  for package in .build/checkouts/*; do
    name="$(basename "$package")"
    license="$(find "$package" -maxdepth 1 -iname 'LICENSE*' | head -n 1)"
    [ -n "$license" ] || continue
    printf '\n%s\n%s\n' "$name" "$(printf '%s' "$name" | tr -c '\n' '-')"
    if grep -q 'Apache License' "$license" && grep -q 'Version 2.0' "$license"; then
      printf 'Apache License, Version 2.0: see /usr/share/common-licenses/Apache-2.0\n'
      [ -f "$package/NOTICE.txt" ] && { printf '\nIts NOTICE:\n\n'; cat "$package/NOTICE.txt"; }
    else
      cat "$license"
    fi
  done
} >"$doc/copyright"

# lintian: Yams compiles libyaml into the binary, and a Swift package has no way to use
# the system's libyaml instead.
install -d "$stage/usr/share/lintian/overrides"
printf '# Yams (the YAML parser) compiles libyaml in; a Swift package cannot use the system one.\nflashplan: embedded-library libyaml [usr/bin/flashplan]\n' >"$stage/usr/share/lintian/overrides/flashplan"

install -m 0755 contrib/package/debian/postinst contrib/package/debian/prerm contrib/package/debian/postrm "$stage/DEBIAN/"

# Dependencies as dpkg-shlibdeps computes them from the binary, plus adduser for postinst.
shlibs_dir="$scratch/shlibs"
mkdir -p "$shlibs_dir/debian"
printf 'Source: flashplan\n\nPackage: flashplan\nArchitecture: any\n' >"$shlibs_dir/debian/control"
binary_path="$(cd "$stage/usr/bin" && pwd)/flashplan"
depends="$(cd "$shlibs_dir" && dpkg-shlibdeps -O "$binary_path" | sed -n 's/^shlibs:Depends=//p')"
[ -n "$depends" ] || { echo "error: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
depends="adduser, $depends"
installed_size="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
sed -e "s|@VERSION@|$deb_version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$maintainer|" \
  -e "s|@INSTALLED_SIZE@|$installed_size|" -e "s|@DEPENDS@|$depends|" \
  contrib/package/debian/control.in >"$stage/DEBIAN/control"

find "$stage" -type d -exec chmod 0755 {} +
find "$stage/usr" -type f ! -path '*/usr/bin/*' -exec chmod 0644 {} +
(cd "$stage" && find usr -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/md5sums"
deb="$out/flashplan_${deb_version}_${arch}.deb"
rm -f "$out"/flashplan_*.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb"
echo "Debian package: $deb ($(du -h "$deb" | cut -f1)); depends: $depends"
