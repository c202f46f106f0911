#!/usr/bin/env bash
# The data key kept in the login's keyring (libsecret), with a real Secret Service: each command runs in a private
# D-Bus session (dbus-run-session) with gnome-keyring-daemon, whose login keyring lives in a temporary home and is
# unlocked with a password, as a desktop login does; both end with the command, and the keyring file stays for the
# next "login". Nothing touches the keyring of whoever runs the tests.
#   - the hidden [.keyring] cases of the unit and client suites (model/keyring, encryption, the window);
#   - `passphrase remember`: commands with no passphrase given and no terminal then open the data; another login's
#     keyring, or no session bus at all, does not (the error says why), and the passphrase still does;
#   - `passphrase forget` and `wipe` take the key out of the keyring.
# Usage: keyring_test.sh TSUNAGI UNIT_TESTS CLIENT_TESTS
set -uo pipefail
tsunagi=$1 unit=$2 client=$3
source "$(dirname "$0")/lib.sh"

export XDG_RUNTIME_DIR="$work/runtime"
mkdir -p "$XDG_RUNTIME_DIR" "$work/home" "$work/other-home"
chmod 700 "$XDG_RUNTIME_DIR"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY  # no bus to reach, and none to autolaunch
login_home="$work/home"  # whose login: in_session's keyring

# in_session COMMAND...: COMMAND in a login session of $login_home: a session bus, the keyring daemon unlocked (in
# the foreground, and stopped after COMMAND: a daemon left to end with the bus may miss its end and linger).
cat > "$work/session.sh" <<'EOF2'
printf "%s" "keyring test login" | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null &
daemon=$!
for _ in $(seq 100); do
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null | grep -q true && break
  sleep 0.1
done
"$@"
status=$?
kill "$daemon"
wait "$daemon"
exit $status
EOF2
in_session() {
  HOME="$login_home" XDG_DATA_HOME="$login_home/.local/share" dbus-run-session -- bash "$work/session.sh" "$@"
}
keyring_file="$work/home/.local/share/keyrings/login.keyring"

in_session true || { echo "no keyring daemon: install gnome-keyring and dbus-daemon" >&2; exit 1; }

run_program 0 in_session "$unit" "[.keyring]"
check "unit [.keyring]: $out" contains "$out" "All tests passed"
run_program 0 in_session "$client" "[.keyring]"
check "client [.keyring]: $out" contains "$out" "All tests passed"
run_program 0 "$client" "[.no_keyring]"  # no session bus
check "client [.no_keyring]: $out" contains "$out" "All tests passed"

data="$work/data"
draft() { printf '{"kind":"meeting","date":"%s","title":"%s","status":"draft"}' "$1" "$2" > "$work/$3.json"; }
draft 2024-05-01 "鍵の保管の会議" first
draft 2024-05-02 "ログインで書いた会議" second
run_program 0 "$tsunagi" --data "$data" --lang en record add --json "$work/first.json"
keys_before=$(cat "$data/keys.json")
run_program 1 "$tsunagi" --data "$data" --lang en passphrase remember
check "no session bus: remember says the keyring cannot be reached ($err)" \
  contains "$err" "secret store cannot be reached"
check "no session bus: the key file is unchanged" [ "$keys_before" = "$(cat "$data/keys.json")" ]

run_program 0 in_session "$tsunagi" --data "$data" --lang en passphrase remember
check "remember: says so ($out)" contains "$out" "without its passphrase"
check "remember: the key file names the keyring" grep -q '"store": "libsecret"' "$data/keys.json"
passphrase_file=$TSUNAGI_PASSPHRASE_FILE
unset TSUNAGI_PASSPHRASE_FILE

run_program 0 in_session "$tsunagi" --data "$data" --lang en record list </dev/null
check "the login opens it, no passphrase given, no terminal ($out)" contains "$out" "鍵の保管の会議"
run_program 0 in_session "$tsunagi" --data "$data" --lang en record add --json "$work/second.json" </dev/null

# Another login (another home, its own keyring): the key file's entry finds nothing there.
login_home="$work/other-home" run_program 1 in_session "$tsunagi" --data "$data" --lang en record list </dev/null
check "another login: says the keyring lacks the key ($err)" contains "$err" "does not have this data folder's key"
check "another login: asks for the passphrase ($err)" contains "$err" "give its passphrase"
# No session bus at all.
run_program 1 "$tsunagi" --data "$data" --lang en record list </dev/null
check "no keyring: says why ($err)" contains "$err" "secret store cannot be reached"
TSUNAGI_PASSPHRASE_FILE=$passphrase_file run_program 0 "$tsunagi" --data "$data" --lang en record list
check "the passphrase still opens it ($out)" contains "$out" "ログインで書いた会議"

# forget with no keyring to reach: the key stays named in the key file, to be taken out when it can be.
run_program 1 "$tsunagi" --data "$data" --lang en passphrase forget
check "forget without a keyring: says why ($err)" contains "$err" "secret store cannot be reached"
check "forget without a keyring: the key file still names it" grep -q '"store": "libsecret"' "$data/keys.json"
run_program 0 in_session "$tsunagi" --data "$data" --lang en passphrase forget
check "forget: says so ($out)" contains "$out" "passphrase is needed again"
check "forget: the key file no longer names the keyring" not_contains "$(cat "$data/keys.json")" "keyring"
run_program 1 in_session "$tsunagi" --data "$data" --lang en record list </dev/null
check "forgotten: the login no longer opens it ($err)" contains "$err" "give its passphrase"
run_program 0 in_session "$tsunagi" --data "$data" --lang en passphrase forget
check "forget again: nothing to forget ($out)" contains "$out" "does not keep"

# wipe takes the key out of the keyring with the data.
TSUNAGI_PASSPHRASE_FILE=$passphrase_file run_program 0 in_session "$tsunagi" --data "$data" --lang en \
  passphrase remember
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["keyring"]["id"])' "$data/keys.json")
cat > "$work/lookup.py" <<'EOF'
# Whether the login keyring has an item with attribute id = argv[1], through the Secret Service's D-Bus API.
import subprocess, sys
out = subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.secrets", "--object-path",
                      "/org/freedesktop/secrets", "--method", "org.freedesktop.Secret.Service.SearchItems",
                      "{'id': '%s'}" % sys.argv[1]], capture_output=True, text=True, check=True).stdout
print("found" if "/org/freedesktop/secrets/collection/" in out else "none")
EOF
run_program 0 in_session python3 "$work/lookup.py" "$id"
check "before wipe: the keyring has the item ($out)" [ "$out" = found ]
run_program 0 in_session "$tsunagi" --data "$data" --lang en wipe --yes
run_program 0 in_session python3 "$work/lookup.py" "$id"
check "after wipe: the keyring has no item ($out)" [ "$out" = none ]
check "after wipe: no key file" [ ! -e "$data/keys.json" ]
check "the keyring file exists (the daemon kept it in the temporary home)" [ -s "$keyring_file" ]

finish "cli.keyring"
