#!/usr/bin/env bash
# The Windows installer under Wine: a silent install puts tsunagi.exe and its assets in
# %LOCALAPPDATA%\Programs\Tsunagi with a Start-menu entry and an entry in Apps; the installed program runs and
# keeps its data in %LOCALAPPDATA%\Tsunagi; the uninstaller removes the program and keeps the data, unless told to
# delete it too (/DELETEDATA, the check box when not silent).
# Usage: installer_test.sh TSUNAGI-SETUP.EXE       (WINEPREFIX as build-windows.sh sets it)
set -uo pipefail
setup=$1
source "$(dirname "$0")/../cli/lib.sh"
export WINEDEBUG=-all LANG=C.UTF-8
local_app_data=$(wine cmd /c 'echo %LOCALAPPDATA%' 2>/dev/null | tr -d '\r')
local_unix=$(winepath -u "$local_app_data" 2>/dev/null)
programs="$local_unix/Programs/Tsunagi"
data="$local_unix/Tsunagi"
start_menu=$(winepath -u "$(wine cmd /c 'echo %APPDATA%' 2>/dev/null | tr -d '\r')" 2>/dev/null)/Microsoft/Windows/Start\ Menu/Programs
rm -rf "$programs" "$data" "$start_menu/つなぎ.lnk"

install() { checks=$((checks + 1)); wine "$setup" /S || fail "the installer failed"; }
uninstall() {  # in place (_?=): the uninstaller waits for itself to finish
  checks=$((checks + 1))
  wine "$programs/uninstall.exe" /S "$@" "_?=$(winepath -w "$programs" 2>/dev/null)" || fail "the uninstaller failed"
}

install
check "tsunagi.exe installed in %LOCALAPPDATA%\\Programs\\Tsunagi" test -f "$programs/tsunagi.exe"
check "with its reference data" test -f "$programs/assets/reference/default.json"
check "and its Japanese catalogue" test -f "$programs/assets/i18n/ja.json"
check "and the Japanese README" grep -q "最初の登録" "$programs/README-ja.txt"
check "a Start-menu entry つなぎ" test -f "$start_menu/つなぎ.lnk"
check "an uninstaller" test -f "$programs/uninstall.exe"
checks=$((checks + 1))
wine reg query 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Tsunagi' /v DisplayName 2>/dev/null |
  tr -d '\r' | grep -q "Tsunagi" || fail "the program is listed in Apps (the Uninstall key)"

# The installed program runs and keeps its data in %LOCALAPPDATA%\Tsunagi.
run_program 0 "$(dirname "$0")/wine_run.sh" "$programs/tsunagi.exe" --lang en record add --json - \
  <<<'{"kind": "outreach", "date": "2024-05-21", "title": "インストール後の記録", "status": "draft"}'
check "the installed program stores in %LOCALAPPDATA%\\Tsunagi" test -f "$data/tsunagi.db"

uninstall
check "the uninstaller removes the program" test ! -f "$programs/tsunagi.exe"
check "and the Start-menu entry" test ! -f "$start_menu/つなぎ.lnk"
check "and keeps the records" test -f "$data/tsunagi.db"

install
uninstall /DELETEDATA
check "asked to, it deletes the data folder too" test ! -e "$data"
rm -rf "$programs"
finish installer_test
