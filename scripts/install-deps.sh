#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian machine with Swift:
# the C libraries, the Python clients, STILTS (taplint) and chromium used by the interoperability tests.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
# chromium: the real browser of the web page test (scripts/interop/test_web_page.py).
for pkg in libsqlite3-dev libxml2-dev sqlite3 stilts chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

python3 -m pip install -q --disable-pip-version-check -r scripts/interop/requirements.txt 2>&1 \
  | grep -v "Running pip as the 'root' user" || true
