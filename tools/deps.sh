#!/usr/bin/env bash
# Checks that the Debian packages tapenet builds against are installed. Without a flag it only
# checks (plain `make`), and names `make deps` when one is missing; --install installs the missing
# ones (as root: `make deps`); --install-if-root installs them when run as root and otherwise only
# checks (`make demo` and `make test`, the README's two commands on a fresh machine).
# Usage: tools/deps.sh [--install | --install-if-root] [extra-package ...]
set -euo pipefail
mode=check
case "${1:-}" in
  --install) mode=install; shift ;;
  --install-if-root) mode=$([ "$(id -u)" -eq 0 ] && echo install || echo check); shift ;;
esac
packages=(g++ make libopenblas-dev doctest-dev nlohmann-json3-dev libstb-dev libgif-dev fonts-dejavu-core openmpi-bin libopenmpi-dev "$@")
missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$mode" = check ]; then
  echo "tapenet: missing Debian packages: ${missing[*]}. Run: make deps (as root, or sudo make deps)" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "tapenet: missing Debian packages: ${missing[*]}. Run as root: sudo make deps" >&2
  exit 1
fi
echo "tapenet: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
