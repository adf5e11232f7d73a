"""Golden values for the optimizers and LR schedules (torch float32 / python floats).

Writes src/test/resources/golden/optim.json:
  a0 [3, 5], b0 [4]             initial parameters
  ga1..ga3, gb1, gb3            fixed gradients per step (b has no gradient at step 2: torch skips it)
  sgd_a1..3, sgd_b1..3          SGD(momentum 0.9, weight_decay 3e-4), lr per step from sgd_lr
  nes_a1..3, nes_b1..3          the same with nesterov=True
  adam_a1..3, adam_b1..3        Adam(betas (0.9, 0.999), eps 1e-8, weight_decay 1e-3), lr 0.05
  cosine_lr [T+1]               CosineAnnealingLR(T_max=T, eta_min) from lr_max, t = 0..T
  poly_lr [T+1]                 LambdaLR with (1 - t/T)^0.9
  warm_poly_lr [T+1]            LambdaLR with linear warm-up factor times the poly factor
Run: /usr/bin/python3 scripts/golden/optim.py
"""
import math

import torch

from common import rand, save

T = 10
SGD_LR = [0.1, 0.05, 0.08]
ADAM_LR = 0.05


def run(make_opt, lrs):
    a = rand(3, 5, seed=1).requires_grad_()
    b = rand(4, seed=2).requires_grad_()
    opt = make_opt([a, b])
    out = {}
    for k in range(1, 4):
        opt.zero_grad(set_to_none=True)
        a.grad = grads["ga%d" % k].clone()
        if "gb%d" % k in grads:
            b.grad = grads["gb%d" % k].clone()
        for group in opt.param_groups:
            group["lr"] = lrs[k - 1]
        opt.step()
        out["a%d" % k] = a.detach().clone()
        out["b%d" % k] = b.detach().clone()
    return out


def lr_sequence(make_sched, base_lr):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = make_sched(opt)
    seq = []
    for _ in range(T + 1):
        seq.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return torch.tensor(seq, dtype=torch.float64)


grads = {
    "ga1": rand(3, 5, seed=11), "ga2": rand(3, 5, seed=12), "ga3": rand(3, 5, seed=13),
    "gb1": rand(4, seed=21), "gb3": rand(4, seed=23),
}

sgd = run(lambda ps: torch.optim.SGD(ps, lr=SGD_LR[0], momentum=0.9, weight_decay=3e-4), SGD_LR)
nes = run(lambda ps: torch.optim.SGD(ps, lr=SGD_LR[0], momentum=0.9, weight_decay=3e-4, nesterov=True), SGD_LR)
adam = run(lambda ps: torch.optim.Adam(ps, lr=ADAM_LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-3), [ADAM_LR] * 3)

LR_MAX, LR_MIN, WARM, WARM_START = 0.025, 0.001, 3, 0.1
cosine = lr_sequence(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=T, eta_min=LR_MIN), LR_MAX)
poly = lr_sequence(lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: (1 - t / T) ** 0.9), 0.05)
warm_factor = lambda t: WARM_START + (1 - WARM_START) * min(t, WARM) / WARM
warm_poly = lr_sequence(lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: warm_factor(t) * (1 - t / T) ** 0.9), 0.05)
assert abs(cosine[T] - LR_MIN) < 1e-12 and abs(poly[T]) < 1e-12 and not math.isnan(warm_poly.sum())

tensors = {"a0": rand(3, 5, seed=1), "b0": rand(4, seed=2), **grads}
for prefix, res in (("sgd_", sgd), ("nes_", nes), ("adam_", adam)):
    tensors.update({prefix + k: v for k, v in res.items()})
save("optim",
     {"sgd_lr": SGD_LR, "momentum": 0.9, "sgd_weight_decay": 3e-4,
      "adam_lr": ADAM_LR, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "adam_weight_decay": 1e-3,
      "T": T, "lr_max": LR_MAX, "lr_min": LR_MIN, "poly_base": 0.05, "poly_power": 0.9,
      "warmup_iters": WARM, "warmup_start": WARM_START},
     cosine_lr=cosine, poly_lr=poly, warm_poly_lr=warm_poly, **tensors)
