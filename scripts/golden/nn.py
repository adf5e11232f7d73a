"""Golden values for the nn modules: state_dict names/order/shapes and a small forward pass.

Writes src/test/resources/golden/nn_modules.json:
  meta.keys, meta.shapes     torch state_dict() keys and shapes of MODEL, in order
  sd.<key>                   the state_dict values (deterministic values, loaded by the Java test)
  x [2, 2, 9, 9]             input
  y_train                    MODEL(x) in training mode (batch statistics)
  after.<key>                running_mean / running_var / num_batches_tracked after that forward
  y_eval                     MODEL(x) in eval mode afterwards (running statistics)
Run: /usr/bin/python3 scripts/golden/nn.py
"""
import torch
from torch import nn

from common import rand, save

MODEL = nn.Sequential(
    nn.Conv2d(2, 4, 3, stride=2, padding=1, bias=False),
    nn.BatchNorm2d(4),
    nn.ReLU(),
    nn.MaxPool2d(3, 2, 1),
    nn.Conv2d(4, 3, 1, bias=True),
    nn.BatchNorm2d(3, affine=False),
    nn.AvgPool2d(3, 1, 1, count_include_pad=False),
)

with torch.no_grad():
    for i, (k, v) in enumerate(MODEL.state_dict().items()):
        if k.endswith("num_batches_tracked"):
            continue
        lo, hi = (0.5, 1.5) if k.endswith(("running_var", "1.weight")) else (-0.5, 0.5)
        v.copy_(rand(*v.shape, seed=100 + i, lo=lo, hi=hi))

state = {k: v.clone() for k, v in MODEL.state_dict().items()}
x = rand(2, 2, 9, 9, seed=7)
MODEL.train()
y_train = MODEL(x)
after = {k: v.clone() for k, v in MODEL.state_dict().items() if "running" in k or "num_batches" in k}
MODEL.eval()
y_eval = MODEL(x)

tensors = {"x": x, "y_train": y_train, "y_eval": y_eval}
tensors.update({"sd." + k: v for k, v in state.items()})
tensors.update({"after." + k: v for k, v in after.items()})
save("nn_modules", {"keys": list(state.keys()), "shapes": [list(v.shape) for v in state.values()]}, **tensors)
