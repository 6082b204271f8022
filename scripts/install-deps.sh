#!/usr/bin/env bash
# Installs the Debian packages rivulet needs and that are missing. As root it runs apt-get; otherwise it prints the
# exact command and fails, so a newcomer is never left with a half-built tree. Usage: install-deps.sh [run|test|bench]
set -euo pipefail

purpose=${1:-run}
# Build: the C libraries of the C modules (headers, and the libraries linked or opened at run time), pkg-config.
packages=(pkg-config libuv1-dev libhttp-parser-dev libjavascriptcoregtk-4.1-dev libsqlite3-dev libpq-dev zlib1g-dev
          libhiredis-dev)
case "$purpose" in
  # Test: Go for the reference text/template of the differential tests, the servers the destination tests start,
  # pip for moto's S3 server (below), curl for the ClickHouse test helper's queries.
  test)  packages+=(golang-go postgresql clickhouse-server redis-server curl python3-pip) ;;
  bench) packages+=(golang-go wrk nginx-light procps postgresql python3-pip) ;;
esac

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ! command -v swift >/dev/null 2>&1; then
  echo "install-deps: the Swift 6 toolchain is not on PATH; install it from swift.org (it is not a Debian package)" >&2
  exit 1
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing Debian packages: ${missing[*]}" >&2
    echo "run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# moto's S3 server (with boto3) for the S3 tests and the connector benchmark comes from PyPI.
if { [ "$purpose" = test ] || [ "$purpose" = bench ]; } && ! python3 -c "import moto.server, boto3" 2>/dev/null; then
  echo "install-deps: installing moto[server] from PyPI"
  python3 -m pip install --quiet 'moto[server]' || python3 -m pip install --quiet --break-system-packages 'moto[server]'
fi
