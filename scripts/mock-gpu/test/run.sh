#!/usr/bin/env bash
# Builds the mock driver into OUTDIR (scripts/mock-gpu/build.sh, driver only), then builds and runs
# mock_driver_test against OUTDIR/libcuda.so.1 and the committed kernels-ptx/.
# Usage: scripts/mock-gpu/test/run.sh [OUTDIR]    (default target/mock-gpu)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="${1:-$root/target/mock-gpu}"
ADL_MOCK_GPU_DRIVER_ONLY=1 "$here/../build.sh" "$out"
out="$(cd "$out" && pwd)"
CUDA_INCLUDE="${CUDA_INCLUDE:-/usr/local/cuda/include}"
"${CXX:-g++}" -std=c++20 -O1 -Wall -I"$CUDA_INCLUDE" "$here/mock_driver_test.cpp" "$here/capture_test.cpp" -o "$out/mock_driver_test" \
  "$out/libcuda.so.1" -Wl,-rpath,"$out"
"$out/mock_driver_test" "$root/kernels-ptx"
