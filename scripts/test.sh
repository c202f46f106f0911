#!/usr/bin/env bash
# Builds Tsunagi and runs every test (unit, CLI, and the window under Xvfb). Installs missing Debian packages.
#   scripts/test.sh              normal build in build/
#   SANITIZE=1 scripts/test.sh   AddressSanitizer + UndefinedBehaviorSanitizer build in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
# Tests also read the CSV export back with LibreOffice Calc.
tsunagi_install_deps libreoffice-calc

build=build
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [ "${SANITIZE:-0}" = 1 ]; then
  build=build-asan
  flags=(-DCMAKE_BUILD_TYPE=Debug -DTSUNAGI_SANITIZE=ON -DTSUNAGI_BUILD_BENCH=OFF)
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
fi
cmake -S . -B "$build" -G Ninja "${flags[@]}"
cmake --build "$build" -j "$(nproc)"
cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 300
