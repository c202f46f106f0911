#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (build-fuzz/) and runs each for FUZZ_SECONDS (default 30), seeded with
# real requests and answers made from the demo records. Exits non-zero when a target finds a crash, a leak, a
# timeout or memory past its limit; the input that did it is left in build-fuzz/findings/.
#   scripts/fuzz.sh                   both targets, 30 s each (what CI runs)
#   FUZZ_SECONDS=600 scripts/fuzz.sh  longer
#   scripts/fuzz.sh build             only builds them (CI builds them while the sanitizer run's tests go on)
#   scripts/fuzz.sh run               only runs what was built
set -euo pipefail
cd "$(dirname "$0")/.."
step=${1:-all}
case "$step" in all|build|run) ;; *) echo "usage: scripts/fuzz.sh [build|run]" >&2; exit 64;; esac
source scripts/deps.sh
tsunagi_install_deps clang libclang-rt-14-dev

build=build-fuzz
if [ "$step" != run ]; then
# -O1 and line tables: libFuzzer's own advice for speed per input, and the build (every library, instrumented) is
# most of this script's time in CI.
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1" -DTSUNAGI_FUZZ=ON \
  -DTSUNAGI_BUILD_APP=OFF -DTSUNAGI_BUILD_TESTS=OFF -DTSUNAGI_BUILD_BENCH=OFF > /dev/null
cmake --build "$build" -j "$(nproc)" --target fuzz_collector_request fuzz_client_answer
fi
[ "$step" = build ] && exit 0

# Seeds: a push request, a pull answer, push results and an error, made from the demo records.
seeds="$build/seeds"
rm -rf "$seeds"
mkdir -p "$seeds/collector_request" "$seeds/client_answer" "$build/findings"
python3 - "$seeds" <<'PY'
import json, sys
seeds = sys.argv[1]
records = json.load(open("assets/demo/records.json"))
clock = "1733000000000.0000.0000000a"
def with_ids(record, i):
    record = dict(record, id="0193a000-0000-7000-8000-%012d" % i, hlc=clock, field_hlc={"*": clock})
    return record
compact = lambda value: json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
for i, record in enumerate(records[:8]):
    r = with_ids(record, i)
    push = {"revisions": [{"id": r["id"], "hlc": clock, "base": None, "hash": "sha256:" + "0" * 64, "record": r}],
            "seen": "0193a000-0000-7000-8000-000000000001.%d" % (i * 7)}
    open(f"{seeds}/collector_request/push-{i}.json", "w").write(compact(push))
    pull = {"records": [r], "reference": None, "cursor": "0193a000-0000-7000-8000-000000000001.%d" % i, "more": False,
            "conflicts": [{"id": r["id"], "field": "title", "value": "別の件名", "clock": clock,
                           "winner_clock": clock, "by": "田中", "device": "d", "at": "2024-07-03T00:00:00Z"}]}
    open(f"{seeds}/client_answer/pull-{i}.json", "w").write(compact(pull))
open(f"{seeds}/collector_request/enroll.json", "w").write(compact({"code": "K7Q2-M9XD-4PRT-WZ3H-8B5N", "device_name": "laptop-12"}))
open(f"{seeds}/collector_request/pull.json", "w").write(compact({"cursor": "0193a000-0000-7000-8000-000000000001.42", "limit": 1000}))
results = {"results": [{"id": "r1", "hlc": clock, "status": "stored", "code": 201},
                       {"id": "r2", "hlc": clock, "status": "conflict", "code": 409, "lost": ["title"]},
                       {"id": "r3", "hlc": clock, "status": "rejected", "code": 422,
                        "error": {"code": "auth.locked", "path": "/record/status", "message": "m", "message_ja": "m"}}]}
open(f"{seeds}/client_answer/push-results.json", "w").write(compact(results))
open(f"{seeds}/client_answer/error.json", "w").write(compact({"error": {"code": "clock.future", "path": "/hlc", "message": "m", "message_ja": "m"}}))
reference = json.load(open("assets/reference/default.json"))
open(f"{seeds}/client_answer/reference.json", "w").write(compact({"records": [], "reference": reference, "cursor": "c", "more": True}))
PY

seconds=${FUZZ_SECONDS:-30}
for target in collector_request client_answer; do
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  echo "== fuzz_$target: $seconds s" >&2
  "$build/fuzz/fuzz_$target" "$corpus" "$seeds/$target" -max_total_time="$seconds" -max_len=65536 \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix="$build/findings/$target-" 2>&1 |
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|==|SUMMARY|INFO: seed corpus)|Done [0-9]+ runs" >&2
done
