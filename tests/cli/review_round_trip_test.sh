#!/usr/bin/env bash
# A supervisor's review round trip end to end: a real tsunagi-collector on 127.0.0.1 (any free port) and three real
# clients, each its own data folder: staff A (佐藤 花子) and staff B (中村 健太) of one team, supervisor S (and
# W, a supervisor of another team, who sees none of it).
#   A submits a case review; S returns it with a comment; A sees the comment, fixes it, submits again; S approves;
#   A's edit made before hearing of the approval is refused by the collector (auth.locked), and A's client refuses
#   the next; S reopens with a comment; B, who may not see A's case reviews, never receives it or its comments.
#   The history (every change, who, which device, the decisions) is the same on A's device and S's; A's device
#   shows it from what it kept when the collector is gone. Two devices comment on one meeting while apart: after
#   syncing, both comments are on every device, in time order. Decisions and comments wait offline for the sync.
# Usage: review_round_trip_test.sh TSUNAGI TSUNAGI_COLLECTOR
set -uo pipefail
tsunagi=$1
collector=$2
source "$(dirname "$0")/lib.sh"
assets=$(cd "$(dirname "$0")/../../assets" && pwd)
trap 'if [ -n "$collector_pid" ]; then kill "$collector_pid" 2>/dev/null; wait "$collector_pid" 2>/dev/null; fi; rm -rf "$work"' EXIT

start_collector
"$collector" reference import "$assets/reference/default.json" --data "$work/collector" >/dev/null

A=$work/a B=$work/b S=$work/s W=$work/w
enroll() {  # enroll FOLDER NAME ROLE [user add words...]
  local folder=$1 name=$2 role=$3; shift 3
  local line
  line=$("$collector" user add --data "$work/collector" --name "$name" --role "$role" "$@" | tail -n 1)
  run_program 0 "$tsunagi" --data "$folder" enroll "$line" --device-name "$name の端末"
}
enroll "$A" "佐藤 花子" staff --team 東区
enroll "$B" "中村 健太" staff --team 東区
enroll "$S" "山田 主任" supervisor
enroll "$W" "西区 主任" supervisor --team 西区  # supervises another team: sees none of A's records
t() { local folder=$1; shift; run_program "$1" "$tsunagi" --data "$folder" --lang ja "${@:2}"; }
sync_ok() { for folder in "$@"; do t "$folder" 0 sync; done; }
json_field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {"d": d}))' "$1"; }

# A writes a case review and a team meeting, submits both.
echo '{"kind": "case_review", "date": "2024-06-12", "title": "ケース検討 Aさん（就労移行の見直し）", "area": "東区",
  "status": "submitted", "review_type": "case_conference", "case_code": "C-0142", "issues": "本人の希望を確認した。"}' > "$work/review.json"
t "$A" 0 record add --json "$work/review.json"
case_id=$out
echo '{"kind": "meeting", "date": "2024-06-20", "title": "東区 地域連絡会", "area": "東区", "status": "submitted",
  "body": "区部会", "meeting_type": "liaison", "format": "in_person"}' > "$work/meeting.json"
t "$A" 0 record add --json "$work/meeting.json"
meeting_id=$out
t "$A" 0 record add --json - <<<'{"kind": "case_review", "date": "2024-06-13", "title": "書きかけの事例メモ", "area": "東区"}'
draft_id=$out
sync_ok "$A" "$S" "$B"

# A's draft reaches S's laptop (its backup) but S's lists leave it out unless asked.
t "$S" 0 record list --format json
check "S's record list leaves out A's draft" not_contains "$out" "$draft_id"
check "and lists A's submissions" contains "$out" "$case_id"
t "$S" 0 record list --format json --others-drafts
check "--others-drafts shows it" contains "$out" "$draft_id"
t "$A" 0 record list --format json
check "A's own list shows A's draft" contains "$out" "$draft_id"

# S's queue holds both; a return needs a comment; S cannot approve a record S wrote.
t "$S" 0 review list --format json
check "the queue lists A's case review" contains "$out" "\"id\": \"$case_id\""
check "the queue lists A's meeting" contains "$out" "\"id\": \"$meeting_id\""
t "$S" 0 review list --team 東区 --format json
check "the team filter knows A, added at the collector with --team 東区" contains "$out" "\"id\": \"$case_id\""
t "$S" 0 review list --team 西区 --format json
check "and another team's filter does not" not_contains "$out" "$case_id"
t "$A" 0 review list --format json
check "nobody's queue holds their own records" [ "$(json_field 'len(d)' <<<"$out")" = 0 ]
t "$S" 1 review return "$case_id"
check "a return without a comment is refused" contains "$err" "review.comment_required"
t "$A" 1 review approve "$case_id"
check "staff do not approve" contains "$err" "auth.review"
t "$S" 0 review return "$case_id" --comment "支援計画の目標をもう少し具体的に書いてください。"
t "$S" 0 status
check "the return is made offline and waits" contains "$out" "waiting: 1"
check "and its reason with it" contains "$out" "comments waiting: 1"
sync_ok "$S" "$A"

# A sees the comment, fixes the record and submits again; the queue's resubmitted filter finds it.
t "$A" 0 record show "$case_id" --format json
check "A's record came back returned" [ "$(json_field 'd["status"]' <<<"$out")" = returned ]
check "A sees S's comment" [ "$(json_field 'd["comments"][0]["text"]' <<<"$out")" = "支援計画の目標をもう少し具体的に書いてください。" ]
check "the comment names its author" [ "$(json_field 'd["comments"][0]["author"]' <<<"$out")" = "山田 主任" ]
check "the comment has a time" [ -n "$(json_field 'd["comments"][0]["time"]' <<<"$out")" ]
t "$A" 0 record list --status returned
check "the staff list shows the returned record" contains "$out" "$case_id"
t "$A" 0 comment add "$case_id" --text "目標を3か月ごとの段階に分けました。"
t "$A" 0 record edit "$case_id" --json - <<<'{"issues": "本人の希望を確認し、目標を3か月ごとの段階に分けた。", "status": "submitted"}'
sync_ok "$A" "$S"
t "$S" 0 review list --resubmitted --format json
check "the resubmitted filter finds the fixed record" contains "$out" "\"id\": \"$case_id\""
check "and only it" [ "$(json_field 'len(d)' <<<"$out")" = 1 ]
t "$S" 0 record show "$case_id" --format json
check "S sees the whole thread" [ "$(json_field 'len(d["comments"])' <<<"$out")" = 2 ]
t "$S" 1 record edit "$case_id" --json - <<<'{"status": "draft"}'
check "a supervisor sends a submission back only by a return, with its reason" contains "$err" "review.use_return"
t "$B" 1 record edit "$meeting_id" --json - <<<'{"venue": "B が書き換えた会場"}'
check "B's device refuses to change A's meeting" contains "$err" "auth.forbidden"
t "$S" 0 review approve "$case_id" "$meeting_id"
sync_ok "$S"

# A withdraws the record to change it before hearing of the approval: the collector refuses it (auth.locked). Once
# A's device knows the record is approved, it refuses the edit itself.
t "$A" 1 record edit "$case_id" --json - <<<'{"issues": "承認後に書き換えようとした文"}'
check "A's device changes no record waiting for review without withdrawing it" contains "$err" "review.withdraw_first"
t "$A" 0 record edit "$case_id" --json - <<<'{"issues": "承認後に書き換えようとした文", "status": "draft"}'
t "$A" 4 sync
check "the collector refuses the edit of an approved record" contains "$err" "auth.locked"
t "$A" 0 record list
check "A's device keeps the refused change, marked" grep -q "^$case_id .*受付拒否" <<<"$out"
t "$A" 0 record show "$meeting_id" --format json
check "A's device shows the meeting approved" [ "$(json_field 'd["status"]' <<<"$out")" = approved ]
t "$A" 1 record edit "$meeting_id" --json - <<<'{"venue": "もう一度書き換え", "status": "draft"}'
check "A's client refuses to change the approved record" contains "$err" "auth.locked"
check "and says what to do" contains "$err" "再開"

# S reopens with a comment; the record is A's to change again.
t "$S" 1 review reopen "$case_id"
check "a reopening needs a comment" contains "$err" "review.comment_required"
t "$S" 0 review reopen "$case_id" --comment "監査の指摘で日付の確認が必要になりました。"
sync_ok "$S" "$A"
t "$A" 0 record show "$case_id" --format json
check "the reopened record is A's to fix" [ "$(json_field 'd["status"]' <<<"$out")" = returned ]
t "$A" 0 record edit "$case_id" --json - <<<'{"issues": "本人の希望を確認し、目標を3か月ごとの段階に分けた（日付確認済み）。"}'
sync_ok "$A" "$S" "$B"

# B never receives A's case review, nor any comment on it; B sees the team meeting.
t "$B" 1 record show "$case_id" --format json
check "B has no copy of A's case review" contains "$err" "record.not_found"
check "B's device holds no comment on it" bash -c "! grep -rqF '支援計画の目標' '$B'"
check "B's device holds none of its text" bash -c "! grep -rqF '3か月ごとの段階' '$B'"
t "$B" 0 record show "$meeting_id" --format json
check "B sees the team meeting" [ "$(json_field 'd["id"]' <<<"$out")" = "$meeting_id" ]
t "$B" 1 record history "$case_id" --format json
check "the collector gives B no history of it" contains "$err" "record.not_found"
sync_ok "$W"
t "$W" 0 review list --format json
check "another team's supervisor has nothing of A's to review" [ "$(json_field 'len(d)' <<<"$out")" = 0 ]
t "$W" 1 record show "$meeting_id" --format json
check "nor receives A's meeting" contains "$err" "record.not_found"
check "nor any comment of it" bash -c "! grep -rqF '支援計画の目標' '$W'"

# History: the same entries on A's device and S's, with the decisions, their reasons and the word diff.
t "$A" 0 record history "$case_id" --format json
history_a=$out
t "$S" 0 record history "$case_id" --format json
check "A and S see the same history" [ "$history_a" = "$out" ]
decisions=$(json_field '[e.get("decision") for e in d if e["kind"] == "decision"]' <<<"$out")
check "the history holds the decisions in order" [ "$decisions" = "['returned', 'approved', 'reopened']" ]
check "with who made them" contains "$out" "山田 主任"
check "and the reason" contains "$out" "監査の指摘で日付の確認が必要になりました。"
check "with the device" contains "$out" "佐藤 花子 の端末"
check "the first entry is the creation" [ "$(json_field 'd[0]["kind"]' <<<"$out")" = created ]
last_diff=$(json_field '[c.get("diff") for e in d for c in e["changes"] if c["field"] == "issues"][-1]' <<<"$out")
# The edit refused while the record was approved stayed on A's device and went once it was reopened; A's last
# edit then changed that text.
check "the last change of the text is a word diff" [ "$last_diff" = "[['-', '承認後'], ['+', '本人の希望を確認し、目標を3か月ごとの段階'], ['=', 'に'], ['-', '書き換えようとした文'], ['+', '分けた（日付確認済み）。']]" ]
t "$A" 0 record history "$case_id"
check "the table shows the decision in Japanese" contains "$out" "差し戻し"

# S changes the content of A's meeting: the history marks it as someone else's change.
t "$S" 0 record edit "$meeting_id" --json - <<<'{"venue": "東区役所 3階"}'
sync_ok "$S" "$A"
t "$A" 0 record history "$meeting_id" --format json
check "a supervisor's edit of A's record is marked" [ "$(json_field '[e.get("edited_by_other", False) for e in d][-1]' <<<"$out")" = True ]

# Two devices comment on the meeting while apart (the collector is down); afterwards both comments are on every
# device, in time order.
stop_collector
t "$A" 0 comment add "$meeting_id" --text "議事録は来週までに共有します。"
sleep 1.1  # the two comments' times differ, so that time order is one order
t "$S" 0 comment add "$meeting_id" --text "次回は就労支援部会と合同で。"
t "$A" 2 sync
check "offline, the comment waits" contains "$err" "1"
t "$A" 0 record history "$case_id" --format json
check "offline, the history is the one kept" [ "$out" = "$history_a" ]
check "and it says so" contains "$err" "集約サーバーにつながらない"
start_collector "127.0.0.1:$port"
sync_ok "$S" "$A" "$B" "$S"
for folder in "$A" "$B" "$S"; do
  t "$folder" 0 record show "$meeting_id" --format json
  texts=$(json_field '[c["text"] for c in d["comments"]]' <<<"$out")
  check "both comments on $(basename "$folder"), in time order" \
    [ "$texts" = "['議事録は来週までに共有します。', '次回は就労支援部会と合同で。']" ]
done
t "$B" 0 record list --search "就労支援部会と合同"
check "comments are in full-text search" contains "$out" "$meeting_id"

finish "review round trip"
