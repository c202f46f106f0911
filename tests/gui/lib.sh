# Shared by the screenshot tests (POSIX sh, sourced). Before sourcing, set test_name, png_check and temp_parent.
#   make_work           sets $work: a fresh folder under $temp_parent, removed on exit; a test may set
#                       $on_exit to a command to run first (e.g. stop a collector)
#   capture DATA SCREEN renders SCREEN of the data folder DATA under Xvfb into $work/SCREEN.png, checks that it is a
#                       real picture, and copies it to $KEEP_SCREENSHOTS/SCREEN.png when that folder is named

if ! command -v xvfb-run >/dev/null 2>&1; then
  echo "$test_name: xvfb-run not found (apt-get install xvfb)" >&2
  exit 1
fi

on_exit=:
make_work() {
  mkdir -p "$temp_parent"
  work=$(mktemp -d "$temp_parent/$test_name.XXXXXX")
  trap 'eval "$on_exit"; rm -rf "$work"' EXIT INT TERM
}

capture() {
  timeout 60 xvfb-run -a -s "-screen 0 1280x800x24" \
    "$tsunagi" --data "$1" --screenshot "$work/$2.png" --screen "$2" >/dev/null
  test -s "$work/$2.png" || { echo "$test_name: no $2 screenshot written" >&2; exit 1; }
  "$png_check" "$work/$2.png"
  if [ -n "${KEEP_SCREENSHOTS:-}" ]; then cp "$work/$2.png" "$KEEP_SCREENSHOTS/$2.png"; fi
}
