#!/usr/bin/env bash
# The one command that runs every test: the Swift unit and integration tests, then the
# interoperability tests with real clients (pyvo, astropy, lsst-sphgeom) against the real
# server on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "== swift build"
swift build --build-tests

echo "== swift test"
swift test --skip-build

echo "== interoperability tests"
export SKYSHARD_BIN="$PWD/.build/debug/skyshard"
python3 -m pytest -q scripts/interop
