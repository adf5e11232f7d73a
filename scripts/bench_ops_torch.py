#!/usr/bin/env python3
"""PyTorch peer of `./adl bench ops`: the same convolutions, timed the same way, same table.

Cases (docs/02-search-space.md §2, §5): depthwise 3x3 / 5x5 (groups = C, padding k/2), dilated depthwise 3x3 / 5x5
(dilation 2, padding 2*(k/2)) and pointwise 1x1 C->C, no bias, stride 1, F32, NCHW; level v has
C = 8*2^v and the spatial size of rate 4*2^v of the crop (ceil-halving: 64 -> 16/8/4/2,
321 -> 81/41/21/11); batch 2. Forward: inputs without grad (no graph recorded). Forward+backward:
x and w require grad, y.backward(ones), grads reset to None. Each reported time is the median
of --iters timed repetitions after --warmup untimed ones. GFLOP/s: forward FLOPs =
2*k*k*(Cin/groups)*Cout*Ho*Wo*N; forward+backward counts 3x that.

Runs with torch 1.13 (Debian's python3-torch, /usr/bin/python3) and torch 2.x:
    /usr/bin/python3 scripts/bench_ops_torch.py --threads 2
"""
import argparse
import os
import statistics
import time

import torch
import torch.nn.functional as F

# (name, kernel, dilation, depthwise) -- the order of ConvCase.KINDS in adl.cli.bench
KINDS = [
    ("dw3x3", 3, 1, True),
    ("dw5x5", 5, 1, True),
    ("dil_dw3x3", 3, 2, True),
    ("dil_dw5x5", 5, 2, True),
    ("pw1x1", 1, 1, False),
]


def size_at(crop, level):
    """Spatial size at level v (rate 4*2^v): ceil(h/2) per stride-2 step."""
    h = crop
    for _ in range(level + 2):
        h = (h + 1) // 2
    return h


def cases(crop, batch):
    for level in range(4):
        c, s = 8 << level, size_at(crop, level)
        for name, k, dil, dw in KINDS:
            yield dict(op=name, k=k, dil=dil, groups=c if dw else 1, c=c, size=s, n=batch)


def forward_flops(cc):
    o = cc["size"]  # "same" padding: Ho = Wo = H
    return 2.0 * cc["k"] * cc["k"] * (cc["c"] // cc["groups"]) * cc["c"] * o * o * cc["n"]


def median_ms(warmup, iters, body):
    for _ in range(warmup):
        body()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        body()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def measure(cc, warmup, iters):
    gen = torch.Generator().manual_seed(1)
    n, c, s, k, g = cc["n"], cc["c"], cc["size"], cc["k"], cc["groups"]
    x = torch.randn(n, c, s, s, generator=gen)
    w = torch.randn(c, c // g, k, k, generator=gen) * 0.1
    pad, dil = cc["dil"] * (k // 2), cc["dil"]
    gy = torch.ones(n, c, s, s)

    def fwd():
        F.conv2d(x, w, None, 1, pad, dil, g)

    xg = x.clone().requires_grad_(True)
    wg = w.clone().requires_grad_(True)

    def fwd_bwd():
        y = F.conv2d(xg, wg, None, 1, pad, dil, g)
        y.backward(gy)
        xg.grad = None
        wg.grad = None

    return median_ms(warmup, iters, fwd), median_ms(warmup, iters, fwd_bwd)


def header():
    return (f"| {'op':<10} | {'C':>3} | {'HxW':<7} | {'fwd ms':>9} | {'fwd+bwd ms':>13} | "
            f"{'fwd GFLOP/s':>11} | {'fwd+bwd GFLOP/s':>15} |\n"
            f"|{'-' * 12}|----:|{'-' * 9}|{'-' * 10}:|{'-' * 14}:|{'-' * 12}:|{'-' * 16}:|")


def row(cc, fwd_ms, fb_ms):
    f = forward_flops(cc)
    hw = f"{cc['size']}x{cc['size']}"
    return (f"| {cc['op']:<10} | {cc['c']:>3} | {hw:<7} | {fwd_ms:>9.3f} | {fb_ms:>13.3f} | "
            f"{f / (fwd_ms * 1e6):>11.2f} | {3 * f / (fb_ms * 1e6):>15.2f} |")


def parse_crops(s):
    if s == "both":
        return [64, 321]
    try:
        crops = [int(p) for p in s.split(",")]
    except ValueError:
        crops = []
    if not crops or any(v < 8 for v in crops):
        raise SystemExit(f"--crop wants 64, 321, both or a list of sizes >= 8, got '{s}'")
    return crops


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="torch.set_num_threads (default: all cores)")
    ap.add_argument("--warmup", type=int, default=20, help="untimed repetitions per case (default: 20)")
    ap.add_argument("--iters", type=int, default=30, help="timed repetitions per case, median reported (default: 30)")
    ap.add_argument("--crop", default="both", help="64, 321 or both (default: both)")
    ap.add_argument("--batch", type=int, default=2, help="batch size (default: 2, the search's)")
    a = ap.parse_args()
    crops = parse_crops(a.crop)
    torch.set_num_threads(a.threads)
    print(f"torch bench ops: f32, cpu, threads={torch.get_num_threads()}, warmup={a.warmup}, iters={a.iters}, "
          f"batch={a.batch}, torch {torch.__version__}, mkldnn={torch.backends.mkldnn.is_available()}")
    for crop in crops:
        print(f"\n### crop {crop}x{crop}\n\n{header()}", flush=True)
        for cc in cases(crop, a.batch):
            fwd_ms, fb_ms = measure(cc, a.warmup, a.iters)
            print(row(cc, fwd_ms, fb_ms), flush=True)


if __name__ == "__main__":
    main()
