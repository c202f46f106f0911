#!/usr/bin/env bash
# The Windows client, cross-built on Debian 12 with mingw-w64 from sources Debian itself ships (issue [9]).
#
# Stage 1 (this script today): the dependencies. Installs the cross compilers and Wine, adds deb-src entries,
# fetches with `apt-get source` the very versions the Linux build is linked with (SQLite, GLFW, Dear ImGui,
# libcurl, libxlsxwriter; zlib comes as Debian's libz-mingw-w64-dev) and builds each as a static library for
# 64-bit Windows into $TSUNAGI_WIN_BUILD/prefix. libcurl uses Schannel, Windows' own TLS: it supports
# CURLOPT_PINNEDPUBLICKEY (since 7.58.1) and CURLOPT_CAINFO (since 7.60), which the client's pinning needs.
# Nothing is fetched from anywhere but Debian's archive.
#
# Stage 2 (started): `check` cross-builds the model library's platform layer with a check program
# (tests/windows/platform_check.cpp) and runs it under Wine: SHA-256, durable writes and mappings in a folder with
# a Japanese name, random ids, the user's data and Documents folders.
#
# Usage: scripts/build-windows.sh [deps|check]      (root, or sudo for apt-get)
# Environment: TSUNAGI_WIN_BUILD (default: build-windows beside the sources), JOBS (default: 2).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${TSUNAGI_WIN_BUILD:-$root/build-windows}
prefix=$out/prefix
sources=$out/sources
jobs=${JOBS:-2}
export TSUNAGI_WIN_PREFIX=$prefix
toolchain=$root/scripts/mingw-w64-x86_64.cmake
cc=x86_64-w64-mingw32-gcc-posix
cxx=x86_64-w64-mingw32-g++-posix
ar=x86_64-w64-mingw32-ar

apt=(apt-get)
[ "$(id -u)" -eq 0 ] || apt=(sudo apt-get)

say() { printf '== %s\n' "$*" >&2; }

install_packages() {
  local packages=(g++-mingw-w64-x86-64-posix gcc-mingw-w64-x86-64-posix mingw-w64-x86-64-dev libz-mingw-w64-dev
                  wine wine64 dpkg-dev cmake ninja-build tcl xvfb xauth fonts-noto-cjk
                  libsqlite3-dev libglfw3-dev libimgui-dev libcurl4-openssl-dev libxlsxwriter-dev
                  nlohmann-json3-dev catch2 libstb-dev libsodium-dev nsis zip
                  autoconf automake libtool)  # libsodium's source has no configure script yet
  local missing=()
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" update -q
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -q --no-install-recommends "${missing[@]}"
}

# deb-src entries for the archive the system already uses (a file of our own; the system's stays as it is).
add_deb_src() {
  if grep -Eqs '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
       /etc/apt/sources.list.d/*.sources; then
    return 0
  fi
  say "adding deb-src entries (/etc/apt/sources.list.d/tsunagi-deb-src.sources)"
  local file=/etc/apt/sources.list.d/tsunagi-deb-src.sources
  local text
  text=$(cat <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
)
  if [ "$(id -u)" -eq 0 ]; then printf '%s\n' "$text" > "$file"; else printf '%s\n' "$text" | sudo tee "$file" >/dev/null; fi
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" update -q
}

# source_of BINARY_PACKAGE: "SOURCE=VERSION" of the installed package the Linux build links (the source's own
# version: a binNMU's +bN is not part of it).
source_of() {
  dpkg-query -W -f='${source:Package}=${source:Version}' "$1"
}

# fetch BINARY_PACKAGE: the unpacked source tree of the version installed, under $sources; prints its path.
fetch() {
  local spec name version
  spec=$(source_of "$1")
  name=${spec%%=*}
  version=${spec#*=}
  local upstream=${version#*:}
  upstream=${upstream%-*}
  local dir=$sources/$name-$upstream
  if [ ! -d "$dir" ]; then
    mkdir -p "$sources"
    (cd "$sources" && "${apt[@]}" source --download-only "$spec" >&2 &&
       dpkg-source --no-check -x "${name}_${version#*:}.dsc" "$dir" >&2)
  fi
  printf '%s\n' "$dir"
}

cmake_windows() {  # cmake_windows SOURCE BUILD ARGS...: configure, build and install into $prefix
  local source=$1 build=$2
  shift 2
  cmake -S "$source" -B "$build" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DBUILD_SHARED_LIBS=OFF "$@" >&2
  cmake --build "$build" -j "$jobs" >&2
  cmake --install "$build" >&2
}

build_sqlite() {
  [ -f "$prefix/lib/libsqlite3.a" ] && return 0
  local source
  source=$(fetch libsqlite3-dev)
  say "SQLite from $source"
  local build=$out/build/sqlite
  mkdir -p "$build" "$prefix/lib" "$prefix/include"
  # Debian's source is SQLite's tree, not the amalgamation: make sqlite3.c natively (it needs tclsh), then
  # compile that for Windows with the features Debian's libsqlite3 has and the store uses (FTS5, JSON).
  (cd "$build" && "$source/configure" --disable-tcl >/dev/null && make sqlite3.c >/dev/null)
  "$cc" -O2 -c "$build/sqlite3.c" -o "$build/sqlite3.o" -DSQLITE_THREADSAFE=1 -DSQLITE_ENABLE_FTS5 \
    -DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_ENABLE_UNLOCK_NOTIFY -DSQLITE_ENABLE_DBSTAT_VTAB -DSQLITE_SECURE_DELETE
  "$ar" rcs "$prefix/lib/libsqlite3.a" "$build/sqlite3.o"
  cp "$build/sqlite3.h" "$source/src/sqlite3ext.h" "$prefix/include/" 2>/dev/null || cp "$build/sqlite3.h" "$prefix/include/"
}

build_glfw() {
  [ -f "$prefix/lib/libglfw3.a" ] && return 0
  local source
  source=$(fetch libglfw3-dev)
  say "GLFW from $source"
  cmake_windows "$source" "$out/build/glfw" -DGLFW_BUILD_EXAMPLES=OFF -DGLFW_BUILD_TESTS=OFF -DGLFW_BUILD_DOCS=OFF
}

build_imgui() {
  [ -f "$prefix/lib/libimgui.a" ] && return 0
  local source
  source=$(fetch libimgui-dev)
  say "Dear ImGui from $source"
  local build=$out/build/imgui
  mkdir -p "$build" "$prefix/lib" "$prefix/include/imgui/backends"
  local objects=() compiling=()
  for file in imgui.cpp imgui_draw.cpp imgui_tables.cpp imgui_widgets.cpp misc/cpp/imgui_stdlib.cpp \
              backends/imgui_impl_glfw.cpp backends/imgui_impl_opengl3.cpp; do
    local object=$build/$(basename "$file" .cpp).o
    "$cxx" -O2 -std=c++17 -I"$source" -I"$prefix/include" -c "$source/$file" -o "$object" &
    compiling+=($!)
    objects+=("$object")
  done
  local job
  for job in "${compiling[@]}"; do wait "$job"; done
  "$ar" rcs "$prefix/lib/libimgui.a" "${objects[@]}"
  cp "$source"/*.h "$source/misc/cpp/imgui_stdlib.h" "$prefix/include/imgui/"
  cp "$source/backends/imgui_impl_glfw.h" "$source/backends/imgui_impl_opengl3.h" \
     "$source/backends/imgui_impl_opengl3_loader.h" "$prefix/include/imgui/backends/" 2>/dev/null ||
    cp "$source/backends/imgui_impl_glfw.h" "$source/backends/imgui_impl_opengl3.h" "$prefix/include/imgui/backends/"
}

build_curl() {
  [ -f "$prefix/lib/libcurl.a" ] && grep -qs 'ENABLE_UNICODE:BOOL=ON' "$out/build/curl/CMakeCache.txt" && return 0
  local source
  source=$(fetch libcurl4-openssl-dev)
  say "libcurl (Schannel) from $source"
  # The CA bundle and path of this Linux machine mean nothing on Windows (none: Schannel asks the system, or the
  # client's --ca file); zlib is linked statically, so that no zlib1.dll has to ship. ENABLE_UNICODE: file names
  # given to libcurl (the --ca file) are UTF-8, as every string of the program is, not the ANSI code page.
  cmake_windows "$source" "$out/build/curl" -DBUILD_CURL_EXE=OFF -DBUILD_TESTING=OFF -DCURL_USE_SCHANNEL=ON \
    -DCURL_USE_OPENSSL=OFF -DHTTP_ONLY=ON -DCURL_USE_LIBSSH2=OFF -DUSE_LIBIDN2=OFF -DCURL_ZLIB=ON -DENABLE_MANUAL=OFF \
    -DCURL_DISABLE_LDAP=ON -DCURL_CA_BUNDLE=none -DCURL_CA_PATH=none -DENABLE_UNICODE=ON \
    -DZLIB_LIBRARY=/usr/x86_64-w64-mingw32/lib/libz.a -DZLIB_INCLUDE_DIR=/usr/x86_64-w64-mingw32/include
}

# The header-only libraries, as the Linux packages install them (the same versions): nlohmann_json with its CMake
# files, Catch2's headers, and stb_truetype and stb_image_write compiled once into libstb.a, as Debian's libstb is.
build_headers() {
  [ -f "$prefix/lib/libstb.a" ] && [ -f "$prefix/include/stb/stb_image_write.h" ] && return 0
  say "nlohmann_json, Catch2 and stb (truetype, image_write) from the installed packages"
  mkdir -p "$prefix/include/stb" "$prefix/share/cmake" "$prefix/lib/cmake" "$out/build/stb"
  cp -r /usr/include/nlohmann "$prefix/include/"
  cp -r /usr/share/cmake/nlohmann_json "$prefix/share/cmake/"
  cp -r /usr/include/catch2 "$prefix/include/"
  cp /usr/include/stb/stb_truetype.h /usr/include/stb/stb_image_write.h "$prefix/include/stb/"
  local objects=()
  for part in truetype image_write; do
    local upper=${part^^}
    printf '#define STB_%s_IMPLEMENTATION\n#include "stb_%s.h"\n' "$upper" "$part" > "$out/build/stb/stb_$part.c"
    "$cc" -O2 -I"$prefix/include/stb" -c "$out/build/stb/stb_$part.c" -o "$out/build/stb/stb_$part.o"
    objects+=("$out/build/stb/stb_$part.o")
  done
  rm -f "$prefix/lib/libstb.a"
  "$ar" rcs "$prefix/lib/libstb.a" "${objects[@]}"
}

build_sodium() {
  [ -f "$prefix/lib/libsodium.a" ] && return 0
  local source
  source=$(fetch libsodium-dev)
  say "libsodium from $source"
  # Autotools: configured for the mingw-w64 host, static only (SODIUM_STATIC in the build), with the CPU's own
  # instructions detected at run time as on Linux.
  [ -x "$source/configure" ] || (cd "$source" && autoreconf -fi >/dev/null 2>&1)
  mkdir -p "$out/build/sodium"
  (cd "$out/build/sodium" &&
    "$source/configure" --host=x86_64-w64-mingw32 --prefix="$prefix" --disable-shared --enable-static \
      CC=x86_64-w64-mingw32-gcc-posix CFLAGS=-O2 >/dev/null &&
    make -j"$jobs" >/dev/null && make install >/dev/null)
}

build_xlsxwriter() {
  [ -f "$prefix/lib/libxlsxwriter.a" ] && return 0
  local source
  source=$(fetch libxlsxwriter-dev)
  say "libxlsxwriter from $source"
  cmake_windows "$source" "$out/build/xlsxwriter" -DBUILD_TESTS=OFF -DBUILD_EXAMPLES=OFF -DUSE_SYSTEM_MINIZIP=OFF \
    -DZLIB_LIBRARY=/usr/x86_64-w64-mingw32/lib/libz.a -DZLIB_INCLUDE_DIR=/usr/x86_64-w64-mingw32/include
}

deps() {
  install_packages
  add_deb_src
  local started=$SECONDS
  # Two lanes at once: SQLite's and libsodium's builds are mostly one process at a time (configure scripts, one
  # large C file), so the other libraries build beside them.
  (build_sqlite && build_sodium) &
  local lane=$!
  build_glfw
  build_imgui
  build_curl
  build_xlsxwriter
  build_headers
  wait "$lane"
  say "dependencies in $prefix ($((SECONDS - started)) s)"
}

# A Wine prefix of our own under $out (console programs need no display), made once.
wine_prefix() {
  export WINEPREFIX=$out/wine WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  if [ ! -d "$WINEPREFIX/drive_c" ]; then
    timeout 300 wineboot --init >/dev/null 2>&1 || true
    wineserver -w
    # Wine links the profile's Documents, Desktop... to the Unix home: folders of the prefix's own instead, so
    # that what a test exports stays in the prefix.
    local folder
    for folder in "$WINEPREFIX"/drive_c/users/*/*; do
      if [ -L "$folder" ]; then rm "$folder" && mkdir "$folder"; fi
    done
  fi
}

check() {
  install_packages
  local build=$out/build/check
  mkdir -p "$build"
  # nlohmann's headers are portable C++ (header-only): the Linux package's serve; nothing else from the host.
  mkdir -p "$build/include" && cp -r /usr/include/nlohmann "$build/include/"
  local flags=(-std=c++20 -O1 -I"$root" -I"$build/include" -DTSUNAGI_ASSETS_DIR='"assets"')
  local objects=()
  for source in model/platform.cpp model/files.cpp model/ids.cpp model/error.cpp tests/windows/platform_check.cpp; do
    local object=$build/$(basename "$source" .cpp).o
    "$cxx" "${flags[@]}" -c "$root/$source" -o "$object"
    objects+=("$object")
  done
  "$cxx" "${objects[@]}" -o "$build/platform_check.exe" -static -lbcrypt -lole32 -lshell32 -luuid
  wine_prefix
  say "platform_check.exe under Wine"
  (cd "$build" && LANG=C.UTF-8 timeout 120 wine ./platform_check.exe | tr -d '\r')
}

# The client and its cross-built tests: tsunagi.exe, tsunagi_tests.exe, tsunagi_client_tests.exe.
build() {
  deps
  local build=$out/build/tsunagi
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" -DCMAKE_PREFIX_PATH="$prefix" >&2
  cmake --build "$build" -j "$jobs" >&2
}

# What goes to a laptop: build-windows/Tsunagi/ (tsunagi.exe, its assets, README-ja.txt), the same folder as a zip,
# and an installer (NSIS) with a Start-menu entry and an uninstaller that keeps the data folder unless asked.
version=$(sed -n 's/^project(tsunagi VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
package() {
  build
  local stage=$out/Tsunagi
  rm -rf "$stage" "$out/Tsunagi-$version-windows-x64.zip"
  mkdir -p "$stage/assets"
  x86_64-w64-mingw32-strip -o "$stage/tsunagi.exe" "$out/build/tsunagi/app/tsunagi.exe"
  cp -r "$root/assets/demo" "$root/assets/i18n" "$root/assets/reference" "$stage/assets/"
  # Notepad reads UTF-8 either way; the BOM and CRLF line ends make every editor on Windows show it right.
  { printf '\xEF\xBB\xBF'; sed 's/$/\r/' "$root/packaging/windows/README-ja.txt"; } > "$stage/README-ja.txt"
  (cd "$out" && zip -q -r -X "Tsunagi-$version-windows-x64.zip" Tsunagi)
  makensis -V2 -INPUTCHARSET UTF8 -DSTAGE="$stage" -DVERSION="$version" \
    -DOUTFILE="$out/Tsunagi-Setup-$version.exe" "$root/packaging/windows/tsunagi.nsi" >&2
  chmod +x "$out/Tsunagi-Setup-$version.exe"
  say "package: $stage, $out/Tsunagi-$version-windows-x64.zip, $out/Tsunagi-Setup-$version.exe"
}

# The Windows client tested under Wine (after `build`), beside the Linux build (LINUX_BUILD, default build/) whose
# collector it syncs with: the unit and client tests cross-built; the CLI test script and a screenshot of the
# window (Xvfb) run against tsunagi.exe; sync with the Linux collector over HTTPS.
test_windows() {
  package
  local linux=${LINUX_BUILD:-$root/build}
  for program in collector/tsunagi-collector app/tsunagi tests/gui/tsunagi_png_check; do
    [ -x "$linux/$program" ] || { echo "$0 test: $linux/$program missing (build the Linux tree first)" >&2; exit 1; }
  done
  wine_prefix
  # A Japanese font in the Windows font folder, as a laptop has Yu Gothic UI or Meiryo there: Noto Sans CJK.
  cp -u /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc "$WINEPREFIX/drive_c/windows/Fonts/"
  wineserver -p 60 || true  # one Wine server for all the runs below (each would otherwise start its own)
  local bin=$out/build/tsunagi
  local wrapper=$out/bin/tsunagi
  mkdir -p "$out/bin"
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$root/tests/windows/wine_run.sh" "$bin/app/tsunagi.exe" > "$wrapper"
  chmod +x "$wrapper"
  local failed=0 started
  step() {  # step NAME COMMAND...: runs one suite, reports its time, and counts a failure without stopping
    started=$SECONDS
    say "$1"
    shift
    if ! "$@"; then failed=$((failed + 1)); say "FAILED"; fi
    say "($((SECONDS - started)) s)"
  }
  step "unit tests (tsunagi_tests.exe)" "$root/tests/windows/wine_run.sh" "$bin/tests/tsunagi_tests.exe"
  step "client tests (tsunagi_client_tests.exe)" "$root/tests/windows/wine_run.sh" "$bin/tests/client/tsunagi_client_tests.exe"
  step "the data key kept by DPAPI (the [.keyring] cases, the CLI)" sh -c '"$1" "$2" "[.keyring]" && "$1" "$3" "[.keyring]" &&
    bash "$4" "$5"' keyring "$root/tests/windows/wine_run.sh" "$bin/tests/tsunagi_tests.exe" \
    "$bin/tests/client/tsunagi_client_tests.exe" "$root/tests/windows/keyring_wine_test.sh" "$wrapper"
  step "CLI round trip (tests/cli/cli_test.sh)" env TSUNAGI_TEST_WINE_FONT="$WINEPREFIX/drive_c/windows/Fonts/NotoSansCJK-Regular.ttc" \
    bash "$root/tests/cli/cli_test.sh" "$wrapper"
  step "sync with the Linux collector" bash "$root/tests/windows/sync_wine_test.sh" "$bin/app/tsunagi.exe" "$linux/app/tsunagi" \
    "$linux/collector/tsunagi-collector"
  step "the window under Wine and Xvfb" sh "$root/tests/gui/screenshot_test.sh" "$wrapper" "$linux/tests/gui/tsunagi_png_check" \
    "${TMPDIR:-/tmp}"
  step "the installer and uninstaller" bash "$root/tests/windows/installer_test.sh" "$out/Tsunagi-Setup-$version.exe"
  wineserver -k 2>/dev/null || true
  [ "$failed" -eq 0 ] || { say "$failed Windows suite(s) failed"; return 1; }
  say "every Windows suite passed"
}

case "${1:-deps}" in
  deps) deps ;;
  check) check ;;
  build) build ;;
  package) package ;;
  test) test_windows ;;
  *) echo "usage: $0 [deps|check|build|package|test]" >&2; exit 64 ;;
esac
