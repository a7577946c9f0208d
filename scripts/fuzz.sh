#!/usr/bin/env bash
# The libFuzzer target over lexer → parser → binder → planner (Tests/Fuzz, a package of its own).
#
#   scripts/fuzz.sh build              build it with -sanitize=fuzzer,address
#   scripts/fuzz.sh run [SECONDS]      build, then fuzz for SECONDS (default 1800) from the
#                                      checked-in corpus; new inputs go to Tests/Fuzz/corpus-new,
#                                      findings (crash-*, timeout-*, oom-*) to Tests/Fuzz/findings
#   scripts/fuzz.sh merge              fold corpus-new into the checked-in corpus (minimised)
#
# An input that takes more than 10 s (a hang) or 2 GB is a finding too. See docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/../Tests/Fuzz"

build() {
    swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --product ADQLPlannerFuzz
}
binary() { echo "$(swift build -c release --show-bin-path -Xswiftc -sanitize=fuzzer,address)/ADQLPlannerFuzz"; }

case "${1:-run}" in
build)
    build
    ;;
run)
    build
    mkdir -p corpus-new findings
    ASAN_OPTIONS=detect_leaks=0 "$(binary)" corpus-new corpus \
        -max_total_time="${2:-1800}" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
        -artifact_prefix=findings/ -print_final_stats=1
    ;;
merge)
    build
    mkdir -p corpus-merged
    "$(binary)" -merge=1 corpus-merged corpus corpus-new
    rm -rf corpus corpus-new && mv corpus-merged corpus
    ;;
*)
    echo "usage: $0 build | run [SECONDS] | merge" >&2
    exit 2
    ;;
esac
