"""Shared writer for the golden fixtures that the Java tests compare against.

Each fixture is one JSON file in src/test/resources/golden/<name>.json:
  {"meta": {...}, "tensors": {"x": {"shape": [..], "data": [..]}, ...}}
Values are written with repr() precision (float64) so the Java side sees exactly what PyTorch
computed. Run the generators with Debian's python3-torch: /usr/bin/python3 scripts/golden/<family>.py
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "golden")


def save(name, meta=None, **tensors):
    os.makedirs(OUT, exist_ok=True)
    doc = {"meta": meta or {}, "generator": "torch " + torch.__version__, "tensors": {}}
    for key, t in tensors.items():
        t = t.detach().to(torch.float64) if t.is_floating_point() else t.detach().to(torch.int64)
        doc["tensors"][key] = {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}
    path = os.path.join(OUT, name + ".json")
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    return path


def rand(*shape, seed, lo=-1.0, hi=1.0):
    """Float32 uniform values in [lo, hi) from a seeded generator (never all zeros)."""
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(*shape, generator=g, dtype=torch.float32) * (hi - lo) + lo)
