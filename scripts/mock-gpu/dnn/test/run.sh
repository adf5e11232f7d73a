#!/usr/bin/env bash
# Builds dnn_test against the mock libraries in OUTDIR (scripts/mock-gpu/build.sh OUTDIR first) and
# runs it; exit 0 when every check passes. --stub: build OUTDIR itself with the stand-in driver
# stub_driver.c instead of the mock driver (no capture case), for working on the mock cuDNN/cuBLAS alone.
# Usage: scripts/mock-gpu/dnn/test/run.sh OUTDIR [--stub]
set -euo pipefail
out="$(mkdir -p "${1:?usage: run.sh OUTDIR [--stub]}" && cd "$1" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
dnn="$(dirname "$here")"
cc="${CC:-cc}"
cuda_inc="${CUDA_INCLUDE:-/usr/local/cuda/include}"
flags=(-std=c11 -O1 -Wall -Wextra -Werror -I"$here" -I"$dnn" -I"$dnn/../include" -I"$cuda_inc")
extra=()
if [[ "${2:-}" == "--stub" ]]; then
  "$cc" -std=c11 -O1 -fPIC -shared -I"$dnn/../include" -I"$cuda_inc" "$here/stub_driver.c" -Wl,-soname,libcuda.so.1 -o "$out/libcuda.so.1"
  "$dnn/build.sh" "$out"
  extra=(-DADL_DNN_TEST_STUB)
fi
"$cc" "${flags[@]}" "${extra[@]}" "$here"/dnn_test.c "$here"/test_conv.c "$here"/test_bn_pool.c "$here"/test_blas.c "$here"/test_capture.c \
  -L"$out" -Wl,-rpath,"$out" -l:libcudnn.so.9 -l:libcublas.so.13 -l:libcublasLt.so.13 -l:libcuda.so.1 -lm -o "$out/dnn_test"
"$out/dnn_test"
