#!/bin/sh
# Usage: screenshot_review_test.sh TSUNAGI COLLECTOR PNG_CHECK TEMP_PARENT
# The review screens over a real tsunagi-collector on 127.0.0.1 (any free port), in Japanese and English: a staff
# member (佐藤 花子) submits a meeting and a case review; the supervisor (山田 主任) returns the case review with a
# reason and comments on the meeting. Under Xvfb: the supervisor's review queue (確認待ち, with its count in the
# navigation), the meeting under review with its thread and history, and the returned case review in the staff
# editor with the reason at the top. Each screen's drawn text must show the record's title and the comment
# (KEEP_SCREENSHOTS=DIR keeps the pictures). Everything lives in one folder under TEMP_PARENT, removed on exit with
# the collector stopped.
set -eu

tsunagi=$1
collector=$2
png_check=$3
temp_parent=$4

test_name=screenshot_review_test
. "$(dirname "$0")/lib.sh"
make_work
start_collector "$collector"
staff="$work/staff"
supervisor="$work/supervisor"
"$tsunagi" --data "$staff" enroll "$("$collector" user add --data "$work/collector" --name "佐藤 花子" --role staff --team 東区 | tail -n 1)" --device-name "佐藤のノートPC" >/dev/null
"$tsunagi" --data "$supervisor" enroll "$("$collector" user add --data "$work/collector" --name "山田 主任" --role supervisor | tail -n 1)" --device-name "事務所PC" >/dev/null

meeting=$(echo '{"kind": "meeting", "date": "2024-06-20", "title": "東区 地域連絡会（6月）", "area": "東区",
  "status": "submitted", "body": "区部会", "meeting_type": "liaison", "format": "in_person", "venue": "東区役所"}' |
  "$tsunagi" --data "$staff" record add --json -)
review=$(echo '{"kind": "case_review", "date": "2024-06-12", "title": "ケース検討（就労移行の見直し）", "area": "東区",
  "status": "submitted", "review_type": "case_conference", "case_code": "C-0142", "issues": "本人の希望を確認した。"}' |
  "$tsunagi" --data "$staff" record add --json -)
"$tsunagi" --data "$staff" sync 2>/dev/null
"$tsunagi" --data "$supervisor" sync 2>/dev/null
"$tsunagi" --data "$supervisor" review return "$review" --comment "支援計画の目標をもう少し具体的に書いてください。" >/dev/null
"$tsunagi" --data "$supervisor" comment add "$meeting" --text "参加機関の一覧を添えてください。" >/dev/null
"$tsunagi" --data "$supervisor" sync 2>/dev/null
"$tsunagi" --data "$staff" sync 2>/dev/null

for lang in ja en; do
  capture "$supervisor" queue --lang "$lang"
  mv "$work/queue.txt" "$work/queue_$lang.txt"
  capture "$supervisor" review --lang "$lang"
  mv "$work/review.txt" "$work/review_$lang.txt"
  capture "$staff" editor --lang "$lang"
  mv "$work/editor.txt" "$work/editor_$lang.txt"
  if [ -n "${KEEP_SCREENSHOTS:-}" ]; then
    for screen in queue review editor; do cp "$work/$screen.png" "$KEEP_SCREENSHOTS/${screen}_$lang.png"; done
  fi
done

# The queue: the submitted meeting waits; the returned case review does not.
says queue_ja "確認待ち（1）"
says queue_ja "東区 地域連絡会（6月）"
says queue_ja "選択した 0 件を承認"
never_says queue_ja "ケース検討（就労移行の見直し）"
says queue_en "Review queue (1)"
says queue_en "東区 地域連絡会（6月）"
# The meeting under review: its fields, the thread and the history, with the decision open to the supervisor.
says review_ja "東区 地域連絡会（6月）"
says review_ja "参加機関の一覧を添えてください。"
says review_ja "山田 主任（管理者）"
says review_ja "承認"
says review_ja "差し戻し"
says review_ja "履歴"
says review_ja "佐藤のノートPC"
says review_ja "東区役所"
says review_en "参加機関の一覧を添えてください。"
says review_en "Approve"
says review_en "History"
# The staff editor: the returned record with the supervisor's reason at the top and the thread below.
says editor_ja "ケース検討（就労移行の見直し）"
says editor_ja "差し戻し理由（山田 主任）: 支援計画の目標をもう少し具体的に書いてください。"
says editor_ja "差し戻し 1 件"
says editor_en "Returned by 山田 主任: 支援計画の目標をもう少し具体的に書いてください。"
says editor_en "1 returned"
echo "$test_name: passed"
