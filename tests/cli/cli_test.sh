#!/usr/bin/env bash
# CLI round trips and bad input: every command through the real binary on a fresh data folder.
# Usage: cli_test.sh PATH_TO_TSUNAGI
set -uo pipefail
tsunagi=$1
source "$(dirname "$0")/lib.sh"
data=$work/data
# run_tsunagi EXPECTED_EXIT ARGS...: tsunagi on the test's data folder, in English
run_tsunagi() { run_program "$1" "$tsunagi" --data "$data" --lang en "${@:2}"; }
count_lines() { if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l; fi; }

cat > "$work/meeting.json" <<'JSON'
{"kind":"meeting","date":"R5.7.3","start_time":"１３：３０","end_time":"15:00","title":"第１回全体会",
 "area":"東区","themes":["T08"],"organizations":["髙田ワークス"],"participant_count":24,
 "status":"submitted","body":"全体会","meeting_type":"plenary","format":"in_person","venue":"市役所",
 "agenda":[{"title":"サインレスについて","summary":"アンケート結果を報告","decision":"サインレスの継続を決定"}]}
JSON

# record add (file), show: the typed forms come back as ISO, Japanese intact.
run_tsunagi 0 record add --json "$work/meeting.json"
id=$out
is_uuid_v7() { [[ "$1" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]; }
check "add prints a UUIDv7" is_uuid_v7 "$id"
run_tsunagi 0 record show "$id"
check "show gives ISO date" contains "$out" '"date": "2023-07-03"'
check "show gives normalised time" contains "$out" '"start_time": "13:30"'
check "show keeps Japanese" contains "$out" 'サインレスの継続を決定'
check "show keeps rare kanji" contains "$out" '髙田ワークス'

# record add from stdin; a draft may be incomplete.
checks=$((checks + 1))
id2=$(echo '{"kind":"outreach","date":"2024-04-01","title":"家庭訪問の下書き","status":"draft"}' |
  "$tsunagi" --data "$data" record add --json - 2> "$work/err") || fail "add from stdin"
check "draft warnings name the missing field" grep -q "/visit_type" "$work/err"

# record edit: a partial object changes only those fields. A submitted record waits for review as it is: it is
# withdrawn to a draft to change it (here in the same edit), and submitted again.
echo '{"title":"第１回全体会（修正）","participant_count":25}' > "$work/patch.json"
run_tsunagi 1 record edit "$id" --json "$work/patch.json"
check "a submitted record is not changed without withdrawing it" contains "$err" "review.withdraw_first"
echo '{"title":"第１回全体会（修正）","participant_count":25,"status":"draft"}' > "$work/patch.json"
run_tsunagi 0 record edit "$id" --json "$work/patch.json"
run_tsunagi 0 record edit "$id" --json - <<<'{"status":"submitted"}'
run_tsunagi 0 record show "$id"
check "edit changed the title" contains "$out" '"title": "第１回全体会（修正）"'
check "edit kept the agenda" contains "$out" 'サインレスの継続を決定'
check "edit changed the count" contains "$out" '"participant_count": 25'

# list with filters and formats.
run_tsunagi 0 record list
check "list shows both" [ "$(count_lines "$out")" = 2 ]
check "a record that never reached a collector is local only" contains "$out" "local"
run_tsunagi 0 record list --kind meeting
check "kind filter" [ "$(count_lines "$out")" = 1 ]
run_tsunagi 0 record list --fy 令和5年度
check "fiscal year in 和暦" contains "$out" "$id"
run_tsunagi 0 record list --fy 2024
check "fiscal year 2024 has the draft only" [ "$(count_lines "$out")" = 1 ]
run_tsunagi 0 record list --from R5.4.1 --to 2023-12-31
check "date range" [ "$(count_lines "$out")" = 1 ]
run_tsunagi 0 record list --status draft
check "status filter" contains "$out" "$id2"
run_tsunagi 0 record list --search サインレス
check "Japanese search" contains "$out" "$id"
run_tsunagi 0 record list --search 全体
check "two-character search" contains "$out" "$id"
run_tsunagi 0 record list --search 存在しない言葉
check "search without match is empty" [ -z "$out" ]
run_tsunagi 0 record list --format json --kind meeting
check "list as JSON" contains "$out" '"kind": "meeting"'
run_tsunagi 0 record list --format csv
check "list as CSV has a BOM" [ "$(head -c 3 "$work/out" | od -An -tx1 | tr -d ' ')" = "efbbbf" ]

# export JSON and CSV; import the JSON into a fresh folder: the same records.
run_tsunagi 0 export --format json --out "$work/export.json"
check "export JSON written" [ -s "$work/export.json" ]
run_program 0 "$tsunagi" --data "$data" export --format csv --out "$work/export.csv"  # no --lang: Japanese
check "CSV starts with a BOM" [ "$(head -c 3 "$work/export.csv" | od -An -tx1 | tr -d ' ')" = "efbbbf" ]
check "CSV header is Japanese by default" grep -q "ID,種別,協議会,日付,終了日,日付（和暦）,日付の単位,開始時刻,終了時刻,件名,地域・区" "$work/export.csv"
check "CSV values are Japanese: kind, status, names for ids, 和暦" grep -q ",会議,福岡市障がい者等地域生活支援協議会,2023-07-03,,令和5年7月3日,日,13:30,15:00,第１回全体会（修正）,東区," "$work/export.csv"
run_tsunagi 0 --lang en export --format csv --out "$work/export-en.csv"
check "CSV header in English with --lang en" grep -q "ID,Kind,Council,Date,End date,Date (Japanese era),Date precision,Start,End,Title" "$work/export-en.csv"
check "CSV values in English with --lang en" grep -q ",Meeting,福岡市障がい者等地域生活支援協議会,2023-07-03,," "$work/export-en.csv"
check "CSV quotes multi-line cells and keeps Japanese" grep -q "サインレスの継続を決定" "$work/export.csv"
checks=$((checks + 1))
"$tsunagi" --data "$work/copy" import "$work/export.json" 2> "$work/err" || fail "import of an export"
checks=$((checks + 1))
"$tsunagi" --data "$work/copy" export --format json --out "$work/export2.json" 2> /dev/null || fail "export of the copy"
check "export, import, export gives the same records" cmp -s "$work/export.json" "$work/export2.json"

# delete: a tombstone, hidden by default, shown with --deleted.
run_tsunagi 0 record delete "$id2"
run_tsunagi 0 record list
check "deleted record is hidden" [ "$(count_lines "$out")" = 1 ]
run_tsunagi 0 record list --deleted
check "tombstone is kept" contains "$out" "[deleted]"
run_tsunagi 0 record show "$id2"
check "tombstone shows deleted" contains "$out" '"deleted": true'

# Bad input: a clear error, a non-zero exit, and nothing written.
before=$("$tsunagi" --data "$data" record list --deleted --format json | md5sum)
printf '{"kind":"meeting","title":"\xe3\x81"}' > "$work/bad_utf8.json"
run_tsunagi 1 record add --json "$work/bad_utf8.json"
check "invalid UTF-8 is named" contains "$err" "invalid UTF-8 at byte"
echo '{"kind":"meeting","title":' > "$work/broken.json"
run_tsunagi 1 record add --json "$work/broken.json"
check "malformed JSON is named" contains "$err" "json.syntax"
echo '{"kind":"party","title":"x"}' > "$work/kind.json"
run_tsunagi 1 record add --json "$work/kind.json"
check "unknown kind names the field" contains "$err" "/kind"
echo '{"kind":"meeting","participant_count":"many"}' > "$work/type.json"
run_tsunagi 1 record add --json "$work/type.json"
check "wrong type names the field" contains "$err" "/participant_count"
echo '{"kind":"meeting","title":"不完全な提出","status":"submitted"}' > "$work/invalid.json"
run_tsunagi 1 record add --json "$work/invalid.json"
check "an invalid submitted record is refused" contains "$err" "record.invalid"
run_tsunagi 1 record add --json "$work/missing.json"
check "missing file is named" contains "$err" "missing.json"
echo '[{"kind":"meeting","title":"一件目","date":"2024-05-01"},{"kind":"meeting","title":"二件目","status":"approved"}]' > "$work/partial.json"
run_tsunagi 1 import "$work/partial.json"
check "import names the failing record" contains "$err" "record 2"
run_tsunagi 1 record edit "$id2" --json "$work/kind.json"
check "kind cannot change" contains "$err" "record.immutable"
run_tsunagi 1 record show no-such-id
check "unknown id is named" contains "$err" "record.not_found"
after=$("$tsunagi" --data "$data" record list --deleted --format json | md5sum)
check "nothing was written by any failed command" [ "$before" = "$after" ]

# Usage errors exit 64 with the usage text.
run_tsunagi 64 record frobnicate
run_tsunagi 64 record list --kind party
check "usage names the bad value" contains "$err" "unknown value"
run_tsunagi 64 record list --fy someday
run_tsunagi 64 export --format xml --out "$work/x"

# An option the command does not take, an option without its value (a value may start with -- only as --by=--x), a
# flag given a value and an extra word are usage errors too: one line naming the command and the option, then the
# usage text; nothing on stdout, nothing written.
before=$("$tsunagi" --data "$data" record list --deleted --format json | md5sum)
usage_error() {  # usage_error MESSAGE ARGS...: exit 64, MESSAGE and the usage text on stderr, nothing on stdout
  local message=$1; shift
  run_tsunagi 64 "$@"
  checks=$((checks + 1))
  if ! contains "$err" "tsunagi: $message"$'\n' || ! contains "$err" "Usage: tsunagi" || [ -n "$out" ]; then
    fail "tsunagi $*: expected the line \"tsunagi: $message\", the usage and no stdout; stdout: $out; stderr: $err"
  fi
}
usage_error "record list: unknown option --conflict" record list --conflict
usage_error "record list: unknown option --conflict" record list --conflict --format json
usage_error "record list: unknown option --bogus" record list --bogus x
usage_error "record list: unknown option --bogus" --bogus record list
usage_error "record list: --by needs a value, not --format (write --by=--format if that is the value)" \
  record list --by --format json
usage_error "record list: --search needs a value" record list --search
usage_error "record list: --deleted takes no value" record list --deleted=yes
usage_error "record list: unknown option --out" record list --out "$work/list.json"
usage_error "record show: unexpected word \"extra\"" record show "$id" extra
usage_error "record show: missing ID" record show
usage_error "record show: unknown option --kind" record show "$id" --kind meeting
usage_error "record add: unknown option --kind" record add --json "$work/meeting.json" --kind meeting
usage_error "record edit: unknown option --jsn" record edit "$id" --jsn "$work/patch.json"
usage_error "record delete: unexpected word \"$id2\"" record delete "$id" "$id2"
usage_error "record: unknown command \"frobnicate\" (expected add, list, show, edit, delete, resolve or history)" record frobnicate
usage_error "record: expected add, list, show, edit, delete, resolve or history" record
usage_error "unknown command \"frobnicate\" (expected record, review, comment, import, export, enroll, sync, restore, status, admin, report, passphrase, wipe or help)" \
  frobnicate
usage_error "import: missing FILE.json" import
# In Japanese when asked for, even when the command line that asks is the wrong one.
usage_error "record list: --bogus というオプションはありません" record list --bogus x --lang ja
usage_error "--from: 「R6.13.1」は日付として読めません（例: 2024-04-01、R6.4.1、令和6年4月1日）" \
  --lang=ja record list --from R6.13.1
usage_error "import: unexpected word \"again\"" import "$work/export.json" again
usage_error "export: unknown option --limt" export --format csv --out "$work/typo.csv" --limt 3
usage_error "--kind: unknown value \"meetng\" (one of: meeting, case_review, outreach, initiative)" export --format csv --out "$work/typo.csv" --kind meetng
check "a refused export wrote no file" [ ! -e "$work/typo.csv" ]
usage_error "sync: unexpected word \"now\"" sync now
usage_error "restore: unknown option --all" restore --all
usage_error "status: unexpected word \"please\"" status please
usage_error "enroll: unknown option --servr" enroll --servr https://127.0.0.1:1 --code C --pin P
usage_error "enroll: unexpected word \"two\"" enroll one two
usage_error "help: unexpected word \"me\"" help me
usage_error "unknown option --bogus" --bogus
usage_error "--frames needs a value" --frames
usage_error "--demo takes no value" --demo=yes
usage_error "record list: --data needs a value" record list --data
after=$("$tsunagi" --data "$data" record list --deleted --format json | md5sum)
check "nothing was written by any refused command line" [ "$before" = "$after" ]

# Valid command lines still work: every filter at once, global options anywhere, --name=value, a value from --.
run_tsunagi 0 record list --kind meeting --fy 令和5年度 --from R5.4.1 --to 2023-12-31 --month 7 --status submitted \
  --area 東区 --theme ひきこもり --search サインレス --deleted --format json --limit 10 --offset 0 \
  --author 誰か --lang en
check "every filter at once finds the meeting" contains "$out" "\"id\": \"$id\""
run_tsunagi 0 record list --committee 運営会議 --by 誰か --format=table
check "committee and author filters find nothing here" [ -z "$out" ]
run_tsunagi 0 record list --by=--x
check "an author written --by=--x is a value" [ -z "$out" ]
run_tsunagi 0 export --format=csv --out "$work/filtered.csv" --kind meeting --fy 2023 --from 2023-04-01 --to R6.3.31 \
  --month 7 --status submitted --area 東区 --theme ひきこもり --committee= --by= --search 全体会 \
  --deleted --limit 5 --offset 0
check "a filtered export has the meeting" grep -q "$id" "$work/filtered.csv"
run_tsunagi 0 record show "$id" --format table --lang en
check "show as a table" contains "$out" "title: "
run_tsunagi 0 record list --help
check "--help with a command prints the usage" contains "$out" "Usage: tsunagi"

# Japanese messages when asked.
checks=$((checks + 1))
"$tsunagi" --data "$data" --lang ja record show no-such-id 2> "$work/err" && fail "ja: show unknown id"
check "Japanese error message" grep -q "エラー" "$work/err"

# No Japanese font at all (fontconfig sees no fonts; under Wine, the Windows font folder holds none): the window
# does not open, and says what to install (the package on Linux; on Windows the fonts it looks for).
mkdir -p "$work/nofont"
cat > "$work/nofont/fonts.conf" <<XML
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><cachedir>$work/nofont/cache</cachedir></fontconfig>
XML
install_hint=fonts-noto-cjk
if [ -n "${TSUNAGI_TEST_WINE_FONT:-}" ]; then  # the Windows build: its font, moved away for these runs
  install_hint=Meiryo
  mv "$TSUNAGI_TEST_WINE_FONT" "$work/nofont/"
fi
checks=$((checks + 1))
FONTCONFIG_FILE="$work/nofont/fonts.conf" "$tsunagi" --data "$data" --screen list 2> "$work/err" &&
  fail "the window opened without a Japanese font"
check "no font: names what to install" grep -q "$install_hint" "$work/err"
check "no font: says so in Japanese too" grep -q "日本語フォント" "$work/err"
# The window's own options reach the window (here: its font check); their values are checked first.
checks=$((checks + 1))
FONTCONFIG_FILE="$work/nofont/fonts.conf" "$tsunagi" --data "$data" --screen list --timing --frames 1 \
  --screenshot "$work/shot.png" --drawn-text "$work/drawn.txt" --focus search 2> "$work/err" &&
  fail "the window opened without a Japanese font"
check "window options are accepted" grep -q "$install_hint" "$work/err"
if [ -n "${TSUNAGI_TEST_WINE_FONT:-}" ]; then mv "$work/nofont/$(basename "$TSUNAGI_TEST_WINE_FONT")" "$TSUNAGI_TEST_WINE_FONT"; fi
run_tsunagi 64 --focus title
check "--focus names what it takes" contains "$err" "--focus: expected search"
run_tsunagi 64 --drawn-text "$work/drawn.txt"
check "--drawn-text goes with a screenshot" contains "$err" "only with --screenshot"

# Dates as the seeds write them, read within the fiscal year --fy names; references by id or name.
fy_data=$work/fy-data
cat > "$work/kodama.json" <<'JSON'
[
 {"kind":"meeting","council":"fukuoka","date":"4/17","title":"相談支援部会 情報共有","committees":["相談支援部会"],
  "meeting_type":"committee","status":"submitted","areas":["東区","博多区"],"themes":["ひきこもり"]},
 {"kind":"meeting","date":"2/2","title":"未就学児分科会","committees":["preschool_sub"],"meeting_type":"subcommittee",
  "status":"submitted","areas":["higashi"]},
 {"kind":"initiative","date":"令和5年度","title":"ふくしマップを作成","status":"submitted","areas":["西区"]},
 {"kind":"meeting","date":"令和6年1月から","title":"委託事業所連絡会議を定期開催","committees":["委託事業所連絡会議"],
  "meeting_type":"liaison","status":"submitted","occurrences":3}
]
JSON
run_program 0 "$tsunagi" --data "$fy_data" --lang en import "$work/kodama.json" --fy 令和5年度
run_program 0 "$tsunagi" --data "$fy_data" --lang en record list --format json
check "--fy reads 4/17 within FY2023" contains "$out" '"date": "2023-04-17"'
check "--fy reads 2/2 as the next calendar year" contains "$out" '"date": "2024-02-02"'
check "a fiscal year keeps its precision" contains "$out" '"date_precision": "fiscal_year"'
check "a period from a month runs to the fiscal year's end" contains "$out" '"date_end": "2024-03-31"'
check "areas are stored by id" contains "$out" '"hakata"'
run_program 1 "$tsunagi" --data "$work/nofy" --lang en import "$work/kodama.json"
check "without --fy, 4/17 is no date: the submitted record is refused, naming the field" contains "$err" "/date"
count_titles() { run_program 0 "$tsunagi" --data "$fy_data" --lang en record list "$@"; count_lines "$out"; }
check "--theme T08 finds the record" [ "$(count_titles --theme T08)" = 1 ]
check "--theme by a word of the theme finds it" [ "$(count_titles --theme ひきこもり)" = 1 ]
check "--committee by name takes in its sub-committees" [ "$(count_titles --committee こども部会)" = 1 ]
check "--committee by id" [ "$(count_titles --committee consultation)" = 1 ]
check "--area matches any of a record's areas" [ "$(count_titles --area 博多区)" = 1 ]
check "--area of an area takes in its wards, each record once" [ "$(count_titles --area 東・博多エリア)" = 2 ]
check "--council by id" [ "$(count_titles --council fukuoka)" = 4 ]
check "--council by name" [ "$(count_titles --council 福岡市障がい者等地域生活支援協議会)" = 4 ]
check "--council of another council" [ "$(count_titles --council kodama)" = 0 ]
run_program 0 "$tsunagi" --data "$fy_data" --lang en record list --theme T08 --format json
id_t08=$(printf '%s' "$out" | grep -o '"id": "[^"]*"' | head -1 | cut -d'"' -f4)
run_program 0 "$tsunagi" --data "$fy_data" --lang en record show "$id_t08"
check "show names the references beside their ids" contains "$out" '"names"'
check "show gives the committee's name" contains "$out" '"相談支援部会"'
echo '{"kind":"meeting","date":"平成31年5月1日","title":"古い元号","meeting_type":"event"}' > "$work/old-era.json"
run_program 0 "$tsunagi" --data "$fy_data" --lang ja record add --json "$work/old-era.json"
check "an era past its end is read, with the right form named" contains "$err" "令和元年5月1日"
echo '{"kind":"meeting","date":"2024-05-01","title":"知らない会議体","committees":["謎の部会"],"meeting_type":"steering","status":"submitted"}' > "$work/unknown.json"
run_program 1 "$tsunagi" --data "$fy_data" --lang en record add --json "$work/unknown.json"
check "an unknown committee on a submitted record is refused with the nearest names" contains "$err" 'committee "謎の部会" is not in the reference data (nearest:'
sed -i 's/"submitted"/"draft"/' "$work/unknown.json"
run_program 0 "$tsunagi" --data "$fy_data" --lang en record add --json "$work/unknown.json"
check "on a draft it is a warning" contains "$err" 'warning: 知らない会議体: /committees/0'

# report: the yearly reports from the records on this device, approved ones by default.
rep=$work/report
report() { run_program "$1" "$tsunagi" --data "$rep" --lang ja "${@:2}"; }
add_approved() {  # add_approved JSON: a record, stored approved (a device never enrolled leaves that to the collector)
  run_program 0 "$tsunagi" --data "$rep" record add --json - <<<"$1"
}
add_approved '{"kind":"initiative","date":"2024-05-01","title":"東区・博多区 合同研修","themes":["T03"],"areas":["東区","博多区"],"status":"approved"}'
add_approved '{"kind":"initiative","date":"2025-03-31","title":"博多区 居場所づくり","themes":["T03","T08"],"areas":["博多区"],"status":"approved"}'
add_approved '{"kind":"initiative","date":"2025-04-01","title":"翌年度の取組","themes":["T08"],"areas":["東区"],"status":"approved"}'
add_approved '{"kind":"initiative","date":"2024-06-01","title":"提出済みの取組","themes":["T08"],"areas":["東区"],"status":"submitted"}'
report 0 report themes --fy 令和6年度 --format json
cells=$(python3 -c 'import json,sys; print(sorted((c["theme"], c["area_name"], c["count"]) for c in json.load(sys.stdin)["cells"]))' <<<"$out")
check "the theme matrix counts an activity once in each ward, approved ones of the year only" \
  [ "$cells" = "[('T03', '博多区', 2), ('T03', '東区', 1), ('T08', '博多区', 1)]" ]
report 0 report themes --fy 2024 --provisional --format json
check "--provisional counts submitted records too" contains "$out" '"provisional": true'
check "and the submitted one is in" [ "$(python3 -c 'import json,sys; print(sum(c["count"] for c in json.load(sys.stdin)["cells"] if c["theme"] == "T08"))' <<<"$out")" = 2 ]
report 0 report themes --fy 2024
check "the table is in Japanese" contains "$out" "地域課題別の取組状況 令和6年度"
report 0 report themes --fy 2024 --records
check "--records lists what a row counted" contains "$out" "2024-05-01  東区・博多区 合同研修"
check "and not what it did not" not_contains "$out" "翌年度の取組"
report 0 report indicators --fy 2024 --format csv --out "$work/indicators.csv"
check "CSV starts with a BOM and Japanese headers" [ "$(head -c 10 "$work/indicators.csv")" = $'\xEF\xBB\xBF指標,' ]
report 0 report indicators --fy 2024 --format json
check "indicators name their target and actual" [ "$(python3 -c 'import json,sys; i=json.load(sys.stdin)["indicators"][0]; print(i["id"], i["target"], i["actual"])' <<<"$out")" = "case_study_count 3 0" ]
report 64 report budget --fy 2024
check "a report that is not one is a usage error" contains "$err" "indicators・progress・committee・themes・all"
report 0 report progress --fy 2024 --format json
check "the default reference data has no projects: an empty progress table" contains "$out" '"projects": []'
report 1 report set progress kitakyushu.project_1 --fy 2024 --status b
check "a device not enrolled as a supervisor writes no evaluation" contains "$err" "管理者だけ"
report 64 report set progress p1 --fy 2024 --value 3
check "an actual's option is not a progress field" contains "$err" "--value"
report 64 report set actual case_study_count --fy 2024
check "an actual needs its value" contains "$err" "--value"
report 64 report themes
check "a report needs its fiscal year" contains "$err" "--fy"
report 64 report themes --fy 来年
check "a fiscal year that is not one is named" contains "$err" "来年"

# Encryption at rest (issue [10]): the passphrase from a file, a descriptor or nowhere; changing it; wiping.
secret="$work/secret"
printf '%s\n' 'ながい合言葉 correct horse' > "$work/secret-pass"
TSUNAGI_PASSPHRASE_FILE="$work/secret-pass" run_program 0 "$tsunagi" --data "$secret" record add --json "$work/meeting.json"
check "a new folder gets a key file" [ -f "$secret/keys.json" ]
check "no file of the folder holds the record's words" bash -c "! grep -rqF '第１回全体会' '$secret'"
# Descriptor 0, standard input: a pipe from a password manager (the one descriptor Windows programs inherit from any
# shell; on Linux any open descriptor works).
run_program 0 "$tsunagi" --data "$secret" --passphrase-fd 0 record list <"$work/secret-pass"
check "--passphrase-fd opens it" contains "$out" "第１回全体会"
printf 'wrong passphrase\n' > "$work/wrong-pass"
TSUNAGI_PASSPHRASE_FILE="$work/wrong-pass" run_program 1 "$tsunagi" --data "$secret" --lang en record list </dev/null
check "a wrong passphrase is said plainly" contains "$err" "wrong passphrase [store.passphrase]"
check "with what to do when it is forgotten" contains "$err" "tsunagi wipe --yes"
run_program 1 env -u TSUNAGI_PASSPHRASE_FILE "$tsunagi" --data "$secret" --lang en record list </dev/null
check "no passphrase and no terminal: where to give one" contains "$err" "--passphrase-fd N"
printf 'short\n' > "$work/short-pass"
TSUNAGI_PASSPHRASE_FILE="$work/short-pass" run_program 1 "$tsunagi" --data "$work/other" --lang en status
check "a new passphrase of fewer than 8 characters is refused" contains "$err" "at least 8 characters"
printf '新しい合言葉１２３\n' > "$work/new-pass"
TSUNAGI_PASSPHRASE_FILE="$work/secret-pass" TSUNAGI_NEW_PASSPHRASE_FILE="$work/new-pass" \
  run_program 0 "$tsunagi" --data "$secret" passphrase change
TSUNAGI_PASSPHRASE_FILE="$work/secret-pass" run_program 1 "$tsunagi" --data "$secret" record list </dev/null
check "the old passphrase no longer opens it" contains "$err" "store.passphrase"
printf '新しい合言葉123\n' > "$work/new-ascii"
TSUNAGI_PASSPHRASE_FILE="$work/new-ascii" run_program 0 "$tsunagi" --data "$secret" record list
check "the new one does (full-width digits as ASCII)" contains "$out" "第１回全体会"
run_program 64 "$tsunagi" --data "$secret" wipe
check "wipe asks for --yes" contains "$err" "--yes"
run_program 0 "$tsunagi" --data "$secret" wipe --yes
check "wipe --yes deletes the store and its key" bash -c "[ ! -e '$secret/keys.json' ] && [ ! -e '$secret/tsunagi.db' ]"

finish cli
