#!/usr/bin/env python3
"""The retrain network of adl-engine (adl.nas.retrain.FixedNetwork) in PyTorch, as an independent oracle.

Builds the network of docs/06-retrain.md from an architecture.json, a filter multiplier F and a
number of classes, with the same module and parameter names as the Java state dict (stem.conv0.weight,
cells.3.ops.7.dw1.weight, aspp.project.bn.running_var, decoder.fuse1.conv.weight, logits.bias, ...),
loads a safetensors checkpoint BY NAME (strict), runs one input in eval mode and writes the logits
as a safetensors file with the single tensor "logits".

Works with torch 1.13 (Debian's python3-torch, /usr/bin/python3) and torch 2.x; needs no safetensors
package (the format is read and written here: 8-byte little-endian header length, JSON header, raw
little-endian data).

  /usr/bin/python3 scripts/interop/fixed_network_torch.py --arch ARCH.json --filter-multiplier 2 \
      --classes 6 --widths 2,16,16,8,16 --checkpoint MODEL.safetensors --input INPUT.safetensors \
      --out LOGITS.safetensors
"""
import argparse
import json
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {"F32": (torch.float32, 4), "F64": (torch.float64, 8), "I64": (torch.int64, 8), "I32": (torch.int32, 4)}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        dtype, size = DTYPES[meta["dtype"]]
        begin, end = meta["data_offsets"]
        raw = bytearray(data[base + begin:base + end])
        count = (end - begin) // size
        t = torch.frombuffer(raw, dtype=dtype, count=count) if count else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(meta["shape"]).clone()
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    names = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        raw = t.numpy().astype(t.numpy().dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header).encode("utf-8")
    head += b" " * ((8 - len(head) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)


def resize(x, h, w):
    return F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False)


def ceil_half(n):
    return (n + 1) // 2


class ConvBn(nn.Module):
    """conv (no bias) -> BN (affine) -> optional ReLU."""

    def __init__(self, cin, cout, k, eps, stride=1, dilation=1, relu=False):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, dilation * (k // 2), dilation, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=eps)
        self.relu = relu

    def forward(self, x):
        y = self.bn(self.conv(x))
        return F.relu(y) if self.relu else y


class Stem(nn.Module):
    def __init__(self, w2, w4, eps):
        super().__init__()
        self.conv0 = nn.Conv2d(3, w2, 3, 2, 1, bias=False)
        self.bn0 = nn.BatchNorm2d(w2, eps=eps)
        self.conv1 = nn.Conv2d(w2, w2, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(w2, eps=eps)
        self.conv2 = nn.Conv2d(w2, w4, 3, 2, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(w4, eps=eps)

    def forward(self, x):
        rate2 = self.bn1(self.conv1(F.relu(self.bn0(self.conv0(x)))))
        return rate2, self.bn2(self.conv2(F.relu(rate2)))


class Separable(nn.Module):
    def __init__(self, c, k, stride, eps):
        super().__init__()
        self.dw1 = nn.Conv2d(c, c, k, stride, k // 2, groups=c, bias=False)
        self.pw1 = nn.Conv2d(c, c, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c, eps=eps)
        self.dw2 = nn.Conv2d(c, c, k, 1, k // 2, groups=c, bias=False)
        self.pw2 = nn.Conv2d(c, c, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c, eps=eps)

    def forward(self, x):
        y = self.bn1(self.pw1(self.dw1(F.relu(x))))
        return self.bn2(self.pw2(self.dw2(F.relu(y))))


class Atrous(nn.Module):
    """ReLU -> ordinary kxk conv, dilation 2 (stride 1) or resize to ceil(h/2) then dilation 1 (stride 2) -> BN."""

    def __init__(self, c, k, stride, eps):
        super().__init__()
        d = 2 if stride == 1 else 1
        self.stride = stride
        self.conv = nn.Conv2d(c, c, k, 1, d * (k // 2), d, bias=False)
        self.bn = nn.BatchNorm2d(c, eps=eps)

    def forward(self, x):
        y = F.relu(x)
        if self.stride == 2:
            y = resize(y, ceil_half(y.shape[2]), ceil_half(y.shape[3]))
        return self.bn(self.conv(y))


class Pool(nn.Module):
    def __init__(self, c, k, stride, is_max, eps):
        super().__init__()
        self.pool = nn.MaxPool2d(k, stride, k // 2) if is_max else nn.AvgPool2d(k, stride, k // 2, count_include_pad=False)
        self.bn = nn.BatchNorm2d(c, eps=eps)

    def forward(self, x):
        return self.bn(self.pool(x))


class Skip(nn.Module):
    def __init__(self, c, stride, eps):
        super().__init__()
        if stride == 2:
            self.conv = nn.Conv2d(c, c, 1, 2, 0, bias=False)
            self.bn = nn.BatchNorm2d(c, eps=eps)
        self.stride = stride

    def forward(self, x):
        return x if self.stride == 1 else self.bn(self.conv(F.relu(x)))


# The candidate ops by name, as the Java table adl.nas.SearchSpace.PAPER exports them (family + kernel
# say how the retrained network builds each, as adl.nas.retrain.CellOps.create).
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "search_space.json")) as _f:
    OPS = {op["name"]: op for op in json.load(_f)["ops"]}


def make_op(name, c, stride, eps):
    if name not in OPS:
        raise ValueError("unknown op " + name)
    family, k = OPS[name]["family"], OPS[name]["kernel"]
    if family == "sep_conv":
        return Separable(c, k, stride, eps)
    if family == "dil_conv":
        return Atrous(c, k, stride, eps)
    if family in ("max_pool", "avg_pool"):
        return Pool(c, k, stride, family == "max_pool", eps)
    if family == "identity":
        return Skip(c, stride, eps)
    raise ValueError(f"op {name} ({family}) is never part of a decoded cell")


class Cell(nn.Module):
    def __init__(self, edges, c, prev, prev2, stride, eps):
        super().__init__()
        self.edges = edges
        self.pre_prev = ConvBn(prev, c, 1, eps)
        if prev2 != c:
            self.pre_prev2 = ConvBn(prev2, c, 1, eps)
        self.has_pre2 = prev2 != c
        self.ops = nn.ModuleList([make_op(e["op"], c, stride if e["input"] < 2 else 1, eps) for e in edges])

    def forward(self, h1, h2):
        if h2.shape[2:] != h1.shape[2:]:
            h2 = resize(h2, h1.shape[2], h1.shape[3])
        states = [self.pre_prev(F.relu(h1)), self.pre_prev2(F.relu(h2)) if self.has_pre2 else h2]
        for b in range(len(self.edges) // 2):
            states.append(sum(self.ops[k](states[self.edges[k]["input"]]) for k in (2 * b, 2 * b + 1)))
        return torch.cat(states[2:], 1)


class ASPP(nn.Module):
    def __init__(self, cin, a, output_stride, eps):
        super().__init__()
        rates = [r * 8 // output_stride for r in (12, 24, 36)]
        self.conv1x1 = ConvBn(cin, a, 1, eps, relu=True)
        self.atrous0 = ConvBn(cin, a, 3, eps, dilation=rates[0], relu=True)
        self.atrous1 = ConvBn(cin, a, 3, eps, dilation=rates[1], relu=True)
        self.atrous2 = ConvBn(cin, a, 3, eps, dilation=rates[2], relu=True)
        self.pooling = ConvBn(cin, a, 1, eps, relu=True)
        self.project = ConvBn(5 * a, a, 1, eps, relu=True)

    def forward(self, x):
        pooled = self.pooling(x.mean((2, 3), keepdim=True)).expand(-1, -1, x.shape[2], x.shape[3])
        return self.project(torch.cat([self.conv1x1(x), self.atrous0(x), self.atrous1(x), self.atrous2(x), pooled], 1))


class Decoder(nn.Module):
    def __init__(self, low, a, l48, d, eps):
        super().__init__()
        self.low_level = ConvBn(low, l48, 1, eps, relu=True)
        self.fuse0 = ConvBn(a + l48, d, 3, eps, relu=True)
        self.fuse1 = ConvBn(d, d, 3, eps, relu=True)

    def forward(self, low, aspp):
        l = self.low_level(low)
        if aspp.shape[2:] != l.shape[2:]:
            aspp = resize(aspp, l.shape[2], l.shape[3])
        return self.fuse1(self.fuse0(torch.cat([aspp, l], 1)))


class FixedNetwork(nn.Module):
    def __init__(self, arch, f, classes, widths=(64, 128, 256, 48, 256), eps=1e-3):
        super().__init__()
        stem, stem_out, a, l48, d = widths
        self.path = list(arch["path"])
        edges = arch["cell"]
        blocks = len(edges) // 2
        self.stem = Stem(stem, stem_out, eps)
        self.cells = nn.ModuleList()
        level, prev, prev2 = 0, stem_out, stem
        for v in self.path:
            self.cells.append(Cell(edges, f << v, prev, prev2, 2 if v == level + 1 else 1, eps))
            prev2, prev, level = prev, blocks * (f << v), v
        i = 0
        while i < len(self.path) and self.path[i] == 0:
            i += 1
        self.low_cell = i - 1
        low = stem_out if self.low_cell < 0 else blocks * f
        self.aspp = ASPP(prev, a, 4 << self.path[-1], eps)
        self.decoder = Decoder(low, a, l48, d, eps)
        self.logits = nn.Conv2d(d, classes, 1, bias=True)

    def forward(self, x):
        h, w = x.shape[2], x.shape[3]
        sizes, sh, sw = [], ceil_half(ceil_half(h)), ceil_half(ceil_half(w))
        for _ in range(4):
            sizes.append((sh, sw))
            sh, sw = ceil_half(sh), ceil_half(sw)
        prev2, prev = self.stem(x)
        low = prev if self.low_cell < 0 else None
        level = 0
        for i, v in enumerate(self.path):
            h1 = resize(prev, *sizes[v]) if v == level - 1 else prev
            y = self.cells[i](h1, prev2)
            assert tuple(y.shape[2:]) == sizes[v], (i, y.shape, sizes[v])
            if i == self.low_cell:
                low = y
            prev2, prev, level = prev, y, v
        a = self.aspp(F.relu(prev))
        return resize(self.logits(self.decoder(low, a)), h, w)


def from_run(run):
    """(architecture dict, F, classes, widths, checkpoint path) of an adl retrain run directory."""
    import os
    with open(os.path.join(run, "config.json")) as f:
        cfg = json.load(f)
    with open(os.path.join(run, "architecture.json")) as f:
        arch = json.load(f)
    w = cfg["widths"]
    widths = (w["stem"], w["stemOut"], w["aspp"], w["lowLevel"], w["decoder"])
    best = os.path.join(run, "checkpoints", "best.safetensors")
    if not os.path.exists(best):
        names = sorted(n for n in os.listdir(os.path.join(run, "checkpoints")) if n.startswith("ckpt-"))
        best = os.path.join(run, "checkpoints", names[-1])
    return arch, cfg["filter_multiplier"], cfg["classes"], widths, best


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", help="an adl retrain run directory (gives --arch, --filter-multiplier, --classes, --widths, --checkpoint)")
    p.add_argument("--arch")
    p.add_argument("--filter-multiplier", type=int)
    p.add_argument("--classes", type=int)
    p.add_argument("--widths", default="64,128,256,48,256", help="stem,stem_out,aspp,low_level,decoder")
    p.add_argument("--bn-eps", type=float, default=1e-3)
    p.add_argument("--checkpoint")
    p.add_argument("--input", required=True, help="safetensors with 'input' [N, 3, H, W] (and 'logits' from adl predict --save-logits)")
    p.add_argument("--out", help="write the logits here (safetensors, tensor 'logits')")
    p.add_argument("--compare", action="store_true", help="compare with the input file's 'logits'; exit 1 above 1e-4 relative")
    args = p.parse_args()
    if args.run:
        arch, fm, classes, widths, ckpt = from_run(args.run)
    else:
        if not (args.arch and args.filter_multiplier and args.classes and args.checkpoint):
            p.error("give --run, or all of --arch, --filter-multiplier, --classes, --checkpoint")
        with open(args.arch) as f:
            arch = json.load(f)
        fm, classes, ckpt = args.filter_multiplier, args.classes, args.checkpoint
        widths = tuple(int(v) for v in args.widths.split(","))
    torch.manual_seed(0)
    net = FixedNetwork(arch, fm, classes, widths, args.bn_eps).double()
    # a training checkpoint also holds optimizer state ("optimizer.*"): only the model's tensors are loaded, strictly
    state = {k: (v.double() if v.is_floating_point() else v) for k, v in read_safetensors(ckpt).items() if not k.startswith("optimizer.")}
    net.load_state_dict(state, strict=True)
    net.eval()
    tensors = read_safetensors(args.input)
    x = tensors["input"].double()
    with torch.no_grad():
        y = net(x)
    print("torch", torch.__version__, "checkpoint", ckpt, "logits", list(y.shape), "max |logit|", float(y.abs().max()))
    if args.out:
        write_safetensors(args.out, {"logits": y.float()})
    if args.compare:
        java = tensors["logits"].double()
        err = float((java - y).abs().max()) / float(y.abs().max())
        print("max |adl - torch| / max |torch| = %.3g" % err)
        if err > 1e-4:
            print("MISMATCH (tolerance 1e-4)")
            raise SystemExit(1)
        print("OK (tolerance 1e-4)")


if __name__ == "__main__":
    main()
