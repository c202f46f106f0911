#!/usr/bin/env bash
# The Windows client keeps the data key with DPAPI (model/keyring), under Wine: `passphrase remember`, then commands
# with no passphrase given and no console open the data; `passphrase forget`, and they ask for it again.
# Usage: keyring_wine_test.sh TSUNAGI (a command that runs tsunagi.exe)
set -uo pipefail
tsunagi=$1
source "$(dirname "$0")/../cli/lib.sh"
data="$work/data"

printf '{"kind":"meeting","date":"2024-05-01","title":"DPAPI の会議","status":"draft"}' > "$work/meeting.json"
run_program 0 "$tsunagi" --data "$data" --lang en record add --json "$work/meeting.json"
run_program 0 "$tsunagi" --data "$data" --lang en passphrase remember
check "remember: says so ($out)" contains "$out" "(DPAPI)"
check "remember: the key file names DPAPI" grep -q '"store": "dpapi"' "$data/keys.json"
passphrase_file=$TSUNAGI_PASSPHRASE_FILE
unset TSUNAGI_PASSPHRASE_FILE
run_program 0 "$tsunagi" --data "$data" --lang en record list </dev/null
check "the login opens it, no passphrase given ($out)" contains "$out" "DPAPI の会議"
run_program 0 "$tsunagi" --data "$data" --lang en passphrase forget
check "forget: says so ($out)" contains "$out" "passphrase is needed again"
run_program 1 "$tsunagi" --data "$data" --lang en record list </dev/null
check "forgotten: asks for the passphrase ($err)" contains "$err" "give its passphrase"
TSUNAGI_PASSPHRASE_FILE=$passphrase_file run_program 0 "$tsunagi" --data "$data" --lang en record list
check "the passphrase opens it ($out)" contains "$out" "DPAPI の会議"
finish "windows keyring (DPAPI)"
