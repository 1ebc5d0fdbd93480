#!/usr/bin/env bash
# Make sure PostgreSQL's server binaries (initdb, pg_ctl, postgres) are installed: the storage
# tests start their own throwaway server on 127.0.0.1 from them. Installs Debian's `postgresql`
# package when /usr/lib/postgresql/*/bin/initdb is missing, without creating or starting the
# packaged "main" cluster. Does nothing when the binaries are already there.
set -euo pipefail

if compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null; then
  exit 0
fi
if ! command -v apt-get > /dev/null; then
  echo "postgres.sh: PostgreSQL server binaries are missing and apt-get is not available;" \
       "install PostgreSQL (initdb, pg_ctl) with your package manager" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

echo "== installing PostgreSQL (Debian package postgresql) for the storage tests"
export DEBIAN_FRONTEND=noninteractive
# Do not let the packages start services while installing (invoke-rc.d honours policy-rc.d).
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" > /dev/null
  $sudo chmod +x "$policy"
  own_policy=1
fi
cleanup() {
  if [ "$own_policy" -eq 1 ]; then
    $sudo rm -f "$policy"
  fi
}
trap cleanup EXIT

$sudo apt-get update -qq
# postgresql-common first, so the packaged "main" cluster can be switched off before the server
# package's post-install script would create it.
$sudo apt-get install -y -qq --no-install-recommends postgresql-common > /dev/null
$sudo sed -ri 's/^#?[[:space:]]*create_main_cluster[[:space:]]*=.*$/create_main_cluster = false/' \
  /etc/postgresql-common/createcluster.conf
$sudo apt-get install -y -qq postgresql > /dev/null

if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null; then
  echo "postgres.sh: installed postgresql, but no /usr/lib/postgresql/*/bin/initdb appeared" >&2
  exit 1
fi
echo "== PostgreSQL $(ls /usr/lib/postgresql | sort -n | tail -1) installed (no cluster started)"
