#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests and benchmarks, started as ctest's fixture (tests/CMakeLists.txt):
#
#   postgres_server.sh start STATE_DIR   initdb in a fresh folder under $TMPDIR (owned by `nobody` when run as root:
#                                        PostgreSQL refuses to run as root), listening on 127.0.0.1 only at a free
#                                        port, and writes its URL to STATE_DIR/url
#   postgres_server.sh stop STATE_DIR    stops it and removes its folder
#
# Debian's postgresql package provides the programs (/usr/lib/postgresql/*/bin); .ci/run installs it.
set -euo pipefail

action=${1:?start or stop}
state=${2:?state folder}
mkdir -p "$state"

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [[ -z "$bin" || ! -x "$bin/pg_ctl" ]]; then
  echo "postgres_server.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi

# Runs a command as the server's owner: ourselves, or `nobody` when we are root.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups -- "$@"
  else
    "$@"
  fi
}

stop_server() {
  [[ -f "$state/datadir" ]] || return 0
  local data
  data=$(cat "$state/datadir")
  if [[ -d "$data/cluster" ]]; then
    as_owner "$bin/pg_ctl" -D "$data/cluster" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$data"
  rm -f "$state/datadir" "$state/url"
}

case "$action" in
  start)
    stop_server  # one left from an interrupted run
    data=$(mktemp -d "${TMPDIR:-/tmp}/tsunagi-postgres-XXXXXX")
    chmod 0755 "$data"
    echo "$data" > "$state/datadir"
    [[ $(id -u) -eq 0 ]] && chown nobody "$data"
    as_owner "$bin/initdb" -D "$data/cluster" -U tsunagi -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$data/initdb.log" 2>&1 ||
      { cat "$data/initdb.log" >&2; exit 1; }
    for attempt in 1 2 3 4 5 6 7 8; do
      port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
      # Three collector processes with 16 connections each, several test programs at once, and the benchmarks.
      if as_owner "$bin/pg_ctl" -D "$data/cluster" -l "$data/server.log" -w -t 60 \
        -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=64MB" \
        start </dev/null >/dev/null 2>&1; then  # the server holds none of our pipes
        echo "postgresql://tsunagi@127.0.0.1:$port/postgres" > "$state/url"
        echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') at 127.0.0.1:$port (data in $data)"
        exit 0
      fi
      grep -q "could not bind\|already in use" "$data/server.log" 2>/dev/null || { cat "$data/server.log" >&2; exit 1; }
    done
    echo "postgres_server.sh: no free port found" >&2
    exit 1
    ;;
  stop)
    stop_server
    ;;
  *)
    echo "usage: postgres_server.sh start|stop STATE_DIR" >&2
    exit 64
    ;;
esac
