#!/usr/bin/env bash
# Host emulation of the kernels (no GPU needed): compiles the .cu files as C++ with the mock GPU's
# CUDA-for-host header (scripts/mock-gpu/kernels/cuda_host.h) and runs them on the mock driver's
# executor (host_run.h: blocks one after another; a block's threads as fibers, so __syncthreads is
# a real barrier), checking them against plain references. Catches indexing / ordering / reduction
# bugs; it does NOT check the device's math library, PTX, or timing — the GPU parity test does that.
# (The mock GPU itself runs the same sources behind cuLaunchKernel: scripts/mock-gpu/test/run.sh.)
# Usage: native-kernels/emu/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
ADL_MOCK_GPU_DRIVER_ONLY=1 "$root/scripts/mock-gpu/build.sh" "$tmp/mock" > /dev/null
CUDA_INCLUDE="${CUDA_INCLUDE:-/usr/local/cuda/include}"
for t in emu_grid_stride emu_blocks; do
  g++ -O1 -ffp-contract=off -fno-strict-aliasing -std=c++20 -Wno-unknown-pragmas -I"$root/scripts/mock-gpu/kernels" \
    -I"$root/scripts/mock-gpu/include" -I"$CUDA_INCLUDE" -I"$here/.." -x c++ "$here/$t.cpp" -x none "$tmp"/mock/obj/driver_*.o \
    -lpthread -o "$tmp/$t"
  echo "$t: $("$tmp/$t" | tail -1)"
  "$tmp/$t" > /dev/null
done
