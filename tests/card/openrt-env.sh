# SPDX-License-Identifier: MIT
# Sourced by the OPENRT tests (docs/OPENRT.md): finds or builds Qualcomm's
# open runtime (OPENRT) from its source archives, out of the tree, and
# builds gen-openrt-qpc (tests/card/openrt/gen_qpc.cpp) against it.  Nothing
# of OPENRT is in the repository.  Sets OPENRT_BUILD (the build-openrt.sh
# work dir), QAIC_RUNNER, OPENRT_API_TEST, GEN_QPC; or exits 77 (skip) with
# the reason.
#
#   QPROF_OPENRT_BUILD  a finished build-openrt.sh work dir (scripts/test
#                       builds one per run and sets this)
#   QPROF_OPENRT_DIR    the archives (default: the repository's parent's
#                       shared/third_party/openrt)
#   QPROF_OPENRT_CACHE  where a build is kept between runs (default
#                       ${XDG_CACHE_HOME:-~/.cache}/qprof/openrt)
#   QPROF_TEST_OPENRT=1 build it when no finished build is found (the
#                       targets below: about 4 minutes on 2 CPUs, once:
#                       then cached)
: "${top_srcdir:?}" "${top_builddir:?}" "${TMP:?}"

openrt_skip() { echo "SKIP: $*"; exit 77; }

openrt_pkgs="cmake ninja-build g++ libprotobuf-dev protobuf-compiler libudev-dev libpci-dev libdrm-dev libgtest-dev"

# The targets the tests use: qaic-runner, the API unit tests, and for
# gen-openrt-qpc the container writer and the protobuf library (95 of the
# 385 steps build-openrt.sh runs: its other tools and its third-party
# libraries' own tests are not needed).  build-openrt.sh ends in
# `ninja -C BUILD`: a ninja first on PATH names the targets for that one
# call and passes every other call (cmake's own checks) through.
openrt_targets="qaic-runner qaic-openrt-api-unit-test QAicQpc AICNetworkDescProto"

openrt_ninja_wrapper() {
	local real
	real=$(command -v ninja) || return 0
	mkdir -p "$1/qprof-bin"
	cat >"$1/qprof-bin/ninja" <<EOF
#!/bin/sh
if [ \$# = 2 ] && [ "\$1" = -C ] && [ "\$2" = "$1/build" ]; then
	exec "$real" -C "$1/build" $openrt_targets
fi
exec "$real" "\$@"
EOF
	chmod +x "$1/qprof-bin/ninja"
}

openrt_find_build() {
	local dir cache key
	if [ -n "${QPROF_OPENRT_BUILD:-}" ]; then
		[ -f "$QPROF_OPENRT_BUILD/.qprof-built" ] ||
			openrt_skip "QPROF_OPENRT_BUILD=$QPROF_OPENRT_BUILD is not a finished OPENRT build"
		OPENRT_BUILD=$QPROF_OPENRT_BUILD
		return
	fi
	dir=${QPROF_OPENRT_DIR:-$top_srcdir/../shared/third_party/openrt}
	[ -x "$dir/build-openrt.sh" ] ||
		openrt_skip "OPENRT's source archives are not here ($dir; set QPROF_OPENRT_DIR)"
	key=$({ cat "$dir"/*.tar.xz "$dir/build-openrt.sh"; echo "$openrt_targets"; } |
		sha256sum | cut -c1-16)
	cache=${QPROF_OPENRT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qprof/openrt}/$key
	if [ ! -f "$cache/.qprof-built" ]; then
		[ "${QPROF_TEST_OPENRT:-0}" = 1 ] ||
			openrt_skip "no OPENRT build cached in $cache; set QPROF_TEST_OPENRT=1 (scripts/test does) to build it from $dir (about 4 minutes on 2 CPUs, once)"
		dpkg -s $openrt_pkgs >/dev/null 2>&1 ||
			openrt_skip "OPENRT's build needs the Debian packages: $openrt_pkgs (scripts/install-deps)"
		mkdir -p "$cache"
		(
			flock 9
			if [ ! -f "$cache/.qprof-built" ]; then
				echo "building OPENRT into $cache (once) ..."
				start=$(date +%s)
				openrt_ninja_wrapper "$cache"
				PATH=$cache/qprof-bin:$PATH \
				nice "$dir/build-openrt.sh" "$cache" >"$cache/build.out" 2>&1 ||
					{ tail -20 "$cache/build.out" "$cache/ninja.log" >&2; exit 1; }
				echo "in $(( $(date +%s) - start )) s" >"$cache/.qprof-built"
				echo "OPENRT built $(cat "$cache/.qprof-built")"
			fi
		) 9>"$cache.lock" || { echo "FAIL: the OPENRT build failed ($cache/build.out)" >&2; exit 1; }
	fi
	OPENRT_BUILD=$cache
}

openrt_find_build
B=$OPENRT_BUILD/build
QAIC_RUNNER=$(find "$B" -name qaic-runner -type f -perm -u+x | head -n1)
OPENRT_API_TEST=$(find "$B" -name qaic-openrt-api-unit-test -type f -perm -u+x | head -n1)
[ -n "$QAIC_RUNNER" ] || openrt_skip "no qaic-runner in $B"

# gen-openrt-qpc against OPENRT's headers, its container writer and its
# generated protobuf (about 20 s; kept beside the build, keyed by source)
openrt_gen() {
	local src=$top_srcdir/tests/card/openrt/gen_qpc.cpp key out qpc pb fb
	key=$(cat "$src" "$top_srcdir/sim/kmd/simkmd.h" | sha256sum | cut -c1-16)
	out=$OPENRT_BUILD/gen-openrt-qpc-$key
	if [ ! -x "$out" ]; then
		qpc=$(find "$B" -name libQAicQpc.a | head -n1)
		pb=$(find "$B" -name AICNetworkDesc.pb.h | head -n1)
		fb=$(find "$OPENRT_BUILD/openrt" -name AicMetadataFlat_generated.h | head -n1)
		local pblib
		pblib=$(find "$B" -name 'libAICNetworkDescProto.a' | head -n1)
		[ -n "$qpc" ] && [ -n "$pb" ] && [ -n "$fb" ] && [ -n "$pblib" ] ||
			openrt_skip "OPENRT's build lacks the container writer or the schemas ($B)"
		# shellcheck disable=SC2046
		g++ -std=c++17 -O1 -w -o "$out.tmp" "$src" \
			-I"$OPENRT_BUILD/openrt/lib/networkdesc/qpc/inc" \
			-I"$(dirname "$pb")" -I"$(dirname "$fb")" \
			-I"$OPENRT_BUILD/deps/flatbuffers/include" \
			-I"$OPENRT_BUILD/deps/elfio" \
			-I"$top_srcdir/sim/kmd" \
			"$qpc" "$pblib" -lprotobuf -lpthread >"$TMP/gen-build.log" 2>&1 ||
			{ cat "$TMP/gen-build.log" >&2; echo "FAIL: gen-openrt-qpc does not build" >&2; exit 1; }
		mv "$out.tmp" "$out"
	fi
	GEN_QPC=$out
}
openrt_gen
