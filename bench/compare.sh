#!/usr/bin/env bash
# tapenet vs PyTorch, in the same run: for each model, bench/torch_baseline.py then build/bin/bench
# (interleaved per model, so both see the same machine load), then bench/compare_report.py prints
# the comparison and writes BUILD_DIR/compare.json.  `make bench-compare` runs it on build/.
#
#   bench/compare.sh BUILD_DIR [--models a,b] [--repeats N] [--target-s X] [--warmup N]
#                              [--threads 1,2] [--torch-threads 1,1b2,2p] [--torch-timeout-s 180]
#
# Defaults (under 10 minutes on 2 cores, even busy ones): all models, 5 repeats of ~0.5 s, 2 warm-up steps,
# tapenet at 1 and 2 threads, PyTorch at 1, 1b2 and 2p (see bench/torch_baseline.py; its setting "2",
# torch and OpenBLAS both spinning 2 threads, was the slowest in every run here and on a loaded machine takes
# many minutes per model: add it with --torch-threads 1,2,1b2,2p; a PyTorch run that exceeds
# --torch-timeout-s is dropped).  The same settings may come from the environment: MODELS, REPEATS,
# TARGET_S, WARMUP, THREADS, TORCH_THREADS, TORCH_TIMEOUT_S (e.g. `REPEATS=3 make bench-compare`).
# The machine should be otherwise idle.
set -euo pipefail

usage() { sed -n '6,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[[ $# -ge 1 && $1 != -* ]] || usage
BUILD=$1
shift
HERE=$(cd "$(dirname "$0")" && pwd)
MODELS=${MODELS:-add_two_numbers,find_max_b64,find_max_b32,imdb_text,lstm512_scaling,gru_text,seq2seq_dates}
REPEATS=${REPEATS:-5}
TARGET_S=${TARGET_S:-0.5}
WARMUP=${WARMUP:-2}
THREADS=${THREADS:-1,2}
TORCH_THREADS=${TORCH_THREADS:-1,1b2,2p}
TORCH_TIMEOUT_S=${TORCH_TIMEOUT_S:-180}
while [[ $# -gt 0 ]]; do
    [[ $# -ge 2 ]] || usage
    case $1 in
        --models) MODELS=$2 ;;
        --repeats) REPEATS=$2 ;;
        --target-s) TARGET_S=$2 ;;
        --warmup) WARMUP=$2 ;;
        --threads) THREADS=$2 ;;
        --torch-threads) TORCH_THREADS=$2 ;;
        --torch-timeout-s) TORCH_TIMEOUT_S=$2 ;;
        *) echo "compare.sh: unknown option $1" >&2; usage ;;
    esac
    shift 2
done

BENCH=$BUILD/bin/bench
PYTHON=/usr/bin/python3
[[ -x $BENCH ]] || { echo "compare.sh: $BENCH not found; build it with 'make $BENCH'" >&2; exit 1; }
if ! $PYTHON -c 'import torch, numpy' 2>/dev/null; then
    echo "compare.sh: PyTorch is missing for $PYTHON; install it with:" >&2
    echo "    apt-get install -y python3-torch python3-numpy" >&2
    exit 1
fi

PARTS=$BUILD/compare
mkdir -p "$PARTS"
rm -f "$PARTS"/tapenet_*.json "$PARTS"/torch_*.json
common=(--repeats "$REPEATS" --target-s "$TARGET_S" --warmup "$WARMUP")
start=$SECONDS
tapenet_parts=() torch_parts=()
for model in ${MODELS//,/ }; do
    echo "== $model: PyTorch (${TORCH_THREADS}) =="
    $PYTHON "$HERE/torch_baseline.py" --models "$model" --threads "$TORCH_THREADS" "${common[@]}" \
        --timeout-s "$TORCH_TIMEOUT_S" --out "$PARTS/torch_$model.json" | grep '^  done' || true
    echo "== $model: tapenet (${THREADS}) =="
    "$BENCH" --models "$model" --threads "$THREADS" "${common[@]}" --out "$PARTS/tapenet_$model.json" \
        | grep '^  done' || true
    [[ -f $PARTS/torch_$model.json ]] && torch_parts+=("$PARTS/torch_$model.json")
    [[ -f $PARTS/tapenet_$model.json ]] && tapenet_parts+=("$PARTS/tapenet_$model.json")
done
echo "(measured in $((SECONDS - start)) s)"

[[ ${#tapenet_parts[@]} -gt 0 && ${#torch_parts[@]} -gt 0 ]] || { echo "compare.sh: no results" >&2; exit 1; }
$PYTHON "$HERE/compare_report.py" --tapenet "${tapenet_parts[@]}" --torch "${torch_parts[@]}" \
    --out "$BUILD/compare.json" \
    --command "bench/compare.sh $BUILD --models $MODELS --repeats $REPEATS --target-s $TARGET_S --warmup $WARMUP --threads $THREADS --torch-threads $TORCH_THREADS"
