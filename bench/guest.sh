#!/bin/sh
# Runs inside the guest (make bench): measures both modules round by round,
# alternating which goes first, so that the noise of this machine falls on
# both alike. Appends one JSON line per measurement to OUT/raw.jsonl.
# usage: guest.sh READBENCH CXX_KO C_KO OUT [ROUNDS]
set -eu
bench=$1 cxx=$2 c=$3 out=$4 rounds=${5:-5}
n=200000
: >"$out/raw.jsonl"

emit() { # what module round -- readbench args...
	what=$1 module=$2 round=$3
	shift 4
	result=$("$bench" "$@")
	echo "{\"what\":\"$what\",\"module\":\"$module\",\"round\":$round,${result#\{}" >>"$out/raw.jsonl"
}

measure() { # module ko round
	insmod "$2"
	emit json_pread "$1" "$3" -- pair /dev/json 64 /dev/zero 32 $n
	emit procsys "$1" "$3" -- procsys $((n / 10))
	emit readers_1 "$1" "$3" -- threads /dev/json 1 $n
	emit readers_2 "$1" "$3" -- threads /dev/json 2 $n
	emit writes_0 "$1" "$3" -- writes 2000 0
	if [ "$1" = cxx ]; then # the yardstick has no poll()
		emit writes_1 "$1" "$3" -- writes 500 1
		emit writes_100 "$1" "$3" -- writes 100 100
	fi
	rmmod "$(basename "$2" .ko)"
}

dmesg_before=$(dmesg | wc -l)
round=1
while [ "$round" -le "$rounds" ]; do
	if [ $((round % 2)) = 1 ]; then
		measure cxx "$cxx" $round
		measure c "$c" $round
	else
		measure c "$c" $round
		measure cxx "$cxx" $round
	fi
	echo "bench: round $round of $rounds done"
	round=$((round + 1))
done
if dmesg | tail -n +$((dmesg_before + 1)) | grep -E 'WARNING:|BUG[: ]|Oops|Call Trace'; then
	echo "bench: the kernel logged trouble" >&2
	exit 1
fi
uname -r >"$out/kernel"
