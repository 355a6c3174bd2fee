#!/bin/sh
# libQAic.so exports exactly the functions declared in qaic_api.h, plus
# simrt_entries (the Python module's private entry table, simrt_entries.h):
# no internal symbol (runtime or emulated driver) leaks, none is missing.
set -eu
: "${RT_LIB:?}" "${RT_HEADER:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{ grep -oE '\bqaic[A-Za-z]+\(' "$RT_HEADER" | tr -d '('; echo simrt_entries; } |
	sort -u >"$tmp/want"
nm -D --defined-only "$RT_LIB" | awk '{ print $NF }' | sort -u >"$tmp/have"
if ! cmp -s "$tmp/want" "$tmp/have"; then
	echo "exported symbols differ from $RT_HEADER (< header, > library):"
	diff "$tmp/want" "$tmp/have" || true
	exit 1
fi
n=$(wc -l <"$tmp/want")
test "$n" -ge 30 || { echo "only $n functions parsed from $RT_HEADER"; exit 1; }
soname=$(readelf -d "$RT_LIB" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
test "$soname" = libQAic.so || { echo "soname is '$soname'"; exit 1; }
echo "ok: $n exported functions, soname $soname"
