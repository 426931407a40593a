#!/usr/bin/env bash
# The consumer tests: `make install` into a temporary prefix, then build tests/consumer/predict.cpp
# outside the tree four ways (pkg-config and CMake, each against libtapenet.a and libtapenet.so) and
# run each on the TF.js fixture. Prints one line per way and then "consumer: N passed, N failed"
# (counted by .ci/run). Exit 1 on any failure.
#   tests/consumer/run.sh [BUILD]     BUILD: the build folder make uses (default build)
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
build=${1:-build}
work=$(mktemp -d /tmp/tapenet-consumer.XXXXXX)
prefix=$work/prefix
trap 'rm -rf "$work"' EXIT
model=$root/tests/fixtures/tfjs_lstm_dense/model.json

if ! make install PREFIX="$prefix" BUILD="$build" >"$work/install.log" 2>&1; then
    cat "$work/install.log"
    echo "consumer: 0 passed, 1 failed (make install)"
    exit 1
fi
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig

passed=0
failed=0
check() {  # check NAME BINARY LINKAGE: run it on the fixture; LINKAGE static|shared is checked with ldd
    local name=$1 bin=$2 linkage=$3 out
    if [ ! -x "$bin" ]; then
        echo "consumer $name: FAILED to build"; failed=$((failed + 1)); return
    fi
    # grep reads all of ldd's output: with -q it could exit first, and pipefail would then report
    # ldd's SIGPIPE as "no match".
    if ldd "$bin" | grep 'libtapenet\.so' >/dev/null; then
        [ "$linkage" = shared ] || { echo "consumer $name: FAILED: linked libtapenet.so"; failed=$((failed + 1)); return; }
    else
        [ "$linkage" = static ] || { echo "consumer $name: FAILED: no libtapenet.so"; failed=$((failed + 1)); return; }
    fi
    if out=$(LD_LIBRARY_PATH=$prefix/lib OPENBLAS_NUM_THREADS=1 "$bin" "$model" 2>&1); then
        echo "consumer $name: ok: $out"; passed=$((passed + 1))
    else
        echo "consumer $name: FAILED: $out"; failed=$((failed + 1))
    fi
}

# Out of the tree: a copy of the sources only, so that nothing of the repository is on any path.
mkdir -p "$work/src"
cp tests/consumer/predict.cpp tests/consumer/Makefile tests/consumer/CMakeLists.txt "$work/src/"
for linkage in shared static; do
    static_flag=$([ "$linkage" = static ] && echo 1)
    make -s -C "$work/src" OUT="$work/pkgconfig-$linkage" STATIC="$static_flag" >"$work/pc-$linkage.log" 2>&1 ||
        cat "$work/pc-$linkage.log"
    check "pkg-config $linkage" "$work/pkgconfig-$linkage" "$linkage"

    use_static=$([ "$linkage" = static ] && echo ON || echo OFF)
    { cmake -S "$work/src" -B "$work/cmake-$linkage" -DCMAKE_PREFIX_PATH="$prefix" -DTAPENET_USE_STATIC_LIBS=$use_static &&
      cmake --build "$work/cmake-$linkage"; } >"$work/cmake-$linkage.log" 2>&1 || cat "$work/cmake-$linkage.log"
    check "cmake $linkage" "$work/cmake-$linkage/consumer_predict" "$linkage"
done

# make uninstall leaves nothing of tapenet in the prefix.
make uninstall PREFIX="$prefix" BUILD="$build" >/dev/null 2>&1
left=$(find "$prefix" -type f 2>/dev/null | wc -l)
if [ "$left" -eq 0 ]; then
    echo "consumer uninstall: ok"; passed=$((passed + 1))
else
    echo "consumer uninstall: FAILED: $left files left under $prefix"; failed=$((failed + 1))
fi
echo "consumer: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
