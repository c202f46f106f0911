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

# Sync rounds through the fault-injecting proxy (tests/sync/test_fault_proxy.cpp): PROXY_ROUNDS (default 2000);
# PROXY_SEED replays a run.
proxy_rounds=${PROXY_ROUNDS:-2000}
echo "== fault proxy: $proxy_rounds sync rounds through a proxy that delays, drops, truncates and resets"
start=$(date +%s)
TSUNAGI_PROXY_ROUNDS=$proxy_rounds TSUNAGI_PROXY_SEED=${PROXY_SEED:-} build/tests/sync/tsunagi_sync_tests "[faults]" 2>&1 |
  sed -n '/fault proxy:/,/^====/p' | grep -v '^====' | sed 's/^ */   /'
echo "   $(( $(date +%s) - start )) s"
