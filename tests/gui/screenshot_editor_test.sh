#!/bin/sh
# Usage: screenshot_editor_test.sh TSUNAGI PNG_CHECK TEMP_PARENT
# Adds a meeting record with every part filled (Japanese text, agenda items, follow-ups) to a fresh data folder,
# renders the editor (`--screen editor` opens the newest record) under Xvfb to a PNG, and checks that the PNG is a
# real picture that shows the record (its text drawn on screen), then the same for a submitted record (read-only). Everything it makes lives in one folder under TEMP_PARENT, removed on exit (KEEP_SCREENSHOTS=DIR
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
# The record's own words, its date in 和暦 as typed in the seeds (R6.7.3) and in full, required fields marked
# before any submit, and no note left over from anything else (nothing was saved or submitted in this window).
says editor "記録の編集"
says editor "第２回 相談支援部会（髙橋部会長）"
says editor "市民福祉プラザ 3階 研修室"
says editor "R6.7.3"
says editor "令和6年7月3日"
says editor "件名 必須"
says editor "会議体 必須"
says editor "下書き保存"
never_says editor "下書きを保存しました"
never_says editor "提出しました"
never_says editor "2024-07-03"
never_says editor "/title"

# A submitted record opens read-only, says why, and offers to withdraw it instead of saving.
cat >"$work/submitted.json" <<'JSON'
{"kind": "outreach", "date": "R6.7.4", "title": "家庭訪問（提出済み）", "area": "東区", "status": "submitted",
 "visit_type": "home", "place": "ご自宅", "content": "本人と母親に面談した。"}
JSON
"$tsunagi" --data "$data" record add --json "$work/submitted.json" >/dev/null
capture "$data" editor
says editor "家庭訪問（提出済み）"
says editor "本人と母親に面談した。"
says editor "提出済みです。事務所の確認を待っています"
says editor "下書きに戻す"
never_says editor "下書き保存"
never_says editor "必須"
