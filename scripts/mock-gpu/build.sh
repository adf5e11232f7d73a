#!/usr/bin/env bash
# Builds the mock GPU into OUTDIR with the system compilers (no prebuilt binaries in git):
#   OUTDIR/libcuda.so.1   the mock CUDA driver (driver/), compiled against the real cuda.h, with the
#                         project's kernels (native-kernels/*.cu) compiled for the host (kernels/)
#   then, when scripts/mock-gpu/dnn/build.sh exists, the mock cuDNN and cuBLAS (linked against
#   OUTDIR/libcuda.so.1).
# Point the backend at it with ADL_CUDA_LIB_DIR=OUTDIR. docs/05f-mock-gpu.md says what the mock checks and what
# it cannot. Usage: scripts/mock-gpu/build.sh OUTDIR    (env: CXX, CUDA_INCLUDE, JOBS)
set -euo pipefail
if [ $# -ne 1 ]; then echo "usage: scripts/mock-gpu/build.sh OUTDIR" >&2; exit 2; fi
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
mkdir -p "$1"
out="$(cd "$1" && pwd)"
CXX="${CXX:-g++}"
CUDA_INCLUDE="${CUDA_INCLUDE:-/usr/local/cuda/include}"
if [ ! -f "$CUDA_INCLUDE/cuda.h" ]; then
  echo "mock-gpu/build.sh: $CUDA_INCLUDE/cuda.h not found (set CUDA_INCLUDE to the folder holding cuda.h)" >&2
  exit 1
fi
JOBS="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
obj="$out/obj"
mkdir -p "$obj"
flags=(-std=c++20 -O2 -ffp-contract=off -fno-strict-aliasing -fPIC -Wall -Wno-unknown-pragmas -Wno-sign-compare
       -I"$CUDA_INCLUDE" -I"$here/include" -I"$here/kernels" -I"$root/native-kernels")

# Compile each source to an object, JOBS at a time; rebuild only what is older than its inputs.
sources=("$here"/driver/*.cpp "$here"/kernels/*.cpp)
pids=()
for src in "${sources[@]}"; do
  o="$obj/$(basename "$(dirname "$src")")_$(basename "$src" .cpp).o"
  if [ -f "$o" ] && [ -z "$(find "$here" "$root/native-kernels" \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.cu' -o -name '*.map' -o -path "$here/build.sh" \) -newer "$o" -print -quit)" ]; then
    continue
  fi
  "$CXX" "${flags[@]}" -c "$src" -o "$o" &
  pids+=($!)
  if [ "${#pids[@]}" -ge "$JOBS" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p"; done
"$CXX" -shared -Wl,-soname,libcuda.so.1 -Wl,--version-script="$here/driver/exports.map" -Wl,-z,noexecstack \
  -o "$out/libcuda.so.1.tmp" "$obj"/driver_*.o "$obj"/kernels_*.o -lpthread
mv "$out/libcuda.so.1.tmp" "$out/libcuda.so.1"
ln -sf libcuda.so.1 "$out/libcuda.so"
echo "mock-gpu: $out/libcuda.so.1"

if [ -f "$here/dnn/build.sh" ] && [ -z "${ADL_MOCK_GPU_DRIVER_ONLY:-}" ]; then
  bash "$here/dnn/build.sh" "$out"
fi

# The mock NCCL (nccl/, docs/08-data-parallel.md §9): collectives over the mock's device memory
# between the processes of a job, through POSIX shared memory; found by ADL_DIST_LIB_DIR=OUTDIR.
if [ -z "${ADL_MOCK_GPU_DRIVER_ONLY:-}" ]; then
  CUDA_INCLUDE="$CUDA_INCLUDE" bash "$here/nccl/build.sh" "$out"
fi
