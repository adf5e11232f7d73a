#!/usr/bin/env bash
# Builds the mock cuDNN 9 and cuBLAS 13 into OUTDIR (called by scripts/mock-gpu/build.sh after it
# has built OUTDIR/libcuda.so.1, which these link against and enqueue their work on):
#   libcudnn_graph.so.9, libcudnn_ops.so.9, libcudnn_cnn.so.9  the sub-libraries discovery requires
#   libcudnn.so.9                                              every cuDNN call (needs the three above)
#   libcublasLt.so.13, libcublas.so.13                         cuBLAS (libcublas needs libcublasLt)
# Each has its real soname and RUNPATH $ORIGIN. C11 with the system compiler, -O2
# -ffp-contract=off (no fused multiply-add: the mock's sums are plain float adds in a fixed order).
# Usage: scripts/mock-gpu/dnn/build.sh OUTDIR   (CC, CUDA_INCLUDE override the compiler, cuda.h folder)
set -euo pipefail
out="${1:?usage: build.sh OUTDIR}"
here="$(cd "$(dirname "$0")" && pwd)"
cc="${CC:-cc}"
cuda_inc="${CUDA_INCLUDE:-/usr/local/cuda/include}"
if [[ ! -f "$cuda_inc/cuda.h" ]]; then
  echo "mock cuDNN/cuBLAS: no cuda.h in $cuda_inc (install the CUDA toolkit headers, or set CUDA_INCLUDE)" >&2
  exit 1
fi
if [[ ! -f "$out/libcuda.so.1" ]]; then
  echo "mock cuDNN/cuBLAS: $out/libcuda.so.1 is missing (scripts/mock-gpu/build.sh builds the mock driver first)" >&2
  exit 1
fi
mkdir -p "$out"
flags=(-std=c11 -O2 -ffp-contract=off -fPIC -fvisibility=hidden -Wall -Wextra -Werror -I"$here" -I"$here/../include" -I"$cuda_inc")
link=(-shared -Wl,-z,defs -Wl,--no-as-needed -Wl,-rpath,'$ORIGIN' -L"$out")

for sub in graph ops cnn; do
  "$cc" "${flags[@]}" -DCOMPANION="$sub" "$here/companion.c" -shared -Wl,-soname,"libcudnn_$sub.so.9" -o "$out/libcudnn_$sub.so.9"
done
"$cc" "${flags[@]}" "$here"/cudnn_core.c "$here"/cudnn_desc.c "$here"/cudnn_algo.c "$here"/cudnn_conv.c "$here"/cudnn_bn.c \
  "$here"/cudnn_pool.c "$here"/dnn_env.c "${link[@]}" -Wl,-soname,libcudnn.so.9 \
  -l:libcudnn_graph.so.9 -l:libcudnn_ops.so.9 -l:libcudnn_cnn.so.9 -l:libcuda.so.1 -lm -o "$out/libcudnn.so.9"
"$cc" "${flags[@]}" "$here"/cublaslt.c "$here"/dnn_env.c "${link[@]}" -Wl,-soname,libcublasLt.so.13 -o "$out/libcublasLt.so.13"
"$cc" "${flags[@]}" "$here"/cublas.c "$here"/dnn_env.c "${link[@]}" -Wl,-soname,libcublas.so.13 \
  -l:libcublasLt.so.13 -l:libcuda.so.1 -o "$out/libcublas.so.13"
