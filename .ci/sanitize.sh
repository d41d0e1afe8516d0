#!/bin/sh
# .ci/sanitize.sh [BUILD_DIR]: configures a separate build with -DQDF_SANITIZE=ON
# (gcc AddressSanitizer + UndefinedBehaviorSanitizer, Debug-ish -O1 -g), builds
# everything (JOBS, default 2) and runs ctest with leak detection. Exits non-zero
# on a build failure or a failing test. Default BUILD_DIR: build-sanitize.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bdir=${1:-$root/build-sanitize}
jobs=${JOBS:-2}
cmake -S "$root" -B "$bdir" -DQDF_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" >/dev/null
cmake --build "$bdir" -j "$jobs"
# OpenMP / OpenBLAS / oneDNN threads allocate per-thread state at exit that LSan
# may report: suppressions in .ci/lsan.supp (library frames only, never qdf).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$here/lsan.supp:print_suppressions=0
cd "$bdir"
ctest --output-on-failure -j 1 --timeout 1800
# the checkpoint kill/resume test under the sanitizers too, unless ctest has it
if ! ctest -N | grep -q test_kill_resume; then
    "$root/tests/kill_resume.sh" "$bdir" "${KILL_RESUME_TRIALS:-3}"
fi
