#!/bin/bash
# Installs what `make deb` and `make check-package` need besides what
# scripts/setup.sh installs: Debian's packaging tools (dpkg-dev, debhelper,
# dh-dkms, lintian) and git, which `make deb` copies the tree with. Not dkms
# itself: installing the package must pull that in, and the check shows it
# does. Idempotent: returns at once when everything is there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/setup.sh"
have() {
	local c
	for c in dpkg-buildpackage dh dh_dkms lintian git; do command -v "$c" >/dev/null || return 1; done
}
have && exit 0
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "setup-package: installing Debian's packaging tools"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends \
	dpkg-dev debhelper dh-dkms lintian git
have || { echo "setup-package: install incomplete" >&2; exit 1; }
