#!/usr/bin/env bash
# Checks that the Debian packages tapenet builds against are installed; installs the missing
# ones when run as root (or with --install), otherwise prints the one command to run.
# Usage: tools/deps.sh [--install] [extra-package ...]
set -euo pipefail
install=0
if [ "${1:-}" = "--install" ]; then install=1; shift; fi
packages=(g++ make libopenblas-dev doctest-dev nlohmann-json3-dev libstb-dev libgif-dev fonts-dejavu-core "$@")
missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "tapenet: missing Debian packages: ${missing[*]}. Run: sudo make deps" >&2
  exit 1
fi
echo "tapenet: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
