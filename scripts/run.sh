#!/usr/bin/env bash
# Builds Tsunagi and runs it on its embedded defaults: a local tsunagi-collector (SQLite, self-signed certificate)
# on 127.0.0.1, holding the demo records, and the desktop client enrolled with it.
#
#   scripts/run.sh                  the supervisor's window (デモ 管理者): every record of the demo
#   scripts/run.sh --as staff       a staff member's window (中村 健太, 東区): their own records and their area's
#                                   meetings, restored from the collector; what they submit reaches the supervisor
#   scripts/run.sh --lang en ...    other arguments go to tsunagi
#
# Environment: TSUNAGI_DEMO_PORT (8443) the collector's port; TSUNAGI_DEMO_DATA the demo's folder
# (~/.local/share/tsunagi-demo); TSUNAGI_DEMO_DISPLAY (99) the Xvfb display used when there is no display.
# A collector already started by another run.sh on the same folder is shared, not started twice.
# Installs missing Debian packages (apt-get, or sudo apt-get).
set -euo pipefail
cd "$(dirname "$0")/.."

role=supervisor
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --as)
      [ $# -ge 2 ] || { echo "run.sh: --as needs staff or supervisor" >&2; exit 64; }
      role=$2
      shift 2
      ;;
    --as=*)
      role=${1#--as=}
      shift
      ;;
    *)
      args+=("$1")
      shift
      ;;
  esac
done
case "$role" in
  staff | supervisor) ;;
  *) echo "run.sh: --as takes staff or supervisor, not \"$role\"" >&2; exit 64 ;;
esac

source scripts/deps.sh
tsunagi_install_deps
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$(nproc)" --target tsunagi tsunagi-collector

demo="${TSUNAGI_DEMO_DATA:-${XDG_DATA_HOME:-$HOME/.local/share}/tsunagi-demo}"
collector_data="$demo/collector"
port="${TSUNAGI_DEMO_PORT:-8443}"
collector=build/collector/tsunagi-collector
tsunagi=build/app/tsunagi
mkdir -p "$demo"
# The laptops' data is encrypted at rest (issue [10]) with the demo's passphrase: the commands below read it from
# this file; the window asks for it on its lock screen.
demo_passphrase='tsunagi demo つなぎ'
(umask 077 && printf '%s\n' "$demo_passphrase" > "$demo/passphrase")
export TSUNAGI_PASSPHRASE_FILE="$demo/passphrase"

# The collector: this folder's own if one runs already, else a new one stopped when this script ends.
collector_pid=
if [ -f "$demo/collector.pid" ] && kill -0 "$(cat "$demo/collector.pid")" 2>/dev/null; then
  echo "Collector: already running (pid $(cat "$demo/collector.pid")), shared" >&2
else
  "$collector" serve --data "$collector_data" --listen "127.0.0.1:$port" > "$demo/collector.out" 2> "$demo/collector.log" &
  collector_pid=$!
  echo "$collector_pid" > "$demo/collector.pid"
  trap 'kill "$collector_pid" 2>/dev/null; wait "$collector_pid" 2>/dev/null || true; rm -f "$demo/collector.pid"' EXIT
  for _ in $(seq 50); do grep -q '^pin ' "$demo/collector.out" 2>/dev/null && break; sleep 0.1; done
  if ! grep -q '^pin ' "$demo/collector.out"; then
    cat "$demo/collector.log" >&2
    echo "run.sh: the collector did not start; is port $port taken? (TSUNAGI_DEMO_PORT=... chooses another)" >&2
    exit 1
  fi
  echo "Collector: $(grep listening "$demo/collector.out" | head -n 1) (log: $demo/collector.log)" >&2
fi

# Enrolls data folder $1 as user $2 with role $3 (and more `user add` words) unless it is enrolled already.
enroll() {
  local folder=$1 name=$2 role=$3
  shift 3
  [ -f "$folder/enrollment.json" ] && return 0
  local line
  line=$("$collector" user add --data "$collector_data" --name "$name" --role "$role" "$@" | tail -n 1)
  "$tsunagi" --data "$folder" enroll "$line" >&2
}

# The office (the supervisor's laptop) brings the demo records to the collector once.
office="$demo/supervisor"
if [ ! -f "$office/enrollment.json" ]; then
  "$collector" reference import assets/reference/default.json --data "$collector_data" >&2
  enroll "$office" "デモ 管理者" supervisor
  "$tsunagi" --data "$office" import assets/demo/records.json >&2
  "$tsunagi" --data "$office" sync >&2 || { echo "run.sh: the demo records did not reach the collector" >&2; exit 1; }
fi

if [ "$role" = staff ]; then
  client="$demo/staff"
  if [ ! -f "$client/enrollment.json" ]; then
    enroll "$client" "中村 健太" staff --team 東区
    "$tsunagi" --data "$client" restore >&2 || true  # offline: the window syncs when the collector answers
  fi
else
  client="$office"
fi
echo "Data folder: $client ($role)" >&2
echo "The window asks for the data's passphrase: $demo_passphrase" >&2
unset TSUNAGI_PASSPHRASE_FILE

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  display="${TSUNAGI_DEMO_DISPLAY:-99}"
  echo "No display: the window runs inside Xvfb on DISPLAY=:$display (xdotool and screenshots reach it there)" >&2
  xvfb-run -n "$display" -s "-screen 0 1280x800x24" "$tsunagi" --data "$client" "${args[@]}"
else
  "$tsunagi" --data "$client" "${args[@]}"
fi
