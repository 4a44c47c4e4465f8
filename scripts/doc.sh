#!/bin/bash
# `make doc`: the layer's documentation as text. kernel-doc parses C only,
# not C++ classes or templates, so the C++ headers document themselves with
# a `// DOC:` overview at the top and kernel-doc-shaped comments on their
# public functions; this prints each header's overview, then the C
# boundary's functions as kernel-doc renders them from kcxx/include/glue.h.
set -euo pipefail
cd "$(dirname "$0")/.."
for h in kcxx/include/*.h module/*.h; do
	echo "== $h"
	# From the DOC: line to the end of that comment, comment markers removed.
	awk '/DOC:/ { on = 1 }
		on && (/^#/ || /^$/ || /\*\//) { exit }
		on { sub(/^ *(\/\/|\/?\*+) ?/, ""); print }' "$h"
done
kd=$(ls -d /lib/modules/*/build/scripts/kernel-doc 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$kd" ] || { echo "doc: no kernel-doc under /lib/modules/*/build/scripts; run make setup" >&2; exit 1; }
echo "== kcxx/include/glue.h: the C boundary, as kernel-doc renders it"
"$kd" -rst -no-doc-sections kcxx/include/glue.h 2>/dev/null
