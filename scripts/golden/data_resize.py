"""Golden fixture for adl.data.Resize: F.interpolate bilinear (align_corners=False) for images and
nearest for labels, to explicit output sizes, including odd down- and up-scaling.

Writes src/test/resources/golden/data_resize.json, read by adl.data.ResizeTest.
Run: /usr/bin/python3 scripts/golden/data_resize.py
"""
import torch
import torch.nn.functional as F

from common import rand, save

torch.set_num_threads(1)

x = rand(1, 3, 5, 7, seed=41)                                   # image: [1, 3, H=5, W=7]
lab = (torch.arange(35, dtype=torch.float32) % 13).view(1, 1, 5, 7)  # label: [1, 1, 5, 7]
out = {"x": x[0], "label": lab[0, 0]}
for oh, ow in [(3, 4), (8, 11), (2, 3), (10, 14)]:
    out["bilinear_%dx%d" % (oh, ow)] = F.interpolate(x, size=(oh, ow), mode="bilinear", align_corners=False)[0]
    out["nearest_%dx%d" % (oh, ow)] = F.interpolate(lab, size=(oh, ow), mode="nearest")[0, 0]
save("data_resize", {"sizes": [[3, 4], [8, 11], [2, 3], [10, 14]]}, **out)
