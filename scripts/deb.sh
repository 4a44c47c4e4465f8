#!/bin/bash
# `make deb`: builds build/jsonsysctl-dkms_<version>_all.deb with Debian's
# own tooling (dpkg-buildpackage, dh with dh-dkms; binary only, unsigned),
# then runs lintian on it, which must report no error. The build runs in a
# copy of the tree's files (git's tracked and untracked, not ignored ones)
# under build/deb/, because dpkg-buildpackage writes its results next to
# the source directory, outside the tree.
set -euo pipefail
cd "$(dirname "$0")/.."
for c in dpkg-buildpackage dh dh_dkms lintian; do
	command -v "$c" >/dev/null || { echo "make deb: no $c; run scripts/setup-package.sh" >&2; exit 1; }
done
version=$(scripts/version.sh)
deb=build/jsonsysctl-dkms_${version}_all.deb
work=build/deb
src=$work/jsonsysctl-$version
rm -rf "$work" "$deb"
mkdir -p "$src"
git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [ ! -e "$f" ] || printf '%s\0' "$f"; done |
	tar --null -T - -cf - | tar -C "$src" -xf -
echo "make deb: building $deb (dpkg-buildpackage -b -us -uc in $src)"
(cd "$src" && dpkg-buildpackage -b -us -uc) >"$work/build.log" 2>&1 ||
	{ tail -n 20 "$work/build.log" >&2; echo "make deb: dpkg-buildpackage failed; full log: $work/build.log" >&2; exit 1; }
mv "$work/jsonsysctl-dkms_${version}_all.deb" "$deb"
echo "make deb: lintian $deb"
# Errors fail the build; warnings are shown, and each one kept has an
# override with its reason in debian/jsonsysctl-dkms.lintian-overrides
# (none today: lintian reports no warning).
lintian --fail-on error "$deb" | sed 's/^/  /'
echo "make deb: built $deb"
