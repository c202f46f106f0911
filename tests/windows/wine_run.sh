#!/usr/bin/env bash
# Runs a Windows program under Wine as the Linux tests run a Linux one: arguments, stdin and the exit code passed
# through; its stdout and stderr with the CR of Windows line ends taken out (text-mode output ends lines "\r\n").
# Unix paths in arguments work as they are: Wine's current drive is Z:, which is the Unix root.
# Usage: wine_run.sh PROGRAM.exe ARGS...     Environment: WINEPREFIX (set by scripts/build-windows.sh).
set -uo pipefail
program=$1
shift
# A window: Wine's desktop process stays tied to the X display it first opened, and each xvfb-run brings a new one,
# so the Wine server (and with it that process) starts afresh for every windowed run.
if [ -n "${DISPLAY:-}" ]; then
  wineserver -k 2>/dev/null
  wineserver -w 2>/dev/null
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
WINEDEBUG=-all LANG=C.UTF-8 wine "$program" "$@" >"$scratch/out" 2>"$scratch/err"
code=$?
tr -d '\r' <"$scratch/out"
tr -d '\r' <"$scratch/err" >&2
exit "$code"
