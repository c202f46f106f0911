#!/bin/sh
# Usage: screenshot_test.sh TSUNAGI PNG_CHECK TEMP_PARENT
# Imports a few records (Japanese text, the rare kanji 髙) into a fresh data folder, renders the record list under
# Xvfb to a PNG, and checks that the PNG is a real picture. Everything it makes lives in one folder under
# TEMP_PARENT, removed on exit (KEEP_SCREENSHOTS=DIR keeps a copy of the PNG).
set -eu

tsunagi=$1
png_check=$2
temp_parent=$3

test_name=screenshot_test
. "$(dirname "$0")/lib.sh"
make_work

cat >"$work/records.json" <<'JSON'
[
  {"kind": "meeting", "date": "2024-07-03", "start_time": "10:00", "end_time": "11:30",
   "title": "第１回全体会（髙橋委員長あいさつ）", "area": "東区", "participant_count": 12,
   "status": "submitted", "author": "髙橋 花子", "body": "全体会", "meeting_type": "plenary",
   "format": "in_person", "venue": "市民福祉プラザ",
   "agenda": [{"title": "年間計画", "summary": "今年度の重点を確認", "decision": "承認"}],
   "minutes": "全体会を開催した。"},
  {"kind": "outreach", "date": "2024-09-12", "title": "家庭訪問（8050世帯）", "area": "博多区",
   "status": "draft", "author": "山﨑 美穂", "visit_type": "home", "place": "ご自宅"},
  {"kind": "case_review", "date": "2025-01-20", "title": "ケース検討会（医療的ケア）", "area": "西区",
   "status": "approved", "author": "田中 花子", "case_code": "A-2024-017", "review_type": "case_conference"},
  {"kind": "meeting", "date": "2019-05-01", "title": "令和元年度 第１回相談支援部会", "area": "中央区",
   "status": "returned", "author": "中村 健太", "body": "相談支援部会", "meeting_type": "committee",
   "format": "written"}
]
JSON

data="$work/data"
"$tsunagi" --data "$data" import "$work/records.json"

capture "$data" list
