#!/usr/bin/env bash
# Builds the mock NCCL (nccl.c) into OUTDIR/libnccl.so.2, linked against the mock driver
# OUTDIR/libcuda.so.1 (scripts/mock-gpu/build.sh builds that first and then calls this).
# Usage: scripts/mock-gpu/nccl/build.sh OUTDIR   (CC, CUDA_INCLUDE override the compiler, cuda.h folder)
set -euo pipefail
out="${1:?usage: build.sh OUTDIR}"
here="$(cd "$(dirname "$0")" && pwd)"
cuda_inc="${CUDA_INCLUDE:-/usr/local/cuda/include}"
if [[ ! -f "$out/libcuda.so.1" ]]; then
  echo "mock NCCL: $out/libcuda.so.1 is missing (scripts/mock-gpu/build.sh builds the mock driver first)" >&2
  exit 1
fi
"${CC:-cc}" -std=c11 -O2 -ffp-contract=off -fPIC -fvisibility=hidden -Wall -Wextra -Werror -I"$here/../include" -I"$cuda_inc" \
  "$here/nccl.c" -shared -Wl,-z,defs -Wl,--no-as-needed -Wl,-rpath,'$ORIGIN' -L"$out" -Wl,-soname,libnccl.so.2 \
  -l:libcuda.so.1 -lrt -o "$out/libnccl.so.2.tmp"
mv "$out/libnccl.so.2.tmp" "$out/libnccl.so.2"
echo "mock-gpu: $out/libnccl.so.2"
