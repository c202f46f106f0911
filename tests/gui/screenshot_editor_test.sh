#!/bin/sh
# Usage: screenshot_editor_test.sh TSUNAGI PNG_CHECK TEMP_PARENT
# Adds a meeting record with every part filled (Japanese text, agenda items, follow-ups) to a fresh data folder,
# renders the editor (`--screen editor` opens the newest record) under Xvfb to a PNG, and checks that the PNG is a
# real picture. Everything it makes lives in one folder under TEMP_PARENT, removed on exit (KEEP_SCREENSHOTS=DIR
# keeps a copy of the PNG).
set -eu

tsunagi=$1
png_check=$2
temp_parent=$3

test_name=screenshot_editor_test
. "$(dirname "$0")/lib.sh"
make_work

cat >"$work/record.json" <<'JSON'
{"kind": "meeting", "date": "R6.7.3", "start_time": "10:00", "end_time": "11:30",
 "title": "第２回 相談支援部会（髙橋部会長）", "area": "東区", "participant_count": 14,
 "themes": ["ひきこもり状態のため、医療に繋がらず、福祉サービスの導入、支援の継続が難しい"],
 "organizations": ["ワークステップ香椎", "髙田ワークス"],
 "body": "相談支援部会", "meeting_type": "committee", "format": "in_person", "venue": "市民福祉プラザ 3階 研修室",
 "agenda": [{"title": "事例検討の進め方", "summary": "GSV の年間予定を確認", "decision": "年3回実施を決定"},
            {"title": "委託事業所連絡会議", "summary": "", "decision": ""}],
 "minutes": "部会を開催した。各事業所から近況報告があり、8050問題を抱える世帯への支援について意見交換を行った。次回は事例検討を行う。",
 "next_date": "2024-09-04",
 "follow_ups": [{"action": "事例提出機関の調整", "owner": "中村 健太", "due": "2024-08-20", "done": false}]}
JSON

data="$work/data"
"$tsunagi" --data "$data" record add --json "$work/record.json" >/dev/null

capture "$data" editor
