# Shared by the screenshot tests (POSIX sh, sourced). Before sourcing, set test_name, png_check and temp_parent.
#   make_work           sets $work: a fresh folder under $temp_parent, removed on exit; a test may set
#                       $on_exit to a command to run first (e.g. stop a collector)
#   capture DATA SCREEN [ARGS...]
#                       renders SCREEN of the data folder DATA under Xvfb into $work/SCREEN.png (ARGS go to
#                       tsunagi), checks that it is a real picture, keeps the text drawn on it in $work/SCREEN.txt
#                       (a line per line on screen), and copies the PNG to $KEEP_SCREENSHOTS/SCREEN.png when that
#                       folder is named
#   says SCREEN TEXT    fails unless the screen's drawn text contains TEXT
#   never_says SCREEN TEXT
#                       fails if it does
#   start_collector COLLECTOR
#                       starts COLLECTOR serve on 127.0.0.1 (any free port) with its data in $work/collector, waits
#                       for its pin, imports the default reference data and stops it on exit

if ! command -v xvfb-run >/dev/null 2>&1; then
  echo "$test_name: xvfb-run not found (apt-get install xvfb)" >&2
  exit 1
fi

on_exit=:
make_work() {
  mkdir -p "$temp_parent"
  work=$(mktemp -d "$temp_parent/$test_name.XXXXXX")
  trap 'eval "$on_exit"; rm -rf "$work"' EXIT INT TERM
  # Every data folder is encrypted, as on a real device: the window and the commands read this passphrase from the
  # file instead of asking, and make key files with Argon2id's cheapest parameters (TSUNAGI_TEST_KDF, tests only).
  printf '%s\n' 'つなぎ test passphrase' > "$work/passphrase"
  TSUNAGI_PASSPHRASE_FILE="$work/passphrase"
  TSUNAGI_TEST_KDF=fast
  export TSUNAGI_PASSPHRASE_FILE TSUNAGI_TEST_KDF
}

capture() {
  capture_data=$1
  capture_screen=$2
  shift 2
  timeout 60 xvfb-run -a -s "-screen 0 1280x800x24" "$tsunagi" --data "$capture_data" \
    --screenshot "$work/$capture_screen.png" --drawn-text "$work/$capture_screen.txt" --screen "$capture_screen" \
    "$@" >/dev/null
  test -s "$work/$capture_screen.png" || { echo "$test_name: no $capture_screen screenshot written" >&2; exit 1; }
  "$png_check" "$work/$capture_screen.png"
  test -s "$work/$capture_screen.txt" || { echo "$test_name: no text drawn on $capture_screen" >&2; exit 1; }
  if [ -n "${KEEP_SCREENSHOTS:-}" ]; then cp "$work/$capture_screen.png" "$KEEP_SCREENSHOTS/$capture_screen.png"; fi
}

says() {
  if ! grep -qF -- "$2" "$work/$1.txt"; then
    echo "$test_name: the $1 screen does not say \"$2\"; it says:" >&2
    cat "$work/$1.txt" >&2
    exit 1
  fi
}

never_says() {
  if grep -qF -- "$2" "$work/$1.txt"; then
    echo "$test_name: the $1 screen says \"$2\", which it must not:" >&2
    grep -F -- "$2" "$work/$1.txt" >&2
    exit 1
  fi
}

collector_pid=
start_collector() {
  "$1" serve --data "$work/collector" --listen 127.0.0.1:0 >"$work/collector.out" 2>"$work/collector.log" &
  collector_pid=$!
  on_exit='if [ -n "$collector_pid" ]; then kill "$collector_pid" 2>/dev/null; wait "$collector_pid" 2>/dev/null; fi'
  i=0
  while ! grep -q '^pin ' "$work/collector.out" 2>/dev/null; do
    i=$((i + 1))
    if [ "$i" -gt 100 ]; then cat "$work/collector.log" >&2; echo "collector did not start" >&2; exit 1; fi
    sleep 0.1
  done
  "$1" reference import "$(dirname "$0")/../../assets/reference/default.json" --data "$work/collector" >/dev/null
}
