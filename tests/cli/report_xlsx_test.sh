#!/usr/bin/env bash
# The reports as spreadsheets, read back the way an office reads them: LibreOffice Calc (headless) converts each
# XLSX to CSV and the test checks the cells, Japanese text and figures included, and that the indicators carry a
# native chart. The committee report is seed 004's dated activities (Kodama, FY R5), entered as records on a
# supervisor's laptop that took Kodama's reference data from a real collector on 127.0.0.1.
# Usage: report_xlsx_test.sh TSUNAGI TSUNAGI_COLLECTOR
set -uo pipefail
tsunagi=$1
collector=$2
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
assets=$here/../../assets
soffice=$(command -v soffice || command -v libreoffice || true)
if [ -z "$soffice" ]; then
  echo "FAIL: LibreOffice (soffice) is not installed: scripts/deps.sh installs libreoffice-calc" >&2
  exit 1
fi
collector_pid=
trap 'if [ -n "$collector_pid" ]; then kill "$collector_pid" 2>/dev/null; wait "$collector_pid" 2>/dev/null; fi; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

"$collector" reference import "$assets/reference/default.json" --data "$work/collector" >/dev/null
"$collector" reference import "$assets/reference/kodama.json" --data "$work/collector" >/dev/null
"$collector" reference import "$assets/reference/kitakyushu.json" --data "$work/collector" >/dev/null
"$collector" serve --data "$work/collector" --listen 127.0.0.1:0 >"$work/collector.out" 2>"$work/collector.log" &
collector_pid=$!
for _ in $(seq 100); do grep -q '^pin ' "$work/collector.out" 2>/dev/null && break; sleep 0.1; done
S=$work/supervisor
line=$("$collector" user add --data "$work/collector" --name "児玉 事務局" --role supervisor --council kodama | tail -n 1)
run_program 0 "$tsunagi" --data "$S" enroll "$line" --device-name "事務局PC"
run_program 0 "$tsunagi" --data "$S" sync
t() { run_program "$1" "$tsunagi" --data "$S" --lang ja "${@:2}"; }

# Seed 004's activities as typed from the seed, approved (the secretariat's own record of the year).
python3 - "$here/../fixtures/seed_activities/004_kodama.json" > "$work/kodama.json" <<'PY'
import json, sys
fixture = json.load(open(sys.argv[1]))
print(json.dumps([dict(entry["input"], status="approved") for entry in fixture["records"]], ensure_ascii=False))
PY
t 0 import "$work/kodama.json" --fy 令和5年度

# to_csv NAME: converts NAME.xlsx to NAME.csv (UTF-8, comma, quoted text) as LibreOffice reads it.
to_csv() {
  timeout 180 "$soffice" -env:UserInstallation="file://$work/profile" --headless \
    --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1' --outdir "$work" "$work/$1.xlsx" > "$work/soffice.log" 2>&1
  [ -s "$work/$1.csv" ]
}

t 0 report committee --fy 令和5年度 --council kodama --format xlsx --out "$work/committee.xlsx"
check "LibreOffice reads the committee report" to_csv committee
csv=$(cat "$work/committee.csv")
check "the title is the report's, in Japanese" contains "$csv" "専門部会等の活動報告 令和5年度"
check "the header row is Japanese" contains "$csv" '"会議体","事業項目","取組状況"' 
# As the seed writes them: （R５.9.21、R５.12.19）, 第１回全体会（R5.7.3）, 第３回全体会（R6.2.2）.
check "the liaison meetings with both dates" contains "$csv" "放課後等デイサービス事業所連絡会議（9/21、12/19）"
check "the first plenary with its date" contains "$csv" "第１回全体会（7/3）"
check "the third plenary, in the next calendar year" contains "$csv" "第３回全体会（2/2）"
# 令和6年1月から「委託事業所連絡会議」を定期開催: a period from a month to the year's end.
check "a period from a month on, as the seed writes it" contains "$csv" "委託事業所連絡会議（1月から）"
check "work items by number and name" contains "$csv" "3．地域の関係機関のネットワーク構築及び相談支援体制の充実と強化に関すること"
t 0 report committee --fy 令和5年度 --council kodama --format json
json_lines=$(python3 -c 'import json,sys; print("\n".join(a["line"] for c in json.load(sys.stdin)["committees"] for w in c["work_items"] for a in w["activities"]))' <<<"$out")
missing=0
while IFS= read -r expected; do
  [ -z "$expected" ] && continue
  contains "$csv" "$expected" || { missing=$((missing + 1)); echo "missing from the sheet: $expected" >&2; }
done <<<"$json_lines"
check "every activity line of the report is a cell of the sheet" [ "$missing" = 0 ]
check "and there are lines" [ "$(printf '%s\n' "$json_lines" | grep -c .)" -ge 10 ]

t 0 report indicators --fy 令和5年度 --council kodama --format xlsx --out "$work/indicators.xlsx"
check "LibreOffice reads the indicators" to_csv indicators
csv=$(cat "$work/indicators.csv")
check "the indicators' header" contains "$csv" '"指標","単位","比較","目標","実績","達成率","評価"'
check "a figure is a number, not text" contains "$csv" '"相談支援事業所の参画による事例検討実施回数","回","以上",,1,' 
check "the workbook holds a native chart" bash -c "unzip -l '$work/indicators.xlsx' | grep -q 'xl/charts/chart1.xml'"
check "printed A4 landscape, one page wide" bash -c "unzip -p '$work/indicators.xlsx' xl/worksheets/sheet1.xml | grep -q 'paperSize=\"9\".*orientation=\"landscape\"\\|orientation=\"landscape\".*paperSize=\"9\"'"
check "the header row stays in view" bash -c "unzip -p '$work/indicators.xlsx' xl/worksheets/sheet1.xml | grep -q 'state=\"frozen\"'"

t 0 report themes --fy 令和5年度 --council kodama --format xlsx --out "$work/themes.xlsx"
check "LibreOffice reads the theme report" to_csv themes
check "the theme report's header starts with the themes' column" contains "$(head -2 "$work/themes.csv")" "地域課題"

t 64 report themes --fy 2023 --format xlsx
check "xlsx needs --out" contains "$err" "--out"
t 0 report all --fy 令和5年度 --council kodama --out "$work/all.xlsx"
sheets=$(unzip -p "$work/all.xlsx" xl/workbook.xml | grep -o '<sheet name="[^"]*"' | sed 's/<sheet name="//; s/"$//' | tr '\n' ' ')
check "report all: one workbook, a sheet per report in order" [ "$sheets" = "活動指標 進捗状況管理表 専門部会等の活動 地域課題別 " ]
t 64 report all --fy 令和5年度 --format csv
check "report all is a workbook only" contains "$err" "xlsx"

# A hand-entered actual (a figure no record holds), synced: the indicator shows it with who entered it.
t 0 report set actual case_study_count --fy 令和5年度 --council kodama --value ４ --note "研修参加者を含む"
t 0 report indicators --fy 令和5年度 --council kodama --format json
check "the entered actual (full-width digits read) stands in for the count" \
  [ "$(python3 -c 'import json,sys; i=json.load(sys.stdin)["indicators"][0]; print(i["id"], i["actual"], i["entered_by"])' <<<"$out")" = "case_study_count 4 児玉 事務局" ]
t 64 report set actual case_study_count --fy 令和5年度 --council kodama --value -3
check "a figure below zero is refused" contains "$err" "0 以上"
t 64 report set actual case_study_count --fy 令和5年度 --value 3
check "an entry names its council when the reference data has several" contains "$err" "--council"
t 0 status
check "it waits for the next sync" contains "$out" "report entries waiting: 1"
# The records above were approved by their own writer, which the collector refuses (exit 4); the entry still goes.
t 4 sync
t 0 status
check "and the collector took it" contains "$out" "report entries waiting: 0"

# The progress management table (seed 003, Kitakyushu): two supervisors of the council evaluate a project on
# their own laptops; each version syncs with who and where, the newest is current and both are its history.
K1=$work/kita1
K2=$work/kita2
k1() { run_program "$1" "$tsunagi" --data "$K1" --lang ja "${@:2}"; }
k2() { run_program "$1" "$tsunagi" --data "$K2" --lang ja "${@:2}"; }
k1 0 enroll "$("$collector" user add --data "$work/collector" --name "北九州 主任" --role supervisor --council kitakyushu | tail -n 1)" --device-name "障害者支援課PC"
k2 0 enroll "$("$collector" user add --data "$work/collector" --name "北九州 係長" --role supervisor --council kitakyushu | tail -n 1)" --device-name "係長PC"
k1 0 sync
k2 0 sync
ids=()
for day in 2016-05-10 2016-11-08; do
  k1 0 record add --json - <<<'{"kind":"initiative","council":"kitakyushu","date":"'$day'","title":"家庭訪問を含むよろず相談","work_items":["kitakyushu.project_1"],"status":"submitted"}'
  ids+=("$out")
done
k1 0 sync
k2 0 sync
k2 0 review approve "${ids[@]}"
k2 0 sync
k1 0 sync
k1 0 report progress --fy 平成28年度 --format json
check "the work done is pre-filled from the records that served the project" \
  contains "$out" "家庭訪問を含むよろず相談（5/10、11/8）"
k1 0 report set progress 1 --fy 平成28年度 --status b --analysis "関係機関との連携を強める必要があります。" \
  --figures-actual "相談件数 22,103件" --next-plan "引き続き出前相談を行います。"
k1 0 sync
k2 0 sync
k2 0 report progress --fy 平成28年度 --format json
row() { python3 -c 'import json,sys; p=[p for p in json.load(sys.stdin)["projects"] if p["number"] == "1"][0]; print(p["status"], p["entered_by"], p["versions"])' <<<"$out"; }
check "the other supervisor's laptop has the evaluation, with who wrote it" [ "$(row)" = "b 北九州 主任 1" ]
k2 0 report set progress kitakyushu.project_1 --fy 平成28年度 --status a
k2 0 sync
k1 0 sync
k1 0 report progress --fy 平成28年度 --format json
check "the newer version is current, the fields not changed kept" [ "$(row)" = "a 北九州 係長 2" ]
check "with the analysis of the first version" contains "$out" "関係機関との連携を強める必要があります。"
k1 0 report history progress 1 --fy 平成28年度
check "the history names both writers and devices" contains "$out" "北九州 主任  障害者支援課PC"
check "in order" contains "$out" "北九州 係長  係長PC"
# An actual for another council: the collector refuses it, and no report counts it.
k1 0 report set actual case_study_count --fy 平成28年度 --council fukuoka --value "1,200"
"$tsunagi" --data "$K1" sync >/dev/null 2>&1
k1 0 report history actual case_study_count --fy 平成28年度 --format json
check "the figure was read with its thousands separator" contains "$out" '"value": 1200'
k1 0 report indicators --fy 平成28年度 --format json
check "a refused entry counts nowhere" not_contains "$out" "1200"
k1 0 report progress --fy 平成28年度 --format xlsx --out "$work/progress.xlsx"
check "LibreOffice reads the progress table" to_csv progress
csv=$(cat "$work/progress.csv")
check "its title and year" contains "$csv" "進捗状況管理表 平成28年度"
check "the seed's headers" contains "$csv" '"事業番号","事業名","事業概要","平成28年度の実施状況","目的達成状況"'
check "the project, its category marked as the seed marks it" contains "$csv" "新たな障害者相談支援体制の構築【拡充】"
check "the baseline as the plan writes it" contains "$csv" "平成26年度 相談件数 25272件"
check "the status and the texts entered" contains "$csv" '"a","平成26年度'
check "the entered figures" contains "$csv" "相談件数 22,103件"
finish "report xlsx"
