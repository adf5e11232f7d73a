"""Golden fixtures for conv2d forward and backward (torch.nn.functional.conv2d, float32).

For each variant writes conv_<name>.json with x, w, (b), the output y, a fixed upstream gradient
gy, and the gradients gx, gw, (gb) of sum(y * gy). Inputs are multiples of 1/64. Run: /usr/bin/python3 scripts/golden/conv.py
"""
import torch
import torch.nn.functional as F

from common import rand, save

# name: (N, Cin, Cout, H, W, k, stride, pad, dilation, groups, bias)
VARIANTS = {
    "plain3x3": (2, 2, 3, 4, 5, 3, 1, 1, 1, 1, False),
    "stride2_pad1": (2, 2, 3, 5, 6, 3, 2, 1, 1, 1, False),
    "dilation2": (2, 2, 3, 5, 5, 3, 1, 2, 2, 1, False),
    "groups2": (2, 4, 4, 4, 4, 3, 1, 1, 1, 2, False),
    "depthwise3x3": (2, 3, 3, 4, 5, 3, 1, 1, 1, 3, False),
    "depthwise5x5": (2, 2, 2, 5, 5, 5, 1, 2, 1, 2, False),
    "depthwise3x3_dil2": (2, 2, 2, 5, 6, 3, 1, 2, 2, 2, False),
    "depthwise5x5_dil2": (2, 2, 2, 6, 5, 5, 1, 4, 2, 2, False),
    "depthwise3x3_stride2": (2, 2, 2, 5, 6, 3, 2, 1, 1, 2, False),
    "pointwise1x1": (2, 3, 4, 3, 4, 1, 1, 0, 1, 1, False),
    "stride2_odd_7x9": (2, 2, 2, 7, 9, 3, 2, 1, 1, 1, False),
    "plain3x3_bias": (2, 2, 3, 4, 4, 3, 1, 1, 1, 1, True),
}


def q(t):
    """Rounds to multiples of 1/64: exact in float32 and short in the JSON (inputs only)."""
    return torch.round(t * 64) / 64


def main():
    for i, (name, (n, cin, cout, h, w, k, s, p, d, g, bias)) in enumerate(VARIANTS.items()):
        x = q(rand(n, cin, h, w, seed=100 + i)).requires_grad_()
        wt = q(rand(cout, cin // g, k, k, seed=200 + i)).requires_grad_()
        b = q(rand(cout, seed=300 + i)).requires_grad_() if bias else None
        y = F.conv2d(x, wt, b, stride=s, padding=p, dilation=d, groups=g)
        gy = q(rand(*y.shape, seed=400 + i))
        (y * gy).sum().backward()
        meta = {"stride": s, "padding": p, "dilation": d, "groups": g, "bias": bias}
        tensors = dict(x=x, w=wt, y=y, gy=gy, gx=x.grad, gw=wt.grad)
        if bias:
            tensors.update(b=b, gb=b.grad)
        print(save("conv_" + name, meta, **tensors), tuple(y.shape))


if __name__ == "__main__":
    main()
