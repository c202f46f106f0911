#!/usr/bin/env bash
# Installs the Debian 12 packages Tsunagi builds, runs and tests with, when any is missing.
# Uses apt-get as root, else sudo apt-get. Sourced by run.sh and test.sh; safe to run alone.
set -euo pipefail

TSUNAGI_PACKAGES=(
  g++ cmake ninja-build pkg-config
  libsqlite3-dev nlohmann-json3-dev catch2
  libimgui-dev libglfw3-dev libgl-dev libstb-dev libfontconfig-dev fonts-noto-cjk
  xvfb xauth libgl1-mesa-dri
  libcurl4-openssl-dev libcpp-httplib-dev libssl-dev zlib1g-dev
  libxlsxwriter-dev  # the reports as spreadsheets
  libsodium-dev  # the store's encryption at rest
  libpq-dev  # the collector's PostgreSQL store
  postgresql  # ... and the tests' PostgreSQL server (tests/support/postgres_server.sh starts its own)
  libsecret-1-dev  # ... and its key kept in the desktop's keyring
  gnome-keyring dbus-daemon libglib2.0-bin  # the tests' keyring: a session bus, a keyring daemon, gdbus
  python3  # the command-line tests read JSON answers with it
)

# tsunagi_install_deps [PACKAGE...]: the packages above, and those named (scripts/fuzz.sh adds clang).
tsunagi_install_deps() {
  local missing=()
  for package in "${TSUNAGI_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing: ${missing[*]}" >&2
  local apt=(apt-get)
  [ "$(id -u)" -eq 0 ] || apt=(sudo apt-get)
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" update -q
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -q --no-install-recommends "${missing[@]}"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  tsunagi_install_deps
fi
