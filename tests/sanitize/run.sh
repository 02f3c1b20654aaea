#!/usr/bin/env bash
# Builds pipe, libpipe_exec.so and pipe_tests with g++'s AddressSanitizer and
# UndefinedBehaviorSanitizer (-DPIPE_SANITIZE=ON) in build-asan/ and runs the whole Catch2
# suite there: its CLI tests spawn build-asan/pipe, which dlopens build-asan/libpipe_exec.so.
# Every process writes its reports (ASan, LeakSanitizer, UBSan) to build-asan/sanitizer-logs/
# rather than to stderr, which the CLI tests capture and may not look at: any report there
# fails the run, as does a failing test. Leaks inside third-party libraries are suppressed in
# tests/sanitize/lsan.supp, each with its reason. Arguments go to pipe_tests (a test spec).
#   tests/sanitize/run.sh ["[predict]"]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
[ -f build-asan/CMakeCache.txt ] ||
  CXX=g++ cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Release -DPIPE_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$(nproc)"

logs=$root/build-asan/sanitizer-logs
rm -rf "$logs" && mkdir -p "$logs"
# Each process appends its pid to log_path. UBSan's log_path needs tests/sanitize/ubsan_log_path.cc.
export ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_string_checks=1"
export LSAN_OPTIONS="suppressions=$root/tests/sanitize/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1"

status=0
(cd build-asan && ./pipe_tests "$@") || status=$?
shopt -s nullglob
reports=("$logs"/*)
if ((${#reports[@]})); then
  for f in "${reports[@]}"; do echo "== $f"; cat "$f"; done
  echo "sanitize: ${#reports[@]} sanitizer report(s) above (pipe_tests exited with $status)"
  exit 1
fi
[ "$status" = 0 ] || echo "sanitize: pipe_tests failed ($status)"
exit "$status"
