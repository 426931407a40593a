#!/usr/bin/env bash
# make bench-distributed: weak scaling of Model::fit over Open MPI (docs/distributed.md).
# For add_two_numbers and imdb_text (bench/bench_models.h), one process (no mpirun) against
# mpirun -np 2, the same 64 rows per rank per step, one thread per rank (OPENBLAS_NUM_THREADS=1,
# tapenet threads 1). efficiency = samples/s at np=2 / (2 x samples/s at np=1); the target is 0.8.
# Writes BUILD/bench_distributed.json and prints a table. The machine should be idle: two ranks
# on two cores share them with anything else running, and a step waits for the slower rank.
# As a control, two single processes also run at the same time without talking to each other:
# "independent" is their summed samples/s over 2 x np=1, the ceiling that the cores, caches and
# the machine's load leave for np=2 (the communication and the lock-step waiting cost the rest).
#   bench/distributed.sh [BUILD]     env: STEPS_add_two_numbers (default 60), STEPS_imdb_text (6), REPEATS (3)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bench=$build/bin/bench
out=$build/bench_distributed.json
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
repeats=${REPEATS:-3}
declare -A steps=([add_two_numbers]=${STEPS_add_two_numbers:-60} [imdb_text]=${STEPS_imdb_text:-6})

field() { sed -E "s/.* $1=([^ ]+).*/\1/" <<<"$2"; }

# np=2 runs on 2 slots (the cores) without --oversubscribe, so that Open MPI polls instead of yielding.
np2=(mpirun -np 2)
[ "$(nproc)" -ge 2 ] || np2=(mpirun --oversubscribe -np 2)

rows=()
printf '%-16s %5s %14s %10s %12s %14s %10s %11s\n' model ranks samples/s step_ms allreduce_ms allreduce_bytes efficiency independent
for model in add_two_numbers imdb_text; do
    one=$("$bench" --distributed "$model" --steps "${steps[$model]}" --repeats "$repeats" | grep '^RESULT')
    two=$("${np2[@]}" "$bench" --distributed "$model" --steps "${steps[$model]}" --repeats "$repeats" |
          grep '^RESULT')
    base=$(field samples_per_s "$one")
    pair=$( ("$bench" --distributed "$model" --steps "${steps[$model]}" --repeats "$repeats" &
             "$bench" --distributed "$model" --steps "${steps[$model]}" --repeats "$repeats"; wait) | grep '^RESULT')
    ceiling=$(awk -v b="$base" '{ for (i = 1; i <= NF; ++i) if ($i ~ /^samples_per_s=/) { split($i, kv, "="); s += kv[2] } }
                                END { printf "%.3f", s / (2 * b) }' <<<"$pair")
    for line in "$one" "$two"; do
        ranks=$(field ranks "$line")
        sps=$(field samples_per_s "$line")
        eff=$(awk -v s="$sps" -v b="$base" -v r="$ranks" 'BEGIN { printf "%.3f", s / (r * b) }')
        printf '%-16s %5s %14s %10s %12s %14s %10s %11s\n' "$model" "$ranks" "$sps" "$(field step_ms "$line")" \
            "$(field allreduce_ms_per_step "$line")" "$(field allreduce_bytes_per_step "$line")" "$eff" \
            "$([ "$ranks" = 2 ] && echo "$ceiling" || echo -)"
        rows+=("{\"model\": \"$model\", \"ranks\": $ranks, \"per_rank_batch\": $(field per_rank_batch "$line"), \
\"samples_per_s\": $sps, \"step_ms\": $(field step_ms "$line"), \"efficiency\": $eff, \
\"independent_efficiency\": $([ "$ranks" = 2 ] && echo "$ceiling" || echo null), \
\"allreduce_ms_per_step\": $(field allreduce_ms_per_step "$line"), \
\"allreduce_bytes_per_step\": $(field allreduce_bytes_per_step "$line")}")
    done
done
{
    echo "{"
    echo "  \"what\": \"weak scaling of fit, one process against mpirun -np 2; same per-rank batch; 1 thread per rank; median of $repeats repeats\","
    echo "  \"load_average_1min\": $(cut -d' ' -f1 /proc/loadavg),"
    echo "  \"cores\": $(nproc),"
    echo "  \"results\": ["
    for i in "${!rows[@]}"; do echo "    ${rows[$i]}$([ "$i" -lt $((${#rows[@]} - 1)) ] && echo ,)"; done
    echo "  ]"
    echo "}"
} >"$out"
echo "wrote $out (load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; target efficiency >= 0.8)"
