#!/usr/bin/env python3
"""Markdown tables from the JMH JSON of bench/run.sh (standard library only).

Bytes and FLOPs are counted from the benchmark parameters with the formulas of the Java suites
(Geometry, WeightedSumBench, CopyBench, ConvCase); 1 GB = 1e9 bytes, F32 = 4 bytes.
  weighted sum forward:       (K + 1)·S floats (K reads + 1 write)
  weighted sum backward:      (2K + 1)·S floats (gy + K inputs read, K gradients written)
  weighted sum backwardArch:  (K + 1)·S floats (gy + K inputs read; gw is K floats)
  copy / add / arraycopy:     sized to move (K + 1)·S floats, the forward's bytes
  conv forward: 2·k²·(Cin/groups)·Cout·H·W·N FLOP; forward + backward: 3× that
Usage: report.py jmh.json
"""
import json
import sys
from collections import defaultdict

BATCH, CROP, F, BLOCKS = 2, 321, 8, 5
CONV = {"dw3x3": (3, True), "dw5x5": (5, True), "dil_dw3x3": (3, True), "dil_dw5x5": (5, True), "pw1x1": (1, False)}
UNIT = {"ns/op": 1e-9, "us/op": 1e-6, "ms/op": 1e-3, "s/op": 1.0}


def size(level, crop=CROP):
    h = crop
    for _ in range(level + 2):
        h = (h + 1) // 2
    return h


def sum_dims(kind, level):
    c = F << level
    return [BATCH, BLOCKS * c if kind == "node" else c, size(level), size(level)]


def inputs(kind):
    return {"mixed": 7, "mixed8": 8}.get(kind, 3)


def numel(dims):
    n = 1
    for d in dims:
        n *= d
    return n


def load(path):
    rows = defaultdict(dict)  # (class, params without device...) -> {method: seconds}
    for r in json.load(open(path)):
        cls, method = r["benchmark"].rsplit(".", 2)[-2:]
        params = r.get("params", {})
        pm = r["primaryMetric"]
        sec = pm["score"] * UNIT[pm["scoreUnit"]]
        rows[(cls, tuple(sorted(params.items())))][method] = (sec,)
    return rows


def get(rows, cls, method, **params):
    key = (cls, tuple(sorted((k, str(v)) for k, v in params.items())))
    v = rows.get(key, {}).get(method)
    return v[0] if v else None


def us(sec):
    return "–" if sec is None else f"{sec * 1e6:,.1f}"


def rate(num, sec, scale=1e9):
    return "–" if sec is None else f"{num / sec / scale:.2f}"


def devices(rows):
    return sorted({dict(k[1]).get("device") for k in rows if dict(k[1]).get("device")})


def weighted_sum(rows, dev, out):
    out.append(f"### Weighted sum vs copy bandwidth ({dev}, F32, batch 2, crop 321)\n")
    out.append("GB/s = counted bytes / time (see the counts above). Fraction = weighted-sum forward GB/s over the "
               "best copy GB/s of the same bytes (engine copy, System.arraycopy on 1 thread, or split on the pool).\n")
    out.append("| sum | level | one input | K | fwd µs | fwd GB/s | bwd µs | bwd GB/s | bwd(arch) µs | bwd(arch) GB/s "
               "| engine copy GB/s | engine add GB/s | arraycopy GB/s | arraycopy ×pool GB/s | fwd / best copy |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for kind in ("mixed", "mixed8", "node"):
        for level in range(4):
            k, s = inputs(kind), numel(sum_dims(kind, level))
            fwd_b, bwd_b = (k + 1) * s * 4, (2 * k + 1) * s * 4
            p = dict(kind=kind, level=level, device=dev)
            f = get(rows, "WeightedSumBench", "forward", **p)
            b = get(rows, "WeightedSumBench", "backward", **p)
            a = get(rows, "WeightedSumBench", "backwardArch", **p)
            cp = get(rows, "CopyBench", "copy", **p)
            ad = get(rows, "CopyBench", "add", **p)
            ac = get(rows, "ArrayCopyBench", "arraycopy", kind=kind, level=level) if dev == "cpu" else None
            ap = get(rows, "ArrayCopyBench", "arraycopyPar", kind=kind, level=level) if dev == "cpu" else None
            if all(v is None for v in (f, b, a, cp, ad, ac, ap)):
                continue
            copies = [fwd_b / t for t in (cp, ac, ap) if t]
            frac = "–" if f is None or not copies else f"{fwd_b / f / max(copies):.2f}"
            dims = "×".join(map(str, sum_dims(kind, level)))
            out.append(f"| {kind} | {level} | {dims} | {k} | {us(f)} | {rate(fwd_b, f)} | {us(b)} | {rate(bwd_b, b)} | "
                       f"{us(a)} | {rate(fwd_b, a)} | {rate(fwd_b, cp)} | {rate(fwd_b, ad)} | {rate(fwd_b, ac)} | "
                       f"{rate(fwd_b, ap)} | {frac} |")
    out.append("")
    if dev != "cpu" or not any(k[0] == "PlainWeightedSumBench" for k in rows):
        return
    out.append("Control: the forward's loop on plain float[] arrays, one thread, no engine (PlainWeightedSumBench; "
               "GB/s with the forward's byte count):\n")
    out.append("| sum | level | engine fwd GB/s | plain chunked GB/s | plain chunked, own offsets GB/s | plain per-element GB/s "
               "| plain chunked / best copy |")
    out.append("|---|---|---|---|---|---|---|")
    for kind in ("mixed", "node"):
        for level in range(4):
            k, s = inputs(kind), numel(sum_dims(kind, level))
            fwd_b = (k + 1) * s * 4
            p = dict(kind=kind, level=level)
            f = get(rows, "WeightedSumBench", "forward", device=dev, **p)
            c = get(rows, "PlainWeightedSumBench", "chunked", **p)
            co = get(rows, "PlainWeightedSumBench", "chunkedOffsets", **p)
            pe = get(rows, "PlainWeightedSumBench", "perElement", **p)
            if c is None and co is None and pe is None:
                continue
            copies = [fwd_b / t for t in (get(rows, "CopyBench", "copy", device=dev, **p),
                                          get(rows, "ArrayCopyBench", "arraycopy", **p),
                                          get(rows, "ArrayCopyBench", "arraycopyPar", **p)) if t]
            frac = "–" if c is None or not copies else f"{fwd_b / c / max(copies):.2f}"
            out.append(f"| {kind} | {level} | {rate(fwd_b, f)} | {rate(fwd_b, c)} | {rate(fwd_b, co)} | {rate(fwd_b, pe)} | {frac} |")
    out.append("")


def conv(rows, dev, out):
    for crop in (64, CROP):
        if not any(k[0] == "ConvBench" and dict(k[1]).get("device") == dev and int(dict(k[1]).get("crop", CROP)) == crop for k in rows):
            continue
        out.append(f"### Convolutions of the search ({dev}, F32, batch 2, crop {crop}, autograd conv2d)\n")
        out.append("| op | level | x | fwd µs | fwd GFLOP/s | fwd+bwd µs | fwd+bwd GFLOP/s |")
        out.append("|---|---|---|---|---|---|---|")
        for level in range(4):
            for op, (k, dw) in CONV.items():
                c, h = F << level, size(level, crop)
                flops = 2.0 * k * k * (1 if dw else c) * c * h * h * BATCH
                p = dict(op=op, level=level, device=dev, crop=crop)
                f = get(rows, "ConvBench", "forward", **p)
                fb = get(rows, "ConvBench", "forwardBackward", **p)
                if f is None and fb is None:
                    continue
                out.append(f"| {op} | {level} | 2×{c}×{h}×{h} | {us(f)} | {rate(flops, f)} | {us(fb)} | {rate(3 * flops, fb)} |")
        out.append("")


def resize(rows, dev, out):
    cases = {"up1to0": (BLOCKS * (F << 1), size(1), size(0)), "up2to1": (BLOCKS * (F << 2), size(2), size(1)),
             "up3to2": (BLOCKS * (F << 3), size(3), size(2)), "down0to2": (BLOCKS * F, size(0), size(2)),
             "head": (19, size(0), CROP)}
    if not any(k[0] == "ResizeBench" and dict(k[1]).get("device") == dev for k in rows):
        return
    out.append(f"### Bilinear resize, align_corners = false ({dev}, F32, batch 2)\n")
    out.append("| case | x → y | fwd µs | bwd µs |")
    out.append("|---|---|---|---|")
    for name, (c, hi, ho) in cases.items():
        p = dict(resize=name, device=dev)
        f, b = get(rows, "ResizeBench", "forward", **p), get(rows, "ResizeBench", "backward", **p)
        if f is None and b is None:
            continue
        out.append(f"| {name} | 2×{c}×{hi}×{hi} → 2×{c}×{ho}×{ho} | {us(f)} | {us(b)} |")
    out.append("")


def cell(rows, dev, out):
    found = [(dict(k[1]), m) for k, m in rows.items() if k[0] == "SearchCellBench" and dict(k[1]).get("device") == dev]
    if not found:
        return
    out.append(f"### One search cell, level 0, F = 8, 20 MixedOps ({dev}, F32, batch 2)\n")
    out.append("| crop | forward ms | forward + backward ms |")
    out.append("|---|---|---|")
    for params, m in sorted(found, key=lambda x: int(x[0]["crop"])):
        f, fb = m.get("forward"), m.get("forwardBackward")
        ms = lambda v: "–" if v is None else f"{v[0] * 1e3:,.1f}"
        out.append(f"| {params['crop']} | {ms(f)} | {ms(fb)} |")
    out.append("")


SMALL_OPS = ["relu", "reluBackward", "add", "batchNorm", "batchNormBackward", "maxPool", "maxPoolBackward", "avgPool", "avgPoolBackward"]


def small_ops(rows, dev, out):
    found = {int(dict(k[1])["level"]): m for k, m in rows.items() if k[0] == "SmallOpsBench" and dict(k[1]).get("device") == dev}
    if not found:
        return
    out.append(f"### Small ops of a MixedOp at the CPU search size: crop 64, batch 2, F = 8 ({dev}, F32)\n")
    out.append("Level v: [2, 8·2^v, 16/2^v, 16/2^v]. µs per call.\n")
    levels = sorted(found)
    out.append("| op | " + " | ".join(f"level {v}" for v in levels) + " |")
    out.append("|---|" + "---|" * len(levels))
    for op in SMALL_OPS:
        cells = []
        for v in levels:
            r = found[v].get(op)
            cells.append("–" if r is None else us(r[0]))
        out.append(f"| {op} | " + " | ".join(cells) + " |")
    out.append("")


def main():
    rows = load(sys.argv[1])
    out = []
    for dev in devices(rows) or ["cpu"]:
        weighted_sum(rows, dev, out)
        conv(rows, dev, out)
        resize(rows, dev, out)
        cell(rows, dev, out)
        small_ops(rows, dev, out)
    print("\n".join(out))


if __name__ == "__main__":
    main()
