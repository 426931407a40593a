#!/usr/bin/env bash
# The portability smoke test: tapenet's default build must run on an x86-64 CPU without AVX
# (docs/architecture.md, "Run-time CPU dispatch"). Under `qemu-x86_64 -cpu Nehalem` (SSE4.2, no AVX;
# Debian's qemu-user) it runs a short example (example_attention: fit, save, reload, predict), the
# tool tapenet-inspect, and the consumer program of tests/consumer/ built against the installed
# libtapenet.a and libtapenet.so. None may die (Illegal instruction is signal 4, exit 132).
# First it checks that the emulated CPU refuses AVX2 code, so that a pass means something.
# Prints one line per run and "qemu: N passed, N failed" (counted by .ci/run).
#   tests/consumer/qemu_smoke.sh [BUILD]    BUILD: the build folder (default build)
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
cpu=Nehalem
if ! command -v qemu-x86_64 >/dev/null; then
    echo "qemu: qemu-x86_64 not found (Debian package qemu-user)"
    echo "qemu: 0 passed, 1 failed"
    exit 1
fi
work=$(mktemp -d /tmp/tapenet-qemu.XXXXXX)
trap 'rm -rf "$work"' EXIT
# OpenBLAS chooses its kernels from the CPU it finds, unless OPENBLAS_CORETYPE names one.
unset OPENBLAS_CORETYPE
export OPENBLAS_NUM_THREADS=1
emulate() { qemu-x86_64 -cpu "$cpu" "$@"; }

passed=0
failed=0
check() {  # check NAME COMMAND...: run it under qemu, pass on exit 0
    local name=$1 out rc
    shift
    out=$(emulate "$@" 2>&1)
    rc=$?
    if [ "$rc" -eq 0 ]; then
        echo "qemu $name: ok"; passed=$((passed + 1))
    else
        echo "qemu $name: FAILED (exit $rc): $(tail -n 3 <<<"$out")"; failed=$((failed + 1))
    fi
}

# The control: an AVX2 instruction must die on the emulated CPU.
cat >"$work/avx2.c" <<'C'
int main(void) { __asm__ volatile("vpaddd %%ymm0, %%ymm0, %%ymm0" ::: "xmm0"); return 0; }
C
if gcc -O1 "$work/avx2.c" -o "$work/avx2" && ! emulate "$work/avx2" 2>/dev/null; then
    echo "qemu control: ok (AVX2 code dies on $cpu)"; passed=$((passed + 1))
else
    echo "qemu control: FAILED: AVX2 code ran on the emulated $cpu"; failed=$((failed + 1))
fi

model=tests/fixtures/tfjs_lstm_dense/model.json
check "example_attention" "$build/bin/example_attention" --epochs 1 --train 100 --verbose 0 --out "$work/example"
check "tapenet-inspect" "$build/bin/tapenet-inspect" "$model"

if make install PREFIX="$work/prefix" BUILD="$build" >"$work/install.log" 2>&1; then
    export PKG_CONFIG_PATH=$work/prefix/lib/pkgconfig
    mkdir -p "$work/src" && cp tests/consumer/predict.cpp tests/consumer/Makefile "$work/src/"
    for linkage in static shared; do
        if make -s -C "$work/src" OUT="$work/consumer-$linkage" STATIC="$([ $linkage = static ] && echo 1)" \
            >"$work/build-$linkage.log" 2>&1; then
            LD_LIBRARY_PATH=$work/prefix/lib check "consumer $linkage" "$work/consumer-$linkage" "$PWD/$model"
        else
            echo "qemu consumer $linkage: FAILED to build"; cat "$work/build-$linkage.log"; failed=$((failed + 1))
        fi
    done
else
    echo "qemu consumer: FAILED: make install"; cat "$work/install.log"; failed=$((failed + 1))
fi
echo "qemu: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
