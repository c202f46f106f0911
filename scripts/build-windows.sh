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
                  libsqlite3-dev libglfw3-dev libimgui-dev libcurl4-openssl-dev libxlsxwriter-dev)
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
  local objects=()
  for file in imgui.cpp imgui_draw.cpp imgui_tables.cpp imgui_widgets.cpp misc/cpp/imgui_stdlib.cpp \
              backends/imgui_impl_glfw.cpp backends/imgui_impl_opengl3.cpp; do
    local object=$build/$(basename "$file" .cpp).o
    "$cxx" -O2 -std=c++17 -I"$source" -I"$prefix/include" -c "$source/$file" -o "$object"
    objects+=("$object")
  done
  "$ar" rcs "$prefix/lib/libimgui.a" "${objects[@]}"
  cp "$source"/*.h "$source/misc/cpp/imgui_stdlib.h" "$prefix/include/imgui/"
  cp "$source/backends/imgui_impl_glfw.h" "$source/backends/imgui_impl_opengl3.h" \
     "$source/backends/imgui_impl_opengl3_loader.h" "$prefix/include/imgui/backends/" 2>/dev/null ||
    cp "$source/backends/imgui_impl_glfw.h" "$source/backends/imgui_impl_opengl3.h" "$prefix/include/imgui/backends/"
}

build_curl() {
  [ -f "$prefix/lib/libcurl.a" ] && return 0
  local source
  source=$(fetch libcurl4-openssl-dev)
  say "libcurl (Schannel) from $source"
  # The CA bundle and path of this Linux machine mean nothing on Windows (none: Schannel asks the system, or the
  # client's --ca file); zlib is linked statically, so that no zlib1.dll has to ship.
  cmake_windows "$source" "$out/build/curl" -DBUILD_CURL_EXE=OFF -DBUILD_TESTING=OFF -DCURL_USE_SCHANNEL=ON \
    -DCURL_USE_OPENSSL=OFF -DHTTP_ONLY=ON -DCURL_USE_LIBSSH2=OFF -DUSE_LIBIDN2=OFF -DCURL_ZLIB=ON -DENABLE_MANUAL=OFF \
    -DCURL_DISABLE_LDAP=ON -DCURL_CA_BUNDLE=none -DCURL_CA_PATH=none \
    -DZLIB_LIBRARY=/usr/x86_64-w64-mingw32/lib/libz.a -DZLIB_INCLUDE_DIR=/usr/x86_64-w64-mingw32/include
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
  build_sqlite
  build_glfw
  build_imgui
  build_curl
  build_xlsxwriter
  say "dependencies in $prefix ($((SECONDS - started)) s)"
}

# A Wine prefix of our own under $out (console programs need no display), made once.
wine_prefix() {
  export WINEPREFIX=$out/wine WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  if [ ! -d "$WINEPREFIX/drive_c" ]; then
    timeout 300 wineboot --init >/dev/null 2>&1 || true
    wineserver -w
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

case "${1:-deps}" in
  deps) deps ;;
  check) check ;;
  *) echo "usage: $0 [deps|check]" >&2; exit 64 ;;
esac
