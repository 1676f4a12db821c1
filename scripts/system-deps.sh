#!/usr/bin/env bash
# Debian packages the tests and the demo use: the espeak-ng voice, sox to measure WAVs,
# socat for serial pty pairs, PostgreSQL server binaries for the test cluster,
# libmtdev1 to quiet Kivy; pango and a font for WeasyPrint's PDF reports. With `test`:
# also Debian's chromium (page tests) and poppler-utils (PDF pages as images and text).
# Installs what is missing when run as root; else says how.
set -euo pipefail
need=()
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v sox >/dev/null || need+=(sox)
command -v socat >/dev/null || need+=(socat)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ "${1:-}" = test ]; then
  command -v chromium >/dev/null || need+=(chromium)
  command -v pdftoppm >/dev/null || need+=(poppler-utils)
fi
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
ls /usr/lib/*/libpangoft2-1.0.so.0 >/dev/null 2>&1 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -e /usr/lib/x86_64-linux-gnu/libmtdev.so.1 ] || [ -e /usr/lib/aarch64-linux-gnu/libmtdev.so.1 ] || need+=(libmtdev1)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${need[*]}"
  echo "Install them with: sudo apt-get install -y ${need[*]}   (tests needing them will skip)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "installed: ${need[*]}"
