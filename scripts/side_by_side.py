#!/usr/bin/env python3
"""Merge `./adl bench ops` and `scripts/bench_ops_torch.py` outputs into one side-by-side table.

Usage: scripts/side_by_side.py ADL_1THREAD ADL_2THREADS TORCH_1THREAD TORCH_2THREADS
Each file is the stdout of one run. Prints, per crop, a Markdown table with the forward and
forward+backward medians of both engines at 1 and 2 threads, and the speed-up of adl-engine's
best over PyTorch's best (> 1: adl-engine faster). Plain Python, no dependencies.
"""
import re
import sys


def parse(path):
    rows, crop = {}, None
    for line in open(path):
        m = re.match(r"### crop (\d+)x", line)
        if m:
            crop = int(m.group(1))
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if crop is None or len(cells) != 7 or not re.match(r"^[\d.]+$", cells[3]):
            continue
        rows[(crop, cells[0], cells[1], cells[2])] = (float(cells[3]), float(cells[4]))
    return rows


def main(a1, a2, t1, t2):
    A1, A2, T1, T2 = parse(a1), parse(a2), parse(t1), parse(t2)
    crops = sorted({k[0] for k in A2})
    for crop in crops:
        print(f"\n#### crop {crop}×{crop}\n")
        print("| op | C | H×W | fwd adl 1t | fwd adl 2t | fwd torch 1t | fwd torch 2t | fwd+bwd adl 1t | fwd+bwd adl 2t "
              "| fwd+bwd torch 1t | fwd+bwd torch 2t | fwd+bwd speed-up |")
        print("|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        for key in [k for k in A2 if k[0] == crop]:
            a1v, a2v, t1v, t2v = A1.get(key), A2[key], T1.get(key), T2.get(key)
            if not (a1v and t1v and t2v):
                continue
            best_a = min(a1v[1], a2v[1])
            best_t = min(t1v[1], t2v[1])
            print(f"| {key[1]} | {key[2]} | {key[3]} | {a1v[0]:.3f} | {a2v[0]:.3f} | {t1v[0]:.3f} | {t2v[0]:.3f} "
                  f"| {a1v[1]:.3f} | {a2v[1]:.3f} | {t1v[1]:.3f} | {t2v[1]:.3f} | {best_t / best_a:.2f}× |")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
