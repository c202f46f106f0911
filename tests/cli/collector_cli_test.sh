#!/usr/bin/env bash
# tsunagi-collector's admin command lines through the real binary on a fresh data folder: what each command does not
# take is a usage error (exit 64, one line naming the command and the option, then the usage), valid lines work.
# Usage: collector_cli_test.sh PATH_TO_TSUNAGI_COLLECTOR
set -uo pipefail
collector=$1
source "$(dirname "$0")/lib.sh"
data=$work/collector
# run_collector EXPECTED_EXIT ARGS...: the collector's exit code, stdout and stderr
run_collector() { run_program "$1" "$collector" "${@:2}"; }
usage_error() {  # usage_error MESSAGE ARGS...: exit 64, MESSAGE and the usage text on stderr, nothing on stdout
  local message=$1; shift
  run_collector 64 "$@"
  checks=$((checks + 1))
  if ! contains "$err" "tsunagi-collector: $message"$'\n' || ! contains "$err" "Usage: tsunagi-collector" ||
    [ -n "$out" ]; then
    fail "tsunagi-collector $*: expected the line \"tsunagi-collector: $message\", the usage and no stdout;" \
      "stdout: $out; stderr: $err"
  fi
}

# Valid lines: a user in two committees, listed with both.
run_collector 0 user add --data "$data" --name "佐藤 花子" --role staff --team 東区 --committee A --committee B \
  --expires 1 --url https://127.0.0.1:8443
check "user add prints an enrollment line" contains "$out" "tsunagi-enroll "
run_collector 0 user list --data "$data"
check "user list shows both committees" contains "$out" "committees=A,B"
run_collector 0 --data="$data" user code --name "佐藤 花子" --expires 2
check "user code prints a code" contains "$out" "tsunagi-enroll "
run_collector 0 device list --data "$data"
run_collector 0 --help
check "--help prints the usage" contains "$out" "Usage: tsunagi-collector"

# Reference data: each council's file imports beside the others; --replace starts afresh.
assets=$(cd "$(dirname "$0")/../../assets" && pwd)
run_collector 0 reference import "$assets/reference/default.json" --data "$data"
check "default reference imported" contains "$out" "now 1 councils"
run_collector 0 reference import "$assets/reference/kodama.json" --data "$data"
check "a council's file joins the others" contains "$out" "now 2 councils"
run_collector 0 reference import "$assets/reference/hiratsuka.json" --data "$data"
check "and another" contains "$out" "now 3 councils"
run_collector 0 reference import "$assets/reference/kodama.json" --data "$data"
check "importing a file again replaces its entries, adds none" contains "$out" "now 3 councils"
run_collector 0 reference import "$assets/reference/kodama.json" --replace --data "$data"
check "--replace drops what was there" contains "$out" "now 1 councils"

# Upgrades and backups: migrate says where the schema is; a backup taken while the collector serves restores, under a
# new collector id, with the same users.
run_collector 0 migrate --data "$data"
check "migrate says the schema is current" contains "$out" "at schema 2 already"
start_collector
run_collector 0 backup --data "$data" --to "$work/backup.db"
check "a backup while serving says what it holds" contains "$out" "1 users, 0 devices, 0 records"
run_collector 1 restore --data "$data" --from "$work/backup.db"
check "no restore while the collector serves" contains "$err" "[restore.serving]"
stop_collector
run_collector 0 restore --data "$work/restored" --from "$work/backup.db"
check "restore says the devices pull again" contains "$out" "a new collector id"
check "the restored collector has the same users" \
  [ "$("$collector" user list --data "$work/restored" | md5sum)" = "$("$collector" user list --data "$data" | md5sum)" ]
run_collector 1 restore --data "$work/restored" --from "$work/nothing.db"
check "a missing backup is named" contains "$err" "[restore.no_backup]"
run_collector 1 backup --data "$work/empty" --to "$work/empty.db"
check "no database to back up is named" contains "$err" "[backup.no_store]"

before=$("$collector" user list --data "$data" | md5sum)
usage_error "user add: unknown option --bogus" user add --data "$data" --name X --role staff --bogus 1
usage_error "user list: unknown option --nme" user list --data "$data" --nme x
usage_error "user add: --name needs a value, not --role (write --name=--role if that is the value)" \
  user add --data "$data" --name --role staff
usage_error "user add: --committee needs a value" user add --data "$data" --name Y --committee
usage_error "user code: unknown option --role" user code --data "$data" --name "佐藤 花子" --role admin
usage_error "user list: unexpected word \"all\"" user list all --data "$data"
usage_error "user: unknown command \"remove\" (expected add, code or list)" user remove --data "$data"
usage_error "user: expected add, code or list" user --data "$data"
usage_error "device revoke: missing DEVICE_ID" device revoke --data "$data"
usage_error "device list: unknown option --all" device list --all --data "$data"
usage_error "reference import: missing FILE.json" reference import --data "$data"
usage_error "serve: unknown option --port" serve --data "$data" --port 8443
usage_error "serve: --help takes no value" serve --help=yes
usage_error "backup: --to FILE is required" backup --data "$data"
usage_error "restore: --from FILE is required" restore --data "$data"
usage_error "restore: unknown option --to" restore --data "$data" --to x
usage_error "unknown command \"users\" (expected serve, user, device, reference, key, migrate, migrate-store, backup or \
restore)" users list --data "$data"
usage_error "--data DIR (or --db URL) is required" user list
usage_error "--db: expected a postgresql:// URL" user list --db /var/lib/tsunagi
usage_error "serve --db: give --data DIR (the TLS identity is kept there) or --cert FILE --key FILE" \
  serve --db postgresql://tsunagi@127.0.0.1:1/none
usage_error "migrate-store: --from DIR and --to postgresql://... are required" migrate-store --from "$data"
usage_error "migrate-store: --to must be a postgresql:// URL" migrate-store --from "$data" --to /tmp/elsewhere
usage_error "key: --data DIR is required" key next --db postgresql://tsunagi@127.0.0.1:1/none
run_collector 1 backup --db postgresql://tsunagi@127.0.0.1:1/none --to "$work/x.db"
check "backup of a PostgreSQL collector points to pg_dump" contains "$err" "[backup.postgres]"
run_collector 1 user list --db "postgresql://tsunagi@127.0.0.1:1/none?connect_timeout=2"
check "an unreachable PostgreSQL is named" contains "$err" "[store.unavailable]"
usage_error "unknown option --bogus" --bogus
after=$("$collector" user list --data "$data" | md5sum)
check "no refused command line added a user" [ "$before" = "$after" ]

finish "collector cli"
