#!/usr/bin/env python3
"""PyTorch peer of `adl bench search-step`: one first-order Auto-DeepLab search iteration.

The supernet is that of docs/02-search-space.md exactly as adl.nas.SuperNet builds it (module and parameter names
follow the Java state dict: stem.stem0.0.weight, trellis.cell_1_0.edge0.sep_conv_3x3.op.1.weight,
head0.classifier.bias, arch.alpha, ...):
- stem: conv3x3 s2 3->64 -> BN -> ReLU (rate-2 tensor, "layer -1"), conv3x3 64->64 -> BN ->
  ReLU, conv3x3 s2 64->128 -> BN -> ReLU (rate-4 stem node, "layer 0"); BN affine.
- node (l, v) for l = 1..L, v <= min(l, 3); one cell per node (B blocks, C = F*2^v), evaluated
  once per predecessor p in {v-1, v, v+1} with shared MixedOps; H^{l-1}_p preprocessed per
  predecessor, H^{l-2} once per node (node (l-2, v), else the coarsest node of layer l-2).
- preprocessing: ReLU, then same level -> 1x1 -> BN; one level finer -> 3x3 s2 p1 -> BN;
  otherwise bilinear resize (align_corners=False) to the node's size -> 1x1 -> BN. BN
  without affine inside cells (no parameters).
- MixedOp: sum over the computed ops of the op table scripts/search_space.json (the export of
  adl.nas.SearchSpace.PAPER: max/avg pool 3x3 + BN, skip, sep 3x3/5x5, dil 3x3/5x5) weighted by
  softmax(alpha_e) at their columns; 'none' (column 0) is in the softmax but never computed.
- H^l_v = sum_p beta_hat[l-1][p][v-p+1] * cell(H^{l-1}_p, H^{l-2}); beta_hat = softmax over
  each node's valid outgoing edges (invalid slots get -1e9 before the softmax, as the Java).
- heads on H^L_v: 1x1, 3x3 dilation 96/rate, image pooling (each conv -> BN -> ReLU, B*C
  filters), concat -> 1x1 conv with bias; bilinear to the input size and summed; pixel
  cross-entropy with ignore_index 255.

One timed iteration = architecture step (loss on batch B, gradients for alpha and beta only,
Adam lr 3e-3 betas (0.9, 0.999) weight decay 1e-3) then weight step (loss on batch A,
gradients for the weights only, SGD lr 0.025 momentum 0.9 weight decay 3e-4); the search loop
(docs/03-bilevel.md §1) runs the two steps the other way round, which does not change the time of an
iteration. Gradients are
taken with torch.autograd.grad(loss, params) with the other group frozen
(requires_grad_(False)) for the step: only what leads to those params is computed or saved
(the Java engine's Frozen.of + Autograd.backward(loss, params) do the same). Random F32 NCHW data,
labels uniform in 0..18. Median wall time over --iters after --warmup; the last line is
`search-step: median_ms=... peak_rss_mb=...` (plus ` peak_device_mb=...` on CUDA).

Runs with torch 1.13 (Debian's python3-torch, /usr/bin/python3) and torch 2.x:
    /usr/bin/python3 scripts/search_step_torch.py --threads 2
"""
import argparse
import json
import os
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

LEVELS = 4
DIRECTIONS = 3
RATE2_CHANNELS, RATE4_CHANNELS = 64, 128
CLASSES = 19
IGNORE_LABEL = 255
MASKED = -1e9
# The candidate ops in alpha column order, as the Java table adl.nas.SearchSpace.PAPER exports them.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "search_space.json")) as _f:
    OPS = json.load(_f)["ops"]
COMPUTED = [op for op in OPS if not op["zero"]]
FIRST_COMPUTED = OPS.index(COMPUTED[0])
BN_EPS, BN_MOMENTUM = 1e-5, 0.1


def ceil_half(n):
    return (n + 1) // 2


def level_sizes(h, w):
    """sizes[v] = (height, width) of level v (rate 4*2^v): ceil halving at every stride 2."""
    y, x = ceil_half(ceil_half(h)), ceil_half(ceil_half(w))
    out = []
    for _ in range(LEVELS):
        out.append((y, x))
        y, x = ceil_half(y), ceil_half(x)
    return out


def exists(layers, layer, level):
    """Node (layer, level) exists for 0 <= layer <= L and 0 <= level <= min(layer, 3)."""
    return 0 <= layer <= layers and 0 <= level <= min(layer, LEVELS - 1)


def valid(layers, layer, level, d):
    """beta[layer][level][d] is a real edge: d = 0 finer, 1 same, 2 coarser."""
    return layer < layers and exists(layers, layer, level) and exists(layers, layer + 1, level + d - 1)


def channels(layer, level, blocks, f):
    """Width of node (layer, level): 64 for the rate-2 stem tensor, 128 for the stem node, else B*F*2^v."""
    if layer < 0:
        return RATE2_CHANNELS
    if layer == 0:
        return RATE4_CHANNELS
    return blocks * (f << level)


def bn(c, affine):
    return nn.BatchNorm2d(c, eps=BN_EPS, momentum=BN_MOMENTUM, affine=affine)


def conv(cin, cout, k, stride=1, padding=0, dilation=1, groups=1, bias=False):
    return nn.Conv2d(cin, cout, k, stride=stride, padding=padding, dilation=dilation, groups=groups, bias=bias)


class Stem(nn.Module):
    """x [N, 3, H, W] -> (rate-2 [N, 64, ceil(H/2), ..], rate-4 [N, 128, ceil(ceil(H/2)/2), ..])."""

    def __init__(self):
        super().__init__()
        self.stem0 = nn.Sequential(conv(3, RATE2_CHANNELS, 3, 2, 1), bn(RATE2_CHANNELS, True), nn.ReLU())
        self.stem1 = nn.Sequential(conv(RATE2_CHANNELS, RATE2_CHANNELS, 3, 1, 1), bn(RATE2_CHANNELS, True), nn.ReLU())
        self.stem2 = nn.Sequential(conv(RATE2_CHANNELS, RATE4_CHANNELS, 3, 2, 1), bn(RATE4_CHANNELS, True), nn.ReLU())

    def forward(self, x):
        rate2 = self.stem0(x)
        return rate2, self.stem2(self.stem1(rate2))


class SepConv(nn.Module):
    """[ReLU -> depthwise kxk (pad k/2) -> pointwise 1x1 -> BN] x 2, no conv bias."""

    def __init__(self, c, k, affine=False):
        super().__init__()
        p = k // 2
        self.op = nn.Sequential(
            nn.ReLU(), conv(c, c, k, 1, p, 1, c), conv(c, c, 1), bn(c, affine),
            nn.ReLU(), conv(c, c, k, 1, p, 1, c), conv(c, c, 1), bn(c, affine))

    def forward(self, x):
        return self.op(x)


class DilConv(nn.Module):
    """ReLU -> depthwise kxk dilation 2 (pad 2*(k/2)) -> pointwise 1x1 -> BN, no conv bias."""

    def __init__(self, c, k, affine=False):
        super().__init__()
        self.op = nn.Sequential(nn.ReLU(), conv(c, c, k, 1, 2 * (k // 2), 2, c), conv(c, c, 1), bn(c, affine))

    def forward(self, x):
        return self.op(x)


def search_branch(op, c):
    """The MixedOp branch of one table entry (adl.nas.Primitive.searchBranch); None for the identity."""
    k, family = op["kernel"], op["family"]
    if family == "identity":
        return None
    if family == "max_pool":
        return nn.Sequential(nn.MaxPool2d(k, 1, k // 2), bn(c, False))
    if family == "avg_pool":
        return nn.Sequential(nn.AvgPool2d(k, 1, k // 2, count_include_pad=False), bn(c, False))
    if family == "sep_conv":
        return SepConv(c, k)
    if family == "dil_conv":
        return DilConv(c, k)
    raise ValueError(f"search_space.json: op {op['name']} has the unknown family {family}")


class MixedOp(nn.Module):
    """sum_k w[k] * op_k(x) over the computed ops of search_space.json, in alpha column order ('none' is never computed)."""

    def __init__(self, c):
        super().__init__()
        self.ops = []
        for op in COMPUTED:
            branch = search_branch(op, c)
            if branch is not None:
                setattr(self, op["name"], branch)  # the Java state-dict key
            self.ops.append(branch)  # None = skip_connect (identity)

    def forward(self, x, w):
        out = None
        for k, op in enumerate(self.ops):
            y = w[k] * (x if op is None else op(x))
            out = y if out is None else out + y
        return out


class Preprocess(nn.Module):
    """ReLU, then same level: 1x1 -> BN; one level finer: 3x3 s2 p1 -> BN; else bilinear resize -> 1x1 -> BN."""

    def __init__(self, cin, from_level, to_level, c):
        super().__init__()
        self.kind = "same" if from_level == to_level else "stride2" if from_level == to_level - 1 else "resize"
        self.conv = conv(cin, c, 3, 2, 1) if self.kind == "stride2" else conv(cin, c, 1)
        self.bn = bn(c, False)

    def forward(self, x, size):
        y = F.relu(x)
        if self.kind == "resize" and tuple(y.shape[2:]) != tuple(size):
            y = F.interpolate(y, size=size, mode="bilinear", align_corners=False)
        y = self.bn(self.conv(y))
        if tuple(y.shape[2:]) != tuple(size):
            raise RuntimeError(f"preprocessing gave {tuple(y.shape)}, the node is {size}")
        return y


def edge_index(block, state):
    return block * (block + 3) // 2 + state


class SearchCell(nn.Module):
    """States 0 = pre(H^{l-1}_p), 1 = pre(H^{l-2}), 2+k = block k; block i sums MixedOps over states 0..i+1."""

    def __init__(self, blocks, level, c, prev1_inputs, prev2_level, prev2_channels):
        super().__init__()
        self.blocks = blocks
        for u in sorted(prev1_inputs):
            self.add_module(f"pre_prev_level{u}", Preprocess(prev1_inputs[u], u, level, c))
        self.pre_prev2 = Preprocess(prev2_channels, prev2_level, level, c)
        self.edges = []
        for e in range(blocks * (blocks + 3) // 2):
            m = MixedOp(c)
            self.add_module(f"edge{e}", m)
            self.edges.append(m)

    def forward(self, from_level, h1, s1, edge_weights):
        states = [getattr(self, f"pre_prev_level{from_level}")(h1, tuple(s1.shape[2:])), s1]
        for b in range(self.blocks):
            s = None
            for j in range(2 + b):
                e = edge_index(b, j)
                y = self.edges[e](states[j], edge_weights[e])
                s = y if s is None else s + y
            states.append(s)
        return torch.cat(states[2:], dim=1)


class Trellis(nn.Module):
    """The nodes of layers 1..L as data: (layer, level, predecessors, H^{l-2} source, cell)."""

    def __init__(self, layers, blocks, f):
        super().__init__()
        self.nodes = []
        for l in range(1, layers + 1):
            for v in range(LEVELS):
                if not exists(layers, l, v):
                    continue
                preds = {u: channels(l - 1, u, blocks, f)
                         for u in (v - 1, v, v + 1) if u >= 0 and valid(layers, l - 1, u, v - u + 1)}
                p2_layer = l - 2
                p2_level = -1 if p2_layer < 0 else v if exists(layers, p2_layer, v) else min(p2_layer, LEVELS - 1)
                cell = SearchCell(blocks, v, f << v, preds, p2_level, channels(p2_layer, p2_level, blocks, f))
                self.add_module(f"cell_{l}_{v}", cell)
                self.nodes.append((l, v, sorted(preds), p2_layer, p2_level, cell))

    def forward(self, rate2, stem, sizes, edge_weights, beta_hat):
        h = {(-1, -1): rate2, (0, 0): stem}
        for l, v, preds, p2_layer, p2_level, cell in self.nodes:
            s1 = cell.pre_prev2(h[(p2_layer, p2_level)], sizes[v])
            out = None
            for u in preds:
                y = beta_hat[l - 1, u, v - u + 1] * cell(u, h[(l - 1, u)], s1, edge_weights)
                out = y if out is None else out + y
            h[(l, v)] = out
        return h


class SearchHead(nn.Module):
    """x [N, W, h, w] -> [N, classes, h, w]: (1x1 | 3x3 dil 96/rate | image pooling) -> concat -> 1x1 + bias."""

    def __init__(self, width, level, classes):
        super().__init__()
        dilation = 96 // (4 << level)
        self.conv1x1 = nn.Sequential(conv(width, width, 1), bn(width, True), nn.ReLU())
        self.atrous = nn.Sequential(conv(width, width, 3, 1, dilation, dilation), bn(width, True), nn.ReLU())
        self.pooling = nn.Sequential(conv(width, width, 1), bn(width, True), nn.ReLU())
        self.classifier = conv(3 * width, classes, 1, bias=True)

    def forward(self, x):
        image = self.pooling(x.mean(dim=(2, 3), keepdim=True)).expand(-1, -1, x.shape[2], x.shape[3])
        return self.classifier(torch.cat([self.conv1x1(x), self.atrous(x), image], dim=1))


class ArchParameters(nn.Module):
    """alpha [E, K] ~ 1e-3 N(0, 1) (K = len(OPS)); beta [L, 4, 3] ~ 1e-3 N(0, 1) on valid slots, 0 elsewhere (masked)."""

    def __init__(self, edges, layers):
        super().__init__()
        self.alpha = nn.Parameter(1e-3 * torch.randn(edges, len(OPS)))
        b = 1e-3 * torch.randn(layers, LEVELS, DIRECTIONS)
        mask = torch.zeros(layers, LEVELS, DIRECTIONS)
        for l in range(layers):
            for u in range(LEVELS):
                for d in range(DIRECTIONS):
                    if not valid(layers, l, u, d):
                        b[l, u, d] = 0
                        mask[l, u, d] = MASKED
        self.beta = nn.Parameter(b)
        self.register_buffer("beta_mask", mask, persistent=False)

    def edge_weights(self):
        return F.softmax(self.alpha, dim=1)[:, FIRST_COMPUTED:]

    def beta_hat(self):
        return F.softmax(self.beta + self.beta_mask, dim=2)


class SuperNet(nn.Module):
    def __init__(self, layers, blocks, f, classes):
        super().__init__()
        self.layers = layers
        self.stem = Stem()
        self.trellis = Trellis(layers, blocks, f)
        self.heads = []
        for v in range(LEVELS):
            if exists(layers, layers, v):
                head = SearchHead(blocks * (f << v), v, classes)
                self.add_module(f"head{v}", head)
                self.heads.append(head)
        self.arch = ArchParameters(blocks * (blocks + 3) // 2, layers)
        self.head_input_shapes = None

    def forward(self, x):
        rate2, stem = self.stem(x)
        h = self.trellis(rate2, stem, level_sizes(x.shape[2], x.shape[3]),
                         self.arch.edge_weights(), self.arch.beta_hat())
        inputs = [h[(self.layers, v)] for v in range(len(self.heads))]
        self.head_input_shapes = [tuple(t.shape) for t in inputs]
        out = None
        for head, t in zip(self.heads, inputs):
            y = F.interpolate(head(t), size=(x.shape[2], x.shape[3]), mode="bilinear", align_corners=False)
            out = y if out is None else out + y
        return out

    def loss(self, x, labels):
        return F.cross_entropy(self(x), labels, ignore_index=IGNORE_LABEL)

    def weight_parameters(self):
        return [p for n, p in self.named_parameters() if not n.startswith("arch.")]

    def arch_parameters(self):
        return [self.arch.alpha, self.arch.beta]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--crop", type=int, default=64)
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--filter-multiplier", type=int, default=8)
    p.add_argument("--layers", type=int, default=12)
    p.add_argument("--blocks", type=int, default=5)
    p.add_argument("--iters", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args()


def main():
    a = parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    dev = torch.device(a.device)
    if dev.type == "cuda":
        # FP32 against FP32: the engine's cuDNN/cuBLAS calls never use TF32 (CUDNN_FMA_MATH,
        # cuBLAS default math), so PyTorch must not either (docs/05c-kernels.md §3)
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
    net = SuperNet(a.layers, a.blocks, a.filter_multiplier, CLASSES).to(dev).train()
    weights, arch = net.weight_parameters(), net.arch_parameters()
    adam = torch.optim.Adam(arch, lr=3e-3, betas=(0.9, 0.999), weight_decay=1e-3)
    sgd = torch.optim.SGD(weights, lr=0.025, momentum=0.9, weight_decay=3e-4)

    def batch():
        x = torch.randn(a.batch, 3, a.crop, a.crop, device=dev)
        y = torch.randint(0, CLASSES, (a.batch, a.crop, a.crop), device=dev)
        return x, y

    xa, ya = batch()  # the weights' half
    xb, yb = batch()  # the architecture's half

    def step(x, y, params, frozen, opt):
        # the other group is frozen for the step, as the Java engine does (Frozen.of): autograd
        # records and saves nothing on its behalf
        for p in frozen:
            p.requires_grad_(False)
        try:
            loss = net.loss(x, y)
            for p, g in zip(params, torch.autograd.grad(loss, params)):
                p.grad = g
            opt.step()
        finally:
            for p in frozen:
                p.requires_grad_(True)
        return loss

    def iteration():
        step(xb, yb, arch, weights, adam)
        step(xa, ya, weights, arch, sgd)

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    print(f"torch: {torch.__version__}")
    print(f"threads: {torch.get_num_threads()}")
    if dev.type == "cuda":
        print(f"tf32: cudnn={torch.backends.cudnn.allow_tf32} matmul={torch.backends.cuda.matmul.allow_tf32}")
    print(f"device: {a.device}" + (f" ({torch.cuda.get_device_name(dev)})" if dev.type == "cuda" else ""))
    print(f"config: crop={a.crop} batch={a.batch} filter_multiplier={a.filter_multiplier} layers={a.layers} "
          f"blocks={a.blocks} nodes={len(net.trellis.nodes)} classes={CLASSES}")
    print(f"params: weights={sum(p.numel() for p in weights)} arch={sum(p.numel() for p in arch)}")

    with torch.no_grad():
        net(xa)  # records the heads' input shapes
    print("head inputs: " + " ".join(f"level{v}={list(s)}" for v, s in enumerate(net.head_input_shapes)))

    for _ in range(a.warmup):
        iteration()
    times = []
    for _ in range(a.iters):
        sync()
        t0 = time.perf_counter()
        iteration()
        sync()
        times.append((time.perf_counter() - t0) * 1e3)
    print("iteration_ms: " + " ".join(f"{t:.1f}" for t in times))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = f"search-step: median_ms={statistics.median(times):.1f} peak_rss_mb={rss:.1f}"
    if dev.type == "cuda":
        print(f"cuda_reserved_mb: {torch.cuda.memory_reserved(dev) / 2**20:.1f}")
        line += f" peak_device_mb={torch.cuda.max_memory_allocated(dev) / 2**20:.1f}"
    print(line)


if __name__ == "__main__":
    main()
