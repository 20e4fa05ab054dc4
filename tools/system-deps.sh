#!/usr/bin/env bash
# Installs the Debian packages Qt needs to run headless (and to bundle), and tzdata (time zones
# of [[maintenance]] windows), when missing.
# As root it installs them; otherwise it prints the exact line to run and fails.
set -euo pipefail

PACKAGES=(libglib2.0-0 libgl1 libegl1 libfontconfig1 fonts-dejavu-core libxkbcommon0
          libdbus-1-3 binutils tzdata)
if [[ "${1:-}" == "--with-xvfb" ]]; then
  # A real X server for the end-to-end tests (tests/xserver.py) and headless live windows:
  # Xvfb, a window manager (openbox), and the X tools the tests drive and look with.
  PACKAGES+=(xvfb xauth openbox xdotool x11-utils x11-xserver-utils libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
             libxcb-render-util0 libxcb-shape0 libxkbcommon-x11-0 libxcb-randr0 libxcb-xfixes0
             libxcb-sync1 libxcb-xkb1 libxcb-xinerama0)
fi

if ! command -v dpkg >/dev/null 2>&1; then
  echo "system-deps: not a Debian-like system; install the equivalents of: ${PACKAGES[*]}" >&2
  exit 0
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

line="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -eq 0 ]]; then
  echo "system-deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "system-deps: Qt needs these packages. Run as root:" >&2
  echo "  sudo sh -c '$line'" >&2
  exit 1
fi
