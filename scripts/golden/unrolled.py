"""Golden values for the second-order (unrolled) architecture gradient, PyTorch float64.

The unrolled objective of DARTS (docs/03-bilevel.md section 9), on the PyTorch supernet of
scripts/search_step_torch.py (L = 2, B = 2, F = 2, 3 classes, 8x8 input, batch 2, training mode):

    F(alpha, beta) = L_B(w'(alpha, beta), alpha, beta),   w' = w - xi * (mu * buf + grad_w L_A(w, alpha, beta) + wd * w)

Its gradient is taken two ways, both written here from the definition, not from the Java code:
  exact_*   double backward: grad_w L_A with create_graph=True, w' substituted into the network with
            torch.nn.utils.stateless.functional_call, then autograd.grad of L_B w.r.t. alpha, beta
            (the total derivative, through w' as well);
  fd_*      DARTS' approximation: grad_alpha L_B(w') - xi * (grad_alpha L_A(w+) - grad_alpha L_A(w-)) / (2 eps),
            w+- = w +- eps * v, v = grad_w' L_B(w'), eps = 0.01 / ||v||.
Also first_* = grad_alpha L_B(w) (first order) and loss_b_unrolled = L_B(w').

Writes src/test/resources/golden/unrolled.safetensors (read by adl.nas.UnrolledGoldenTest):
  every weight of the state dict under its name (float32 values; BN running statistics at their
  initial values), arch.alpha, arch.beta, "momentum.<name>" (the SGD momentum buffer of every
  weight), x_a, y_a, x_b, y_b (labels int64, some 255), and the results above in float64; the
  metadata holds xi, momentum, weight_decay. Run: /usr/bin/python3 scripts/golden/unrolled.py
"""
import os
import sys

import torch
import torch.nn.functional as F
from torch.nn.utils.stateless import functional_call

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
from search_step_torch import SuperNet, IGNORE_LABEL, MASKED  # noqa: E402
from fixed_network_torch import write_safetensors  # noqa: E402

OUT = os.path.join(HERE, "..", "..", "src", "test", "resources", "golden", "unrolled.safetensors")
LAYERS, BLOCKS, FILTERS, CLASSES, SIZE, BATCH = 2, 2, 2, 3, 8, 2
XI, MOMENTUM, WEIGHT_DECAY, R = 0.1, 0.9, 3e-4, 0.01

torch.set_num_threads(1)
torch.manual_seed(19)
net = SuperNet(LAYERS, BLOCKS, FILTERS, CLASSES).train()  # float32 init, then float64: every value is exact in both
with torch.no_grad():
    valid = net.arch.beta_mask == 0
    net.arch.alpha.copy_(0.5 * torch.randn_like(net.arch.alpha))
    net.arch.beta.copy_(torch.where(valid, 0.5 * torch.randn_like(net.arch.beta), torch.zeros_like(net.arch.beta)))
    state = {k: v.clone() for k, v in net.state_dict().items()}  # before any forward: initial BN statistics
    weights_named = [(n, p) for n, p in net.named_parameters() if not n.startswith("arch.")]
    momentum = {n: 0.1 * torch.randn_like(p) for n, p in weights_named}
x_a, x_b = torch.randn(BATCH, 3, SIZE, SIZE), torch.randn(BATCH, 3, SIZE, SIZE)


def labels():
    y = torch.randint(0, CLASSES, (BATCH, SIZE, SIZE))
    return torch.where(torch.rand(BATCH, SIZE, SIZE) < 0.1, torch.full_like(y, IGNORE_LABEL), y)


y_a, y_b = labels(), labels()

net = net.double()
names = [n for n, _ in weights_named]
weights = [p for n, p in net.named_parameters() if not n.startswith("arch.")]
arch = [net.arch.alpha, net.arch.beta]
xa, xb = x_a.double(), x_b.double()
buf = [momentum[n].double() for n in names]


def loss_at(params, x, y):
    """Pixel cross-entropy of the network with its weights replaced by params (alpha, beta its own)."""
    logits = functional_call(net, dict(zip(names, params)), (x,))
    return F.cross_entropy(logits, y, ignore_index=IGNORE_LABEL)


# exact: double backward through the virtual step
g_a = torch.autograd.grad(loss_at(weights, xa, y_a), weights, create_graph=True)
w_virtual = [w - XI * (MOMENTUM * b + g + WEIGHT_DECAY * w) for w, b, g in zip(weights, buf, g_a)]
exact = torch.autograd.grad(loss_at(w_virtual, xb, y_b), arch)

# DARTS' finite-difference formula
w_prime = [w.detach().clone().requires_grad_(True) for w in w_virtual]
loss_b = loss_at(w_prime, xb, y_b)
grads = torch.autograd.grad(loss_b, arch + w_prime)
direct, v = grads[:2], grads[2:]
eps = R / torch.cat([t.reshape(-1) for t in v]).norm()
w_plus = [w.detach() + eps * t for w, t in zip(weights, v)]
w_minus = [w.detach() - eps * t for w, t in zip(weights, v)]
g_plus = torch.autograd.grad(loss_at(w_plus, xa, y_a), arch)
g_minus = torch.autograd.grad(loss_at(w_minus, xa, y_a), arch)
fd = [d - XI * (p - m) / (2 * eps) for d, p, m in zip(direct, g_plus, g_minus)]

first = torch.autograd.grad(loss_at([w.detach() for w in weights], xb, y_b), arch)

out = {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
for n in names:
    out["momentum." + n] = momentum[n]
out.update({"x_a": x_a, "y_a": y_a, "x_b": x_b, "y_b": y_b,
            "exact_alpha": exact[0], "exact_beta": exact[1], "fd_alpha": fd[0], "fd_beta": fd[1],
            "first_alpha": first[0], "first_beta": first[1],
            "loss_b_unrolled": loss_b.detach().reshape(1), "eps": eps.detach().reshape(1)})
write_safetensors(OUT, out)
term = max((e - f).abs().max().item() for e, f in zip(exact, first))
err = max((e - d).abs().max().item() for e, d in zip(exact, fd))
print(f"wrote {os.path.normpath(OUT)} (torch {torch.__version__}): second-order term {term:.3e}, "
      f"|exact - fd(r = {R})| {err:.3e}, L_B(w') {loss_b.item():.6f}, eps {eps.item():.3e}")
