#!/bin/sh
# Usage: screenshot_sync_settings_test.sh TSUNAGI COLLECTOR PNG_CHECK TEMP_PARENT
# Starts a real tsunagi-collector on 127.0.0.1 (any free port), enrolls a data folder with it, syncs once (one
# record is refused: staff may not approve), adds a record that waits (the window sends it when it finds the
# collector), and renders the sync and settings screens under Xvfb; each PNG must be a real picture, and the text
# drawn on it must say what a user needs in plain words (KEEP_SCREENSHOTS=DIR keeps copies). Everything it makes
# lives in one folder under TEMP_PARENT, removed on exit with the collector stopped.
set -eu

tsunagi=$1
collector=$2
png_check=$3
temp_parent=$4

test_name=screenshot_sync_settings_test
. "$(dirname "$0")/lib.sh"
make_work
start_collector "$collector"
line=$("$collector" user add --data "$work/collector" --name "佐藤 花子" --role staff --team 東区 | tail -n 1)

data="$work/data"
cat >"$work/records.json" <<'JSON'
[
  {"kind": "meeting", "date": "2024-07-03", "start_time": "10:00", "end_time": "11:30",
   "title": "東区 地域連絡会（新規事業所の紹介）", "area": "東区", "status": "submitted",
   "body": "区部会", "meeting_type": "liaison", "format": "in_person", "venue": "東区役所"},
  {"kind": "meeting", "date": "2024-07-10", "title": "承認済みにしてしまった会議", "area": "東区",
   "status": "approved", "body": "区部会", "meeting_type": "liaison", "format": "in_person"}
]
JSON
"$tsunagi" --data "$data" import "$work/records.json" >/dev/null
"$tsunagi" --data "$data" enroll "$line" >/dev/null
status=0
"$tsunagi" --data "$data" sync >/dev/null 2>"$work/sync.err" || status=$?
if [ "$status" -ne 4 ]; then cat "$work/sync.err" >&2; echo "expected sync to exit 4 (one record refused), got $status" >&2; exit 1; fi
echo '{"kind": "outreach", "date": "2024-07-12", "title": "家庭訪問（同期待ち）", "area": "東区", "visit_type": "home"}' |
  "$tsunagi" --data "$data" record add --json - >/dev/null

capture "$data" sync
# Connected, the waiting draft sent as soon as the collector answered, and the refused record named with its field
# and reason in plain words: no JSON pointer, no code, no English.
says sync "オンライン"
says sync "集約サーバー"
says sync "佐藤 花子"
says sync "承認済みにしてしまった会議"
says sync "状態"
says sync "承認と差し戻しは管理者だけができます"
says sync "開く"
says sync "未送信 1 件"
never_says sync "/record/"
never_says sync "auth.review"
never_says sync "staff may"
never_says sync "sync.advice"

capture "$data" settings
# Enrolled as whom, where; the box for a new line is empty.
says settings "登録済み: 佐藤 花子（相談員）"
says settings "記録を保存しているフォルダ"
never_says settings "sha256//"
