"""Golden fixtures for batch norm, max/avg pooling and bilinear resize (PyTorch, float32).

Writes src/test/resources/golden/normpool_*.json, read by adl.autograd.NormPoolGoldenTest.
Run: /usr/bin/python3 scripts/golden/normpool.py
"""
import torch
import torch.nn.functional as F

from common import rand, save

torch.set_num_threads(1)


def channel_spread(x):
    """Gives each channel its own scale and offset so per-channel statistics differ."""
    c = x.shape[1]
    scale = torch.linspace(0.5, 2.0, c).view(1, c, 1, 1)
    shift = torch.linspace(-1.0, 1.5, c).view(1, c, 1, 1)
    return x * scale + shift


def batch_norm(name, affine):
    # x: [N, C, H, W] = [2, 3, 2, 3]; two training steps (x1, x2), then eval on x3.
    shape = (2, 3, 2, 3)
    x1, x2, x3 = (channel_spread(rand(*shape, seed=s)) for s in (11, 12, 13))
    gy, gy_eval = rand(*shape, seed=14), rand(*shape, seed=15)
    bn = torch.nn.BatchNorm2d(3, eps=1e-5, momentum=0.1, affine=affine)
    if affine:
        with torch.no_grad():
            bn.weight.copy_(rand(3, seed=16, lo=0.5, hi=1.5))
            bn.bias.copy_(rand(3, seed=17))
    gamma = bn.weight.detach().clone() if affine else None
    beta = bn.bias.detach().clone() if affine else None
    bn.train()
    bn(x1)
    x2g = x2.clone().requires_grad_(True)
    y2 = bn(x2g)
    y2.backward(gy)
    t = dict(x1=x1, x2=x2, gy=gy, y2=y2, gx2=x2g.grad,
             running_mean=bn.running_mean, running_var=bn.running_var)
    if affine:
        t.update(gamma=gamma, beta=beta, ggamma2=bn.weight.grad.clone(), gbeta2=bn.bias.grad.clone())
        bn.weight.grad = None
        bn.bias.grad = None
    bn.eval()
    x3g = x3.clone().requires_grad_(True)
    y3 = bn(x3g)
    y3.backward(gy_eval)
    t.update(x3=x3, gy_eval=gy_eval, y_eval=y3, gx_eval=x3g.grad)
    if affine:
        t.update(ggamma_eval=bn.weight.grad, gbeta_eval=bn.bias.grad)
    save(name, {"momentum": 0.1, "eps": 1e-5, "affine": affine}, **t)


def pool(name, kind, stride, count_include_pad=False):
    # x: [1, 2, 5, 7], kernel 3, padding 1; random floats, so every window max is unique.
    x = rand(1, 2, 5, 7, seed=21).requires_grad_(True)
    if kind == "max":
        y = F.max_pool2d(x, 3, stride=stride, padding=1)
    else:
        y = F.avg_pool2d(x, 3, stride=stride, padding=1, count_include_pad=count_include_pad)
    gy = rand(*y.shape, seed=22)
    y.backward(gy)
    save(name, {"kind": kind, "kernel": 3, "stride": stride, "pad": 1, "count_include_pad": count_include_pad},
         x=x, y=y, gy=gy, gx=x.grad)


def resize(name, align_corners):
    # x: [1, 1, 5, 7] resized to each size in turn; one gy per size.
    x = rand(1, 1, 5, 7, seed=31)
    sizes = [(9, 4), (3, 3), (5, 7), (6, 11), (1, 1)]
    t = {"x": x}
    for h, w in sizes:
        xg = x.clone().requires_grad_(True)
        y = F.interpolate(xg, size=(h, w), mode="bilinear", align_corners=align_corners)
        gy = rand(*y.shape, seed=32 + h * 100 + w)
        y.backward(gy)
        t.update({f"y_{h}x{w}": y, f"gy_{h}x{w}": gy, f"gx_{h}x{w}": xg.grad})
    save(name, {"align_corners": align_corners, "sizes": sizes}, **t)


if __name__ == "__main__":
    batch_norm("normpool_bn_affine", True)
    batch_norm("normpool_bn_noaffine", False)
    for s in (1, 2):
        pool(f"normpool_maxpool_s{s}", "max", s)
        pool(f"normpool_avgpool_s{s}_excl", "avg", s, False)
        pool(f"normpool_avgpool_s{s}_incl", "avg", s, True)
    resize("normpool_resize_ac0", False)
    resize("normpool_resize_ac1", True)
