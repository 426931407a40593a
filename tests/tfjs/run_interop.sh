#!/usr/bin/env bash
# TensorFlow.js interop checks for CI (.ci/run calls this): installs the pinned @tensorflow/tfjs
# from package-lock.json if needed, runs the node tests in test/ (every *.test.js there), and prints
# the totals as one line "interop: N passed, N failed, N skipped". Exits non-zero if anything failed
# or could not run. Tests that run a tapenet binary (date_translation.test.js) skip, with the reason,
# when it is not built: run make first.
set -uo pipefail
cd "$(dirname "$0")"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "interop: node and npm are needed (Node 20)"
    echo "interop: 0 passed, 1 failed"
    exit 1
fi
if [ ! -d node_modules/@tensorflow/tfjs ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund || { echo "interop: npm ci failed"; echo "interop: 0 passed, 1 failed"; exit 1; }
fi

log=$(mktemp)
node --test --test-reporter=tap test/ 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
passed=$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$log" | tail -n 1)
failed=$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$log" | tail -n 1)
skipped=$(sed -nE 's/^# skipped ([0-9]+)$/\1/p' "$log" | tail -n 1)
rm -f "$log"
if [ -z "$passed" ] || [ -z "$failed" ]; then
    echo "interop: the node test runner printed no totals"
    passed=${passed:-0}
    failed=$((${failed:-0} + 1))
    rc=1
fi
echo "interop: $passed passed, $failed failed, ${skipped:-0} skipped"
exit "$rc"
