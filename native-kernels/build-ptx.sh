#!/usr/bin/env bash
# Compiles every native-kernels/*.cu to kernels-ptx/<name>.ptx (PTX for compute_80, which the
# driver JITs on A100, H100/H200 and newer) and stamps kernels-ptx/<name>.sha256 with the
# SHA-256 of the .cu it came from (KernelPtxTest fails when a stamp is stale).
# Fails if nvcc emits a PTX ISA newer than 9.0 (driver 580 accepts up to 9.0; DESIGN §3).
# Usage: native-kernels/build-ptx.sh        (from anywhere; needs nvcc, no GPU)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/native-kernels"
out="$root/kernels-ptx"
NVCC="${NVCC:-nvcc}"
mkdir -p "$out"
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
  mv "$out/$name.ptx.tmp" "$out/$name.ptx"
  sha256sum "$cu" | awk '{print $1}' > "$out/$name.sha256"
  echo "build-ptx: $name.ptx (.version $version)"
done
