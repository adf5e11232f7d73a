#!/usr/bin/env bash
# Builds the mock driver (driver only) and the mock NCCL into OUTDIR, then builds and runs
# nccl_test.c (2 processes) against them.   Usage: scripts/mock-gpu/nccl/test/run.sh [OUTDIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
out="${1:-$root/target/mock-gpu}"
ADL_MOCK_GPU_DRIVER_ONLY=1 "$here/../../build.sh" "$out"
out="$(cd "$out" && pwd)"
bash "$here/../build.sh" "$out"
"${CC:-cc}" -std=c11 -O1 -Wall -Werror -I"${CUDA_INCLUDE:-/usr/local/cuda/include}" "$here/nccl_test.c" -o "$out/mock_nccl_test" \
  "$out/libnccl.so.2" "$out/libcuda.so.1" -Wl,-rpath,"$out"
"$out/mock_nccl_test"
