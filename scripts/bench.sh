#!/usr/bin/env bash
# Builds skyshard and skyshard-bench in release mode and runs the whole benchmark suite.
#
#   scripts/bench.sh [DATA_DIR] [extra skyshard-bench options...]
#
# DATA_DIR (default: $SKYSHARD_BENCH_DATA or ./.bench-data) holds one sub-directory per object
# count: the generated catalog, the unsharded SQLite baseline and report.md. They are reused
# by later runs. Environment:
#   OBJECTS   object counts to run, space-separated (default "1000000"); e.g. "1000000 10000000"
#   TABLES    tables to generate (default Object,ForcedSource,CcdVisit,Visit); at 10M objects
#             "Object" alone keeps generation, ingest and disk use practical (the
#             Object-ForcedSource benchmark is then skipped)
#   REPEAT    timed runs per query (default 5)
# The markdown sections (machine, results) are printed at the end, ready for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-${SKYSHARD_BENCH_DATA:-$PWD/.bench-data}}"
shift || true
OBJECTS="${OBJECTS:-1000000}"
REPEAT="${REPEAT:-5}"

swift build -c release --product skyshard
swift build -c release --product skyshard-bench
BIN="$(swift build -c release --product skyshard --show-bin-path)/skyshard-bench"
SWIFT_VERSION="$(swift --version 2>&1 | head -n 1)"

for n in $OBJECTS; do
  tables="${TABLES:-Object,ForcedSource,CcdVisit,Visit}"
  echo "== skyshard bench: $n objects, tables $tables ==" >&2
  "$BIN" --data "$DATA" --objects "$n" --tables "$tables" --repeat "$REPEAT" \
    --swift-version "$SWIFT_VERSION" "$@"
done
echo
for n in $OBJECTS; do
  cat "$DATA/objects-$n/report.md"
  echo
done
