# Shared by the command-line tests (bash, sourced): a fresh $work folder removed on exit, a count of checks and
# failures, and the checks themselves.
#   check DESCRIPTION COMMAND...   the command must succeed
#   run_program EXPECTED_EXIT PROGRAM ARGS...
#                                  runs PROGRAM, keeps its stdout and stderr in $out and $err, checks the exit code
#   contains TEXT PART             whether TEXT contains PART
#   finish NAME                    prints the counts and fails when any check failed
#   start_collector [ADDRESS]      "$collector" serve on $work/collector (default 127.0.0.1:0, any free port),
#                                  waits for its pin; sets $collector_pid and $port (the caller stops it on exit)
#   stop_collector
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Every data folder is encrypted, as on a real device: tsunagi reads this passphrase from the file (its first use of
# a folder sets it), and makes key files with Argon2id's cheapest parameters (TSUNAGI_TEST_KDF, tests only).
printf '%s\n' 'つなぎ test passphrase' > "$work/passphrase"
export TSUNAGI_PASSPHRASE_FILE="$work/passphrase" TSUNAGI_TEST_KDF=fast
failures=0
checks=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
check() {
  checks=$((checks + 1))
  local what=$1; shift
  "$@" || fail "$what"
}
run_program() {
  checks=$((checks + 1))
  local expected=$1 program=$2; shift 2
  "$program" "$@" > "$work/out" 2> "$work/err"
  local code=$?
  out=$(cat "$work/out"); err=$(cat "$work/err")
  if [ "$code" != "$expected" ]; then
    fail "$(basename "$program") $* exited $code, expected $expected; stderr: $err"
  fi
}
contains() { [[ "$1" == *"$2"* ]]; }
not_contains() { [[ "$1" != *"$2"* ]]; }
finish() {
  echo "$1: $((checks - failures)) passed, $failures failed"
  [ "$failures" = 0 ]
}

collector_pid=
start_collector() {
  : > "$work/collector.out"
  "$collector" serve --data "$work/collector" --listen "${1:-127.0.0.1:0}" >"$work/collector.out" 2>"$work/collector.log" &
  collector_pid=$!
  local i=0
  while ! grep -q '^pin ' "$work/collector.out" 2>/dev/null; do
    i=$((i + 1))
    if [ "$i" -gt 100 ]; then cat "$work/collector.log" >&2; echo "collector did not start" >&2; exit 1; fi
    sleep 0.1
  done
  port=$(sed -n 's|^tsunagi-collector listening on https://127.0.0.1:\([0-9]*\).*|\1|p' "$work/collector.out")
}
stop_collector() { kill "$collector_pid"; wait "$collector_pid" 2>/dev/null; collector_pid=; }
