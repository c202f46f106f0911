#!/usr/bin/env bash
# The Windows client (tsunagi.exe under Wine) with the Linux collector over real HTTPS on 127.0.0.1, reached by the
# name localhost (Schannel in curl 7.88 does not match IP addresses in a certificate), and a Linux client beside it:
#   - the Windows laptop's data folder has a Japanese user name and spaces in its path (C:\Users\佐藤 花子\...),
#     given by --data, by TSUNAGI_DATA, and as the default %LOCALAPPDATA%\Tsunagi;
#   - it enrolls with the line the collector prints, pushes a record, and pulls one a Linux laptop wrote, and the
#     supervisor's approval of its own;
#   - an enrollment line with another key's pin is refused (exit 5, tls.pin_mismatch) and leaves nothing behind;
#     a collector that comes back with another key is refused at the next sync, and nothing is lost;
#   - a laptop that trusts the collector's certificate as a CA file (--ca, in a folder with a Japanese name) syncs,
#     and one given another collector's certificate is refused;
#   - with HTTPS_PROXY, or with the proxy of the Windows settings (the registry), requests go through the proxy
#     (a CONNECT proxy of the test's own that counts the tunnels it opens).
# Usage: sync_wine_test.sh TSUNAGI.EXE TSUNAGI_LINUX TSUNAGI_COLLECTOR      (WINEPREFIX as build-windows.sh sets it)
set -uo pipefail
exe=$1
linux=$2
collector=$3
source "$(dirname "$0")/../cli/lib.sh"
wine_run=$(cd "$(dirname "$0")" && pwd)/wine_run.sh
win=$work/tsunagi.exe.sh  # tsunagi.exe under Wine, as a program the checks run
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$wine_run" "$exe" > "$win"
chmod +x "$win"
assets=$(cd "$(dirname "$0")/../../assets" && pwd)
proxy_pid=
cleanup() {
  [ -n "$collector_pid" ] && { kill "$collector_pid" 2>/dev/null; wait "$collector_pid" 2>/dev/null; }
  [ -n "$proxy_pid" ] && { kill "$proxy_pid" 2>/dev/null; wait "$proxy_pid" 2>/dev/null; }
  wine reg delete 'HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings' /v ProxyEnable /f >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

start_collector
"$collector" reference import "$assets/reference/default.json" --data "$work/collector" >/dev/null
url=https://localhost:$port
enrollment() {  # enrollment NAME ROLE [user add words...]: the line to give a device
  local name=$1 role=$2; shift 2
  "$collector" user add --data "$work/collector" --name "$name" --role "$role" --url "$url" "$@" | tail -n 1
}

# The laptop's profile: C:\Users\佐藤 花子\AppData\Local (here under the test's folder, which Wine sees on Z:).
profile="$work/Users/佐藤 花子"
laptop="$profile/AppData/Local/Tsunagi"
mkdir -p "$profile/AppData/Local"
W() { run_program "$1" "$win" --data "$laptop" --lang en "${@:2}"; }
L=$work/linux-supervisor
S() { run_program "$1" "$linux" --data "$L" --lang en "${@:2}"; }

# A wrong pin: refused before anything is sent, and no enrollment is kept.
line=$(enrollment "佐藤 花子" staff --team 東区)
wrong_line="${line% *} sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
W 5 enroll "$wrong_line" --device-name "佐藤のノートPC"
check "a wrong pin is refused as a pin mismatch" contains "$err" "tls.pin_mismatch"
W 3 sync
check "and the laptop is not enrolled" contains "$err" "not enrolled"

# Enrolled in the default data folder: %LOCALAPPDATA%\Tsunagi with the Japanese user name. (Wine sets LOCALAPPDATA
# from its own profile; cmd sets it for the one program it starts.)
local_app_data=$(winepath -w "$profile/AppData/Local" 2>/dev/null)
read -r _ server code pin <<<"$line"  # the line's parts as options: no quotes for cmd to pass on
run_program 0 "$wine_run" cmd /c "set LOCALAPPDATA=$local_app_data&& $(winepath -w "$exe" 2>/dev/null) --lang en enroll \
--server $server --code $code --pin $pin --device-name 佐藤のノートPC"
check "the store is in %LOCALAPPDATA%\\Tsunagi" test -f "$laptop/tsunagi.db"
check "with its enrollment" test -f "$laptop/enrollment.json"

# The Windows laptop writes a record (Japanese text, full-width digits, a rare kanji) and pushes it.
cat > "$work/visit.json" <<'JSON'
{"kind": "outreach", "date": "R6.5.１３", "title": "家庭訪問（髙橋さん宅）", "area": "東区", "status": "submitted",
 "visit_type": "home", "place": "ご自宅", "summary": "就労継続支援Ｂ型の見学を提案した。"}
JSON
W 0 record add --json "$(winepath -w "$work/visit.json" 2>/dev/null)"  # a Windows path (Z:\...) works too
visit=$out
W 0 sync
check "the push reports the record sent" contains "$err" "sent 1"
TSUNAGI_DATA="$laptop" run_program 0 "$win" --lang en status
check "TSUNAGI_DATA names the same store: nothing waits" contains "$out" "0"

# A Linux supervisor's laptop pulls it, approves it, and writes a meeting of the team.
run_program 0 "$linux" --data "$L" enroll "$(enrollment "山田 主任" supervisor)" --device-name "山田の端末"
S 0 sync
S 0 record show "$visit"
check "the supervisor's Linux laptop received the Windows laptop's record" contains "$out" "家庭訪問（髙橋さん宅）"
check "with its dates as typed (R6.5.１３)" contains "$out" '"date": "2024-05-13"'
S 0 review approve "$visit"
S 0 comment add "$visit" --text "確認しました。"
echo '{"kind": "meeting", "date": "2024-05-20", "title": "東区 地域連絡会", "area": "東区", "status": "submitted",
  "body": "区部会", "meeting_type": "liaison", "format": "in_person"}' > "$work/meeting.json"
S 0 record add --json "$work/meeting.json"
meeting=$out
S 0 sync

# The Windows laptop pulls both.
W 0 sync
W 0 record show "$visit"
check "the approval reached the Windows laptop" contains "$out" '"status": "approved"'
check "with the supervisor's comment" contains "$out" "確認しました。"
W 0 record show "$meeting"
check "the supervisor's meeting reached the Windows laptop" contains "$out" "東区 地域連絡会"
W 0 record list --format json
check "the list shows both" contains "$out" "$meeting"

# A second laptop trusts the collector's certificate as a CA file (--ca, Schannel's CURLOPT_CAINFO) instead of a
# pin, kept in a folder with a Japanese name.
mkdir -p "$work/証明書"
cp "$work/collector/cert.pem" "$work/証明書/集約サーバー.pem"
read -r _ server code _ <<<"$(enrollment "鈴木 一郎" staff --team 東区)"
run_program 0 "$win" --data "$work/鈴木のPC" --lang en enroll --server "$server" --code "$code" \
  --ca "$work/証明書/集約サーバー.pem" --device-name "鈴木のノートPC"
run_program 0 "$win" --data "$work/鈴木のPC" --lang en sync
run_program 0 "$win" --data "$work/鈴木のPC" --lang en record show "$meeting"
check "the laptop trusting the CA file received the team's meeting" contains "$out" "東区 地域連絡会"
read -r _ server code _ <<<"$(enrollment "高橋 三郎" staff --team 東区)"
"$collector" key next --data "$work/stranger" >/dev/null  # another collector's certificate (for localhost too)
run_program 1 "$win" --data "$work/高橋のPC" --lang en enroll --server "$server" --code "$code" \
  --ca "$work/stranger/cert.pem"
check "a CA that did not sign the collector's certificate is refused" contains "$err" "tls.failure"

# Through a proxy: HTTPS_PROXY, then the Windows settings (registry), each seen by a CONNECT proxy that counts.
python3 - "$work/proxy.port" "$work/proxy.log" <<'PY' &
import socket, sys, threading
server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0)); server.listen(16)
open(sys.argv[1], "w").write(str(server.getsockname()[1]))
def pipe(a, b):
    try:
        while (data := a.recv(65536)): b.sendall(data)
    except OSError: pass
    finally:
        for s in (a, b):
            try: s.shutdown(socket.SHUT_RDWR)
            except OSError: pass
def serve(client):
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = client.recv(4096)
        if not chunk: return
        head += chunk
    line = head.split(b"\r\n")[0].decode()
    with open(sys.argv[2], "a") as log: log.write(line + "\n")
    method, target, _ = line.split(" ")
    host, port = target.rsplit(":", 1)
    if method != "CONNECT" or host not in ("localhost", "127.0.0.1"):  # loopback only
        client.sendall(b"HTTP/1.1 403 Forbidden\r\n\r\n"); client.close(); return
    upstream = socket.create_connection(("127.0.0.1", int(port)))
    client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
    threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
    pipe(client, upstream)
while True:
    connection, _ = server.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
PY
proxy_pid=$!
for _ in $(seq 50); do [ -s "$work/proxy.port" ] && break; sleep 0.1; done
proxy_port=$(cat "$work/proxy.port")
tunnels() { if [ -f "$work/proxy.log" ]; then grep -c "CONNECT localhost:$port" "$work/proxy.log"; else echo 0; fi; }
HTTPS_PROXY=http://127.0.0.1:$proxy_port run_program 0 "$win" --data "$laptop" --lang en sync
check "with HTTPS_PROXY the sync went through the proxy" [ "$(tunnels)" -ge 1 ]
before=$(tunnels)
settings='HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings'
wine reg add "$settings" /v ProxyServer /t REG_SZ /d "127.0.0.1:$proxy_port" /f >/dev/null 2>&1
wine reg add "$settings" /v ProxyEnable /t REG_DWORD /d 1 /f >/dev/null 2>&1
W 0 sync
check "with the Windows settings' proxy the sync went through it" [ "$(tunnels)" -gt "$before" ]
before=$(tunnels)
wine reg add "$settings" /v ProxyOverride /t REG_SZ /d "<local>" /f >/dev/null 2>&1
W 0 sync
check "and not for an exception (<local>)" [ "$(tunnels)" -eq "$before" ]
wine reg delete "$settings" /v ProxyOverride /f >/dev/null 2>&1
wine reg add "$settings" /v ProxyEnable /t REG_DWORD /d 0 /f >/dev/null 2>&1

# The collector comes back with another key: the laptop refuses it and keeps its waiting record.
W 0 record add --json - <<<'{"kind": "outreach", "date": "2024-05-21", "title": "電話相談（未送信）", "status": "draft"}'
waiting=$out
stop_collector
mv "$work/collector/key.pem" "$work/collector/key.pem.old"
mv "$work/collector/cert.pem" "$work/collector/cert.pem.old"
start_collector "127.0.0.1:$port"
W 5 sync
check "a collector with another key is refused (pin mismatch)" contains "$err" "tls.pin_mismatch"
W 0 record show "$waiting"
check "and the unsent record is still on the laptop" contains "$out" "電話相談（未送信）"

finish sync_wine_test
