#!/usr/bin/env bash
# The long trials: what CI runs a bounded count of, run here many more times. Prints each trial's figures.
#   bench/trials.sh [RUNS]     RUNS convergence runs (default 100000); build/ must be built (scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-100000}
tests=build/tests/tsunagi_tests
[ -x "$tests" ] || { echo "trials.sh: build first (scripts/test.sh)" >&2; exit 1; }
echo "== convergence: $runs seeded runs of three replicas"
start=$(date +%s)
TSUNAGI_CONVERGENCE_RUNS=$runs "$tests" "three replicas editing apart*" 2>&1 | grep -A2 "runs:" | sed 's/^ *//'
echo "   $(( $(date +%s) - start )) s"
