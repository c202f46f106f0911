#!/usr/bin/env bash
# Builds Tsunagi and runs it on its embedded defaults: a local tsunagi-collector (SQLite, self-signed certificate)
# on 127.0.0.1, and the desktop client on a demo data folder, enrolled with that collector (demo records load on
# first start). Installs missing Debian packages. Extra arguments go to tsunagi (e.g. --lang en).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
tsunagi_install_deps
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$(nproc)" --target tsunagi tsunagi-collector

demo="${TSUNAGI_DEMO_DATA:-${XDG_DATA_HOME:-$HOME/.local/share}/tsunagi-demo}"
client="$demo/client"
collector_data="$demo/collector"
port="${TSUNAGI_DEMO_PORT:-8443}"
mkdir -p "$demo"

collector=build/sync/tsunagi-collector
"$collector" serve --data "$collector_data" --listen "127.0.0.1:$port" > "$demo/collector.out" 2> "$demo/collector.log" &
collector_pid=$!
trap 'kill "$collector_pid" 2>/dev/null; wait "$collector_pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q '^pin ' "$demo/collector.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^pin ' "$demo/collector.out" || { cat "$demo/collector.log" >&2; exit 1; }
echo "Collector: $(head -n 3 "$demo/collector.out" | grep listening) (log: $demo/collector.log)" >&2

if [ ! -f "$client/enrollment.json" ]; then
  "$collector" reference import assets/reference/default.json --data "$collector_data" >&2
  line=$("$collector" user add --data "$collector_data" --name "デモ 担当者" --role supervisor | tail -n 1)
  build/app/tsunagi --data "$client" enroll "$line" >&2
fi
echo "Data folder: $client" >&2
build/app/tsunagi --data "$client" --demo "$@"
