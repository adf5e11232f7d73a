#!/usr/bin/env bash
# Host emulation of the kernels (no GPU needed): compiles the .cu files as C++ with a shim
# (shim_serial.h: blocks and threads run one after another, for grid-stride kernels;
# shim_threads.h: each block's threads are real threads with a barrier for __syncthreads) and
# checks them against plain references. Catches indexing / ordering / reduction bugs; it does
# NOT check the device's math library, PTX, or timing — the GPU parity test does that.
# Usage: native-kernels/emu/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for t in emu_grid_stride emu_blocks; do
  g++ -O1 -ffp-contract=off -std=c++20 -pthread -I"$here" -I"$here/.." -x c++ "$here/$t.cpp" -o "$tmp/$t"
  echo "$t: $("$tmp/$t" | tail -1)"
  "$tmp/$t" > /dev/null
done
