#!/usr/bin/env bash
# Builds Tsunagi and runs every test (unit, CLI, and the window under Xvfb), then the Windows client's under Wine
# (scripts/build-windows.sh test; about 15 minutes the first time). Installs missing Debian packages.
#   scripts/test.sh              normal build in build/
#   SANITIZE=1 scripts/test.sh   AddressSanitizer + UndefinedBehaviorSanitizer build in build-asan/
#   TSUNAGI_TEST_EXCLUDE=REGEX   leaves out the tests whose names match (ctest -E), e.g. in CI's sanitizer run
#   TSUNAGI_SKIP_WINDOWS=1       leaves out the Windows client (the sanitizer run always does)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
# Tests also read the CSV export back with LibreOffice Calc.
tsunagi_install_deps libreoffice-calc

# Line tables only (-g1): a crash's or a sanitizer's backtrace names files and lines, and the tree, built twice in
# CI, compiles a sixth faster than with full debug information.
build=build
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")
if [ "${SANITIZE:-0}" = 1 ]; then
  build=build-asan
  flags=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DTSUNAGI_SANITIZE=ON -DTSUNAGI_BUILD_BENCH=OFF)
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
fi
cmake -S . -B "$build" -G Ninja "${flags[@]}"
cmake --build "$build" -j "$(nproc)"
exclude=()
if [ -n "${TSUNAGI_TEST_EXCLUDE:-}" ]; then exclude=(-E "$TSUNAGI_TEST_EXCLUDE"); fi
(cd "$build" && ctest --output-on-failure -j "$(nproc)" --timeout 300 "${exclude[@]}")
if [ "${SANITIZE:-0}" != 1 ] && [ "${TSUNAGI_SKIP_WINDOWS:-0}" != 1 ]; then
  bash scripts/build-windows.sh test
fi
