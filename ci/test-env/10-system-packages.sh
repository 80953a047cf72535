#!/usr/bin/env bash
# The Debian packages whose programs the tests run: Prometheus (and promtool), Pushgateway,
# Alertmanager, MariaDB, Chromium and its chromedriver (the browser tests). Installs the
# packages whose programs are missing, as root or through passwordless sudo; silent when
# nothing is missing. Where it cannot install, it stops with one line naming the command to run.
set -euo pipefail

# package: the programs the tests run from it ("a|b": either one)
PACKAGES=(
  "prometheus: prometheus promtool"
  "prometheus-pushgateway: prometheus-pushgateway"
  "prometheus-alertmanager: prometheus-alertmanager"
  "mariadb-server: mariadbd|mysqld mariadb-install-db|mysql_install_db"
  "chromium: chromium|chromium-browser"
  "chromium-driver: chromedriver"
)
# Debian keeps server programs in sbin, which is not on a normal user's PATH.
SBIN_PATH="${SBIN_PATH-/usr/local/sbin:/usr/sbin:/sbin}"
NAME="$(basename "$0" .sh)"

found() {  # found "a|b": true when one of the alternatives is on PATH or in SBIN_PATH
  local alternative
  for alternative in ${1//|/ }; do
    PATH="$PATH${SBIN_PATH:+:$SBIN_PATH}" command -v "$alternative" >/dev/null 2>&1 && return 0
  done
  return 1
}

missing_packages() {  # the packages of which some program is not found, one a line
  local entry program
  for entry in "${PACKAGES[@]}"; do
    for program in ${entry#*:}; do
      found "$program" || { echo "${entry%%:*}"; break; }
    done
  done
}

mapfile -t missing < <(missing_packages)
[ "${#missing[@]}" -eq 0 ] && exit 0

install_args=(install -y -qq --no-install-recommends "${missing[@]}")
command_line="sudo apt-get update && sudo apt-get ${install_args[*]}"
fail() {
  echo "$NAME: $1" >&2
  exit 1
}

if ! command -v apt-get >/dev/null 2>&1; then
  fail "no apt-get (not Debian/Ubuntu): install the packages providing ${missing[*]} yourself"
fi
if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
  as_root=(sudo -n)
else
  fail "missing ${missing[*]}, and no root or passwordless sudo: run $command_line"
fi

echo "$NAME: installing ${missing[*]}" >&2
log="$(mktemp)"
if ! { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
  && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${install_args[@]}"; } \
  >"$log" 2>&1; then
  fail "apt-get could not install ${missing[*]} (log: $log); try: $command_line"
fi
rm -f "$log"
mapfile -t still_missing < <(missing_packages)
if [ "${#still_missing[@]}" -ne 0 ]; then
  fail "installed, but still no programs of ${still_missing[*]} on PATH or in $SBIN_PATH"
fi
