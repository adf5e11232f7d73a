#!/usr/bin/env bash
# Compiles every native-kernels/*.cu to kernels-ptx/<name>.ptx (PTX for compute_80, which the
# driver JITs on A100, H100/H200 and newer) and stamps kernels-ptx/<name>.sha256 with the
# SHA-256 of the .cu it came from (KernelPtxTest fails when a stamp is stale).
# nvcc 13 writes `.version 9.0`, which only a CUDA 13 driver loads; the PTX ISA release history
# (PTX ISA reference, "Release Notes") gives each ISA's first driver (7.0: 11.0, 7.8: 11.8, 8.0: 12.0,
# 9.0: 13.0). So the `.version` line is rewritten to the lowest ISA in ISA_CANDIDATES with which
# every kernel assembles (ptxas -arch=sm_80 and -arch=sm_90 confirm it; the instructions nvcc emits
# are the same), and an older driver loads the modules too. Fails if nvcc emits an ISA newer than
# 9.0 or if no candidate assembles.
# Usage: native-kernels/build-ptx.sh        (from anywhere; needs nvcc and ptxas, no GPU)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/native-kernels"
out="$root/kernels-ptx"
NVCC="${NVCC:-nvcc}"
PTXAS="${PTXAS:-ptxas}"
ISA_CANDIDATES="7.0 7.1 7.2 7.3 7.4 7.5 7.6 7.7 7.8 8.0 8.1 8.2 8.3 8.4 8.5 8.6 8.7 8.8 9.0"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for cu in "$src"/*.cu; do
  name="$(basename "$cu" .cu)"
  "$NVCC" -ptx -arch=compute_80 -O3 "$cu" -o "$out/$name.ptx.tmp"
  version="$(awk '/^\.version/ {print $2; exit}' "$out/$name.ptx.tmp")"
  major="${version%%.*}"; minor="${version#*.}"
  if [ -z "$version" ] || [ "$major" -gt 9 ] || { [ "$major" -eq 9 ] && [ "$minor" -gt 0 ]; }; then
    rm -f "$out/$name.ptx.tmp"
    echo "build-ptx: $name.ptx declares .version '$version'; at most 9.0 is allowed" >&2
    exit 1
  fi
  if ! grep -q '^\.target sm_80' "$out/$name.ptx.tmp"; then
    rm -f "$out/$name.ptx.tmp"
    echo "build-ptx: $name.ptx does not target sm_80" >&2
    exit 1
  fi
  mv "$out/$name.ptx.tmp" "$tmp/$name.ptx"
  echo "build-ptx: $name.ptx (nvcc wrote .version $version)"
done

# The lowest ISA with which every module assembles for sm_80 and sm_90.
isa=""
for candidate in $ISA_CANDIDATES; do
  ok=1
  for ptx in "$tmp"/*.ptx; do
    sed "s/^\.version .*/.version $candidate/" "$ptx" > "$tmp/try.ptx.in"
    for arch in sm_80 sm_90; do
      if ! "$PTXAS" -arch="$arch" "$tmp/try.ptx.in" -o /dev/null 2>/dev/null; then ok=0; break 2; fi
    done
  done
  if [ "$ok" = 1 ]; then isa="$candidate"; break; fi
done
if [ -z "$isa" ]; then
  echo "build-ptx: no PTX ISA in '$ISA_CANDIDATES' assembles every module for sm_80 and sm_90" >&2
  exit 1
fi
for cu in "$src"/*.cu; do
  name="$(basename "$cu" .cu)"
  sed "s/^\.version .*/.version $isa/" "$tmp/$name.ptx" > "$out/$name.ptx"
  sha256sum "$cu" | awk '{print $1}' > "$out/$name.sha256"
  echo "build-ptx: $name.ptx (.version $isa: assembles for sm_80 and sm_90)"
done
