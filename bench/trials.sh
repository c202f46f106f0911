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

# Power cuts (tests/sync/test_power_cut.cpp): POWER_CUT_TRIALS (default 1000) of 200 pushes and of 200 editor saves,
# every one a real cut (no ghost cuts); POWER_CUT_SEED starts the seeds elsewhere.
power_trials=${POWER_CUT_TRIALS:-1000}
echo "== power cuts: $power_trials real cuts of each, in runs of 200 pushes and of 200 editor saves"
start=$(date +%s)
TSUNAGI_POWER_CUT_TRIALS=$power_trials TSUNAGI_POWER_CUT_GHOSTS=0 TSUNAGI_POWER_CUT_SEED=${POWER_CUT_SEED:-1} \
  build/tests/sync/tsunagi_sync_tests "[power-cut]" 2>&1 | sed -n '/power cuts, /,/s)$/p' | sed 's/^ */   /'
echo "   $(( $(date +%s) - start )) s"

# Kill trials (tests/sync/test_kill_trials.cpp): KILL_CLIENT (default 300) kills of `tsunagi sync` and
# KILL_COLLECTOR (default 100) of the collector, each landed at a kill point mid-request; KILL_SEED replays a run.
kill_client=${KILL_CLIENT:-300}
kill_collector=${KILL_COLLECTOR:-100}
echo "== kills: $kill_client of tsunagi sync and $kill_collector of the collector, each mid-request"
start=$(date +%s)
TSUNAGI_KILL_TRIALS_CLIENT=$kill_client TSUNAGI_KILL_TRIALS_COLLECTOR=$kill_collector \
  TSUNAGI_KILL_SEED=${KILL_SEED:-1} build/tests/sync/tsunagi_sync_tests "[kill]" 2>&1 |
  sed -n '/kill trials (seed/,/^$/p' | sed 's/^ */   /'
echo "   $(( $(date +%s) - start )) s"
