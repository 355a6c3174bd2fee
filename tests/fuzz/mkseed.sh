#!/bin/sh
# SPDX-License-Identifier: MIT
# mkseed.sh TRACE_DIR OUT: a fuzz_trace input from a CTF trace directory
# (metadata + its largest stream file): 4-byte little-endian metadata
# length, the metadata, the stream file.
set -eu
dir=$1 out=$2
stream=$(ls -S "$dir" | grep -v -e '^metadata$' -e '^index$' | head -1)
len=$(stat -c %s "$dir/metadata")
/usr/bin/python3 -c 'import struct, sys; sys.stdout.buffer.write(struct.pack("<I", int(sys.argv[1])))' "$len" >"$out"
cat "$dir/metadata" "$dir/$stream" >>"$out"
