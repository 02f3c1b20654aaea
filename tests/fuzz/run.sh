#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (AddressSanitizer, UndefinedBehaviorSanitizer) in
# build-fuzz/ and runs each for SECONDS (default 60), seeded with every pipeline of pipelines/
# and examples/ and the CSV files in the repository. Exits non-zero on a crash, a leak, an
# uncaught exception other than UserError, or an input that takes over 10 s (a hang); the
# input that did it is left in build-fuzz/ as crash-* / leak-* / timeout-*.
#   tests/fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
[ -f build-fuzz/CMakeCache.txt ] || CXX=clang++ CC=clang cmake -S . -B build-fuzz -G Ninja -DPIPE_FUZZ=ON -DPIPE_CAIRO=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)"
for target in pipeline_fuzzer csv_fuzzer; do
  corpus=build-fuzz/corpus-$target
  mkdir -p "$corpus"
  if [ "$target" = pipeline_fuzzer ]; then
    cp pipelines/*.yaml examples/*.yaml "$corpus"/
  else
    find examples tests -name '*.csv' -size -64k -exec cp {} "$corpus"/ \;
  fi
  echo "fuzz: $target for ${seconds} s"
  (cd build-fuzz && "./$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
     "corpus-$target" 2>&1 | tail -12)
done
