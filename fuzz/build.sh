#!/bin/sh
# fuzz/build.sh [BUILD_DIR]: configure and build the libFuzzer targets with clang,
# ASan + UBSan (QDF_SANITIZE=ON) and -fsanitize=fuzzer-no-link on every source
# (coverage feedback also from the library code). Default BUILD_DIR: build-fuzz
# in the repository root. JOBS (default 2) sets the parallel build jobs.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bdir=${1:-$root/build-fuzz}
jobs=${JOBS:-2}
cmake -S "$here" -B "$bdir" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Fuzz \
    -DCMAKE_C_FLAGS_FUZZ="-O1 -g" -DQDF_SANITIZE=ON \
    -DCMAKE_C_FLAGS="-fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$bdir" -j "$jobs" --target fuzz_reader_txt fuzz_reader_xyz fuzz_reader_qm9 fuzz_reader_sdf fuzz_model_load
