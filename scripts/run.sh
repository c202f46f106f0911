#!/usr/bin/env bash
# Builds Tsunagi and opens the desktop client on a demo data folder (demo records load on first start).
# Installs missing Debian packages. Extra arguments go to tsunagi (e.g. --lang en).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
tsunagi_install_deps
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$(nproc)" --target tsunagi
data="${TSUNAGI_DEMO_DATA:-${XDG_DATA_HOME:-$HOME/.local/share}/tsunagi-demo}"
echo "Data folder: $data" >&2
exec build/app/tsunagi --data "$data" --demo "$@"
