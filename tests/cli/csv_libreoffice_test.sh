#!/usr/bin/env bash
# The CSV export as a spreadsheet reads it: LibreOffice Calc (headless) opens the file with its CSV filter for
# UTF-8, and the test reads the cells back from the flat ODS it saves: Japanese headers, case codes that look like
# numbers or dates kept as text, dates as dates, and text that would run as a formula kept as text.
# Usage: csv_libreoffice_test.sh PATH_TO_TSUNAGI
set -uo pipefail
tsunagi=$1
source "$(dirname "$0")/lib.sh"
data=$work/data
soffice=$(command -v soffice || command -v libreoffice || true)
if [ -z "$soffice" ]; then
  echo "FAIL: LibreOffice (soffice) is not installed: scripts/deps.sh installs libreoffice-calc" >&2
  exit 1
fi

cat > "$work/records.json" <<'JSON'
[
 {"kind":"case_review","date":"2024-07-03","title":"事例検討 3-4","case_code":"3-4","review_type":"case_study"},
 {"kind":"case_review","date":"2024-07-04","title":"事例検討 0012","case_code":"0012","review_type":"case_study"},
 {"kind":"case_review","date":"2024-07-05","title":"事例検討 1/2","case_code":"1/2","review_type":"case_study"},
 {"kind":"outreach","date":"2024-07-06","title":"=SUM(1,2)","visit_type":"home","place":"+81 3 1234","content":"-1+2"},
 {"kind":"outreach","date":"2024-07-07","title":"@cmd","visit_type":"home","place":"ご自宅","content":"\tタブで始まる"}
]
JSON
run_program 0 "$tsunagi" --data "$data" import "$work/records.json"
run_program 0 "$tsunagi" --data "$data" export --format csv --out "$work/records.csv"

# 44 = ',' separates fields, 34 = '"' quotes, 76 = UTF-8, 1 = start at the first line.
timeout 180 "$soffice" -env:UserInstallation="file://$work/profile" --headless --infilter="CSV:44,34,76,1" \
  --convert-to fods --outdir "$work" "$work/records.csv" > "$work/soffice.log" 2>&1
check "LibreOffice converted the CSV" [ -s "$work/records.fods" ]
# One line per cell: its attributes and its text.
tr -d '\n' < "$work/records.fods" | sed 's/>[[:space:]]*</></g; s/<table:table-cell/\n<table:table-cell/g' > "$work/cells"
lacks() { ! grep -q "$1" "$2"; }
# cell_type TEXT: the value type of the first cell whose text is exactly TEXT ("string", "float", "date"...).
cell_type() {
  grep -F "<text:p>$1</text:p>" "$work/cells" | head -1 | grep -o 'office:value-type="[a-z]*"' | head -1 | cut -d'"' -f2
}
for header in 日付 件名 ケースコード 種別 状態 "日付（和暦）"; do
  check "the header $header is a text cell" [ "$(cell_type "$header")" = string ]
done
for code in 3-4 0012 1/2; do
  check "the case code $code stays text" [ "$(cell_type "$code")" = string ]
done
check "0012 did not become the number 12" lacks '<text:p>12</text:p>' "$work/cells"
check "a date is a date" [ "$(cell_type 2024-07-03)" = date ] || [ "$(grep -c 'office:date-value="2024-07-03"' "$work/cells")" -ge 1 ]
check "the 和暦 column is text" [ "$(cell_type 令和6年7月3日)" = string ]
check "values are Japanese" [ "$(cell_type ケース検討)" = string ]
check "no cell runs the formula a record's text holds" lacks 'table:formula="of:=SUM' "$work/cells"
# The guard's apostrophe stays visible, as OWASP's CSV advice accepts: the text is there, in a text cell.
check "=SUM(1,2) is a text cell" grep -q 'office:value-type="string"[^>]*><text:p>[^<]*=SUM(1,2)</text:p>' "$work/cells"
check "+81 3 1234 is text, not a sum" grep -q 'office:value-type="string"[^>]*><text:p>[^<]*+81 3 1234</text:p>' "$work/cells"
check "-1+2 is text, not -1 plus 2" grep -q '<text:p>[^<]*-1+2</text:p>' "$work/cells"
check "@cmd is text" grep -q '<text:p>[^<]*@cmd</text:p>' "$work/cells"
finish "csv libreoffice"
