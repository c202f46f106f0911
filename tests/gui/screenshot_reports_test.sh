#!/bin/sh
# Usage: screenshot_reports_test.sh TSUNAGI COLLECTOR PNG_CHECK TEMP_PARENT
# The reports screen under Xvfb, in Japanese and English. A laptop never enrolled (the default reference data:
# Fukuoka's themes and areas, seed 002's indicators) holds approved records of FY2024: two case reviews against a
# target of 3 (66.7%, 未達成), a liaison meeting against a target of 1 (達成), and initiatives across wards for the
# theme matrix. A supervisor's laptop that took Kodama's reference data from a real tsunagi-collector on 127.0.0.1
# holds seed 004's activities (FY R5) for the committee report. Each screen's drawn text must show the report's
# title and its figures (KEEP_SCREENSHOTS=DIR keeps the pictures).
set -eu

tsunagi=$1
collector=$2
png_check=$3
temp_parent=$4

test_name=screenshot_reports_test
. "$(dirname "$0")/lib.sh"
make_work

local_data="$work/local"
add() { printf '%s' "$1" | "$tsunagi" --data "$local_data" record add --json - >/dev/null; }
add '{"kind":"case_review","date":"2024-05-14","title":"事例検討会（東区）","areas":["東区"],"themes":["T03"],"review_type":"case_study","case_code":"C-0001","status":"approved"}'
add '{"kind":"case_review","date":"2025-03-31","title":"事例検討会（博多区）","areas":["博多区"],"themes":["T03"],"review_type":"case_study","case_code":"C-0002","status":"approved"}'
add '{"kind":"meeting","date":"2024-07-09","title":"相談支援事業所連絡会","areas":["東区","博多区"],"themes":["T08"],"meeting_type":"liaison","status":"approved","purpose":"委託と指定の事業所の顔の見える関係づくり","outcome":"困難事例の相談先を共有した"}'
add '{"kind":"initiative","date":"2024-10-01","title":"居場所マップの作成","areas":["博多区"],"themes":["T08"],"content":"区内の居場所を地図にまとめた","status":"approved"}'
add '{"kind":"case_review","date":"2024-06-01","title":"下書きの事例検討","areas":["東区"],"review_type":"case_study","case_code":"C-0003","status":"draft"}'

for lang in ja en; do
  capture "$local_data" reports --fy 2024 --lang "$lang"
  mv "$work/reports.txt" "$work/reports_$lang.txt"
  capture "$local_data" reports-themes --fy 2024 --lang "$lang"
  mv "$work/reports-themes.txt" "$work/themes_$lang.txt"
  if [ -n "${KEEP_SCREENSHOTS:-}" ]; then
    cp "$work/reports.png" "$KEEP_SCREENSHOTS/reports_$lang.png"
    cp "$work/reports-themes.png" "$KEEP_SCREENSHOTS/reports_themes_$lang.png"
  fi
done

# The indicators: names, target, actual, rate and result per indicator, the draft not counted.
says reports_ja "報告書"
says reports_ja "令和6年度"
says reports_ja "活動指標"
says reports_ja "相談支援事業所の参画による事例検討実施回数 3回 以上 2回 66.7% 未達成"
says reports_ja "地域の相談機関との連携強化の取組の実施回数 1回 以上 1回 100% 達成"
says reports_ja "前年度までの実績"
never_says reports_ja "3回 以上 3回"
says reports_en "Reports"
says reports_en "Activity indicators"
says reports_en "Case studies with consultation offices 3回 at least 2回 66.7% not achieved"
# The theme matrix: the liaison meeting counts once in each of its two wards.
says themes_ja "地域課題別の取組"
says themes_ja "東区"
says themes_ja "博多区"
says themes_en "Regional issues by area"

# The committee report: Kodama's reference data from a real collector, seed 004's activities of FY R5.
start_collector "$collector"
"$collector" reference import "$(dirname "$0")/../../assets/reference/kodama.json" --data "$work/collector" >/dev/null
office="$work/office"
"$tsunagi" --data "$office" enroll "$("$collector" user add --data "$work/collector" --name "児玉 事務局" --role supervisor --council kodama | tail -n 1)" --device-name "事務局PC" >/dev/null
"$tsunagi" --data "$office" sync 2>/dev/null
python3 - "$(dirname "$0")/../fixtures/seed_activities/004_kodama.json" > "$work/kodama.json" <<'PY'
import json, sys
fixture = json.load(open(sys.argv[1]))
print(json.dumps([dict(entry["input"], status="approved") for entry in fixture["records"]], ensure_ascii=False))
PY
"$tsunagi" --data "$office" import "$work/kodama.json" --fy 令和5年度 >/dev/null
capture "$office" reports-committee --fy 令和5年度 --lang ja
says reports-committee "専門部会等の活動報告"
says reports-committee "令和5年度"
says reports-committee "第１回全体会（7/3）"
says reports-committee "放課後等デイサービス事業所連絡会議（9/21、12/19）"

# The progress management table (seed 003): a Kitakyushu supervisor's evaluation of a project beside the work done
# that the records pre-fill.
"$collector" reference import "$(dirname "$0")/../../assets/reference/kitakyushu.json" --data "$work/collector" >/dev/null
kita="$work/kita"
"$tsunagi" --data "$kita" enroll "$("$collector" user add --data "$work/collector" --name "北九州 主任" --role supervisor --council kitakyushu | tail -n 1)" --device-name "障害者支援課PC" >/dev/null
"$tsunagi" --data "$kita" sync 2>/dev/null
printf '%s' '{"kind":"initiative","council":"kitakyushu","date":"2016-05-10","title":"家庭訪問を含むよろず相談","work_items":["kitakyushu.project_1"],"status":"approved"}' |
  "$tsunagi" --data "$kita" record add --json - >/dev/null
"$tsunagi" --data "$kita" report set progress 1 --fy 平成28年度 --status b --analysis "関係機関との連携を強める必要があります。" >/dev/null
capture "$kita" reports-progress --fy 平成28年度 --lang ja
says reports-progress "進捗状況管理表"
says reports-progress "平成28年度"
says reports-progress "1 新たな障害者相談支援体制の構築【拡充】"
says reports-progress "目的達成状況 b 具体的に取り組み、継続して推進"
says reports-progress "最終更新: 北九州 主任"
says reports-progress "関係機関との連携を強める必要があります。"
says reports-progress "実施状況（記録から）"
says reports-progress "家庭訪問を含むよろず相談（5/10）"
says reports-progress "評価を入力"
echo "$test_name: passed"
