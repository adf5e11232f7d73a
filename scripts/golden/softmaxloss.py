"""Golden fixtures for softmax / log-softmax, pixel cross-entropy and the weighted sum (float32).

Run: /usr/bin/python3 scripts/golden/softmaxloss.py
Writes softmaxloss_softmax.json, softmaxloss_cross_entropy.json, softmaxloss_weighted_sum.json.
Checked by src/test/java/adl/autograd/SoftmaxLossGoldenTest.java.
"""
import torch
import torch.nn.functional as F

from common import rand, save


def softmax_fixture():
    # dim 1 of an NCHW tensor with odd sizes; a wide range so max-subtraction matters
    x = rand(2, 5, 3, 3, seed=1, lo=-4.0, hi=4.0)
    gy = rand(2, 5, 3, 3, seed=2)
    out = {"x": x, "gy": gy}
    for name, fn in (("softmax", F.softmax), ("log_softmax", F.log_softmax)):
        xr = x.clone().requires_grad_(True)
        y = fn(xr, dim=1)
        y.backward(gy)
        out[name + "_y"] = y
        out[name + "_gx"] = xr.grad
    save("softmaxloss_softmax", {"dim": 1}, **out)


def cross_entropy_fixture():
    n, c, h, w = 2, 5, 3, 7
    logits = rand(n, c, h, w, seed=3, lo=-3.0, hi=3.0).requires_grad_(True)
    g = torch.Generator().manual_seed(4)
    labels = torch.randint(0, c, (n, h, w), generator=g)
    ignored = torch.rand(n, h, w, generator=g) < 0.2
    labels[ignored] = 255
    loss = F.cross_entropy(logits, labels, ignore_index=255, reduction="mean")
    loss.backward()
    save("softmaxloss_cross_entropy", {"ignore_index": 255, "ignored": int(ignored.sum())},
         logits=logits, labels=labels, loss=loss.reshape(1), grad=logits.grad)


def weighted_sum_fixture():
    k = 7
    xs = rand(k, 2, 3, 5, seed=5).requires_grad_(True)
    alpha = rand(k, seed=6).requires_grad_(True)
    w = F.softmax(alpha, dim=0)
    w.retain_grad()
    out = torch.sum(w[:, None, None, None] * xs, dim=0)
    gy = rand(2, 3, 5, seed=7)
    out.backward(gy)
    save("softmaxloss_weighted_sum", {"k": k}, xs=xs, alpha=alpha, w=w, gy=gy, out=out,
         gxs=xs.grad, gw=w.grad, galpha=alpha.grad)


if __name__ == "__main__":
    softmax_fixture()
    cross_entropy_fixture()
    weighted_sum_fixture()
