#!/bin/sh
# Usage: screenshot_test.sh TSUNAGI PNG_CHECK TEMP_PARENT
# Imports a few records (Japanese text, the rare kanji 髙) into a fresh data folder, renders the record list under
# Xvfb to a PNG, and checks that the PNG is a real picture and that the text drawn on it is the records' (in
# Japanese, then in English). Everything it makes lives in one folder under TEMP_PARENT, removed on exit
# (KEEP_SCREENSHOTS=DIR keeps a copy of the PNG).
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

# Seen by 山﨑 美穂, whose draft is on her list (another user's draft would not be: without --author the viewer is
# the login name, which differs from machine to machine and is never empty under Wine).
capture "$data" list --author "山﨑 美穂"
# What a user reads: the heading and count, each record's title in list order (newest first), dates in 和暦 with
# 令和元年 for 2019-05-01, the review statuses and the authors; nothing from the English catalogue.
says list "記録一覧"
says list "全 4 件"
says list "ケース検討会（医療的ケア）"
says list "家庭訪問（8050世帯）"
says list "第１回全体会（髙橋委員長あいさつ）"
says list "令和7年1月20日"
says list "令和元年5月1日"
says list "承認済み"
says list "差し戻し"
says list "山﨑 美穂"
never_says list "Records"
never_says list "2024-07-03"
first=$(grep -nF "ケース検討会（医療的ケア）" "$work/list.txt" | head -n 1 | cut -d: -f1)
last=$(grep -nF "令和元年度 第１回相談支援部会" "$work/list.txt" | head -n 1 | cut -d: -f1)
if [ -z "$first" ] || [ -z "$last" ] || [ "$first" -ge "$last" ]; then
  echo "$test_name: the newest record is not above the oldest" >&2
  exit 1
fi
# The same list in English: ISO dates, English words.
capture "$data" list --author "山﨑 美穂" --lang en
says list "Records"
says list "2025-01-20"
never_says list "記録一覧"
