#!/usr/bin/env bash
# Make sure a headless Chromium from the distribution's packages is at /usr/bin/chromium, for the
# browser tests (Playwright drives it through executable_path; no `playwright install`).
set -euo pipefail

if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
[ -x /usr/bin/chromium ] || { echo "no Chromium at /usr/bin/chromium" >&2; exit 1; }
echo "browser: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
