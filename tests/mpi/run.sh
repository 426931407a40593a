#!/usr/bin/env bash
# make test-mpi: the data-parallel checks of docs/distributed.md under Open MPI (tests/mpi/mpi_tests.cpp).
#   - exactness: under mpirun -np 2 and -np 3 (oversubscribed), the first step's gradients, the
#     weights after 20 more steps and the validation loss against one process; every rank holds
#     the same weights; two runs with the same seed give bit-identical weights;
#   - failure is loud: one rank throwing at step 3, or one rank's infinite loss, ends the job with
#     the message, well before the timeout;
#   - an example trains unchanged: mpirun -np 2 add_two_numbers reaches validation MAE <= 0.05,
#     records world_size 2 in metrics.json, and rank 1 leaves no files.
# Prints one line per check and "mpi: N passed, N failed" (counted by .ci/run).
#   tests/mpi/run.sh [BUILD]     BUILD: the build folder (default build)
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
bin=$build/tests/mpi_tests
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
# Two cores, up to three ranks: yield the CPU while waiting instead of spinning.
export OMPI_MCA_mpi_yield_when_idle=1
# Every run has a time limit: a hang fails the check instead of the CI job.
mpirun=(timeout 300 mpirun --oversubscribe)
work=$(mktemp -d /tmp/tapenet-mpi.XXXXXX)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
pass() { echo "mpi $1: ok${2:+ ($2)}"; passed=$((passed + 1)); }
fail() { echo "mpi $1: FAILED: $2"; failed=$((failed + 1)); }

if ! command -v mpirun >/dev/null; then
    fail "mpirun" "not found (Debian package openmpi-bin; make deps)"
    echo "mpi: $passed passed, $failed failed"
    exit 1
fi

if "$bin" reference "$work" >"$work/reference.log" 2>&1; then pass "reference (one process)"
else fail "reference (one process)" "$(tail -n 3 "$work/reference.log")"; fi

for np in 2 3; do
    for run in a b; do
        if "${mpirun[@]}" -np $np "$bin" check "$work" "np${np}$run" >"$work/np$np$run.log" 2>&1; then
            pass "exactness np=$np run $run" "$(grep -o 'relative error against one process: [^ ]*' "$work/np$np$run.log" | awk '{print $NF}' | paste -sd/ -)"
        else
            fail "exactness np=$np run $run" "$(grep -v ' ok$' "$work/np$np$run.log" | tail -n 5)"
        fi
    done
    cat "$work/np${np}a.log"
    if [ -s "$work/np${np}a_weights.bin" ] && cmp -s "$work/np${np}a_weights.bin" "$work/np${np}b_weights.bin"; then
        pass "np=$np: two runs, bit-identical weights"
    else
        fail "np=$np: two runs, bit-identical weights" "the weight files differ or are missing"
    fi
done

# loud_failure NAME EXPECTED MODE: the job must end within 60 s, fail, and print EXPECTED.
loud_failure() {
    local name=$1 expected=$2 mode=$3 start end rc
    start=$(date +%s.%N)
    timeout 60 mpirun --oversubscribe -np 2 "$bin" "$mode" >"$work/$mode.log" 2>&1
    rc=$?
    end=$(date +%s.%N)
    local seconds
    seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    if [ "$rc" -eq 124 ]; then fail "$name" "still running after 60 s (a hang)"
    elif [ "$rc" -eq 0 ]; then fail "$name" "the job succeeded"
    elif ! grep -qF "$expected" "$work/$mode.log"; then fail "$name" "no '$expected' in: $(tail -n 5 "$work/$mode.log")"
    else pass "$name" "ended in $seconds s, exit $rc: $(grep -F "$expected" "$work/$mode.log" | head -n 1)"; fi
}
loud_failure "rank 1 throws at step 3" "tapenet: rank 1 of 2: model.fit: rank 1 fails on purpose at step 3" throw
loud_failure "infinite loss on one rank" "model.fit: fit: loss became inf at epoch 1, batch 1" inf

# The demo, data-parallel and unchanged (12 epochs; a few minutes on a loaded machine).
before=$(ls -d /tmp/tapenet-rank* 2>/dev/null | wc -l)
if "${mpirun[@]}" -np 2 "$build/bin/add_two_numbers" --verbose 0 --out "$work/add_two_numbers" >"$work/add.log" 2>&1; then
    metrics=$work/add_two_numbers/metrics.json
    mae=$(grep -E '^  "val_mae"' "$metrics" | grep -oE '[0-9.e-]+,?$' | tr -d ,)
    world=$(grep -E '^  "world_size"' "$metrics" | grep -oE '[0-9]+')
    after=$(ls -d /tmp/tapenet-rank* 2>/dev/null | wc -l)
    if [ "$world" = 2 ] && awk -v m="$mae" 'BEGIN { exit !(m <= 0.05) }' && [ "$after" -le "$before" ] &&
        [ "$(grep -c '^validation MAE' "$work/add.log")" = 1 ]; then
        pass "mpirun -np 2 add_two_numbers" "validation MAE $mae, world_size $world"
    else
        fail "mpirun -np 2 add_two_numbers" "validation MAE $mae (limit 0.05), world_size $world, scratch folders $before -> $after, $(grep -c '^validation MAE' "$work/add.log") ranks printed"
    fi
else
    fail "mpirun -np 2 add_two_numbers" "$(tail -n 5 "$work/add.log")"
fi

echo "mpi: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
