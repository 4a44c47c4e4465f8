#!/bin/bash
# Prints the module's version: the one in debian/changelog's first line,
# the one place it lives. modinfo gets it through Kbuild, dkms.conf through
# dh_dkms -V, the package's version is the changelog's own. Bump it with
# `dch -v NEW` (a native package: no Debian revision).
set -euo pipefail
changelog=$(dirname "$0")/../debian/changelog
v=$(sed -n '1s/^[a-z0-9.+-]* (\([^)]*\)).*/\1/p' "$changelog" 2>/dev/null || true)
[ -n "$v" ] || { echo "version.sh: no version in $changelog's first line; pass JSONSYSCTL_VERSION=" >&2; exit 1; }
echo "$v"
