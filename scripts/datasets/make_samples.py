"""Tiny SYNTHETIC samples of each real dataset format, for the reader tests and `datasets check` demos.

Not real data: flat-coloured rectangles on gradients, written in exactly the file formats and
folder layouts the datasets' authors publish (RGB PNG, JPEG, grey PNG, VOC palette "P" PNG), with
the label values that exercise each mapping. Run from the repository root with Debian's Python
(it has Pillow):   /usr/bin/python3 scripts/datasets/make_samples.py
Writes src/test/resources/datasets/{cityscapes,voc,ade20k,folder}/ (deterministic; committed).

Label contents the tests rely on (x, y = column, row; all images of a format share its layout):
  cityscapes 64x128 (HxW) labelIds: rows 0-15 sky (23 -> train id 10), rows 16-31 building (11 -> 2),
      rows 32-63 road (7 -> 0); car box x 40-71, y 36-51 (26 -> 13); bicycle x 90-99, y 40-55 (33 -> 18);
      column strip x 0-3 unlabeled (0 -> 255); bottom rows 60-63 ego vehicle (1 -> 255).
      aachen_000001_000019 also has its *_gtFine_labelTrainIds.png (the reader prefers it).
  voc SegmentationClass (palette PNG, VOC colour map): background 0, person 15 box x 20-39, y 10-39
      with a 2-pixel border of 255 around it, aeroplane 1 box x 50-69, y 20-29; sizes differ per image.
      SegmentationClassAug (grey PNG): the same boxes, no border; 2008_000002 is only in train_aug.
  ade20k annotations (grey PNG): 0 (other -> ignore) left quarter, 1 (wall -> 0) the rest,
      150 (flag -> 149) box x 30-39, y 10-19, 13 (person -> 12) box x 50-59, y 30-39.
  folder (classes background, road, car, tree): 0 top half, 1 bottom half, 2 box x 10-19, y 20-29,
      3 box x 30-39, y 5-14, 255 row 0.
"""
import json
import os
import shutil

from PIL import Image

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "datasets")


def grid(w, h, fill):
    return [[fill for _ in range(w)] for _ in range(h)]


def box(lab, x0, y0, x1, y1, v):
    for y in range(y0, y1 + 1):
        for x in range(x0, x1 + 1):
            if 0 <= y < len(lab) and 0 <= x < len(lab[0]):
                lab[y][x] = v


def grey(lab):
    h, w = len(lab), len(lab[0])
    im = Image.new("L", (w, h))
    im.putdata([v for row in lab for v in row])
    return im


def voc_palette():
    pal = []
    for i in range(256):
        r = g = b = 0
        c = i
        for k in range(8):
            r |= ((c >> 0) & 1) << (7 - k)
            g |= ((c >> 1) & 1) << (7 - k)
            b |= ((c >> 2) & 1) << (7 - k)
            c >>= 3
        pal += [r, g, b]
    return pal


def photo(lab, seed, colour_of):
    """An RGB picture: a smooth gradient per class region, so it compresses and varies with seed."""
    h, w = len(lab), len(lab[0])
    im = Image.new("RGB", (w, h))
    px = []
    for y in range(h):
        for x in range(w):
            r, g, b = colour_of(lab[y][x])
            t = (x * 3 + y * 2 + seed * 17) % 40 - 20
            px.append((max(0, min(255, r + t)), max(0, min(255, g + t // 2)), max(0, min(255, b - t // 2))))
    im.putdata(px)
    return im


def colour(v):
    return ((v * 67) % 200 + 30, (v * 131) % 200 + 30, (v * 29) % 200 + 30)


def save(im, path, **kw):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    im.save(path, **kw)


def cityscapes():
    base = os.path.join(ROOT, "cityscapes")
    for split, city, names in [("train", "aachen", ["aachen_000000_000019", "aachen_000001_000019"]),
                               ("val", "frankfurt", ["frankfurt_000000_000294"])]:
        for k, name in enumerate(names):
            lab = grid(128, 64, 7)
            box(lab, 0, 0, 127, 15, 23)
            box(lab, 0, 16, 127, 31, 11)
            box(lab, 40 + 4 * k, 36, 71 + 4 * k, 51, 26)
            box(lab, 90, 40, 99, 55, 33)
            box(lab, 0, 0, 3, 63, 0)
            box(lab, 0, 60, 127, 63, 1)
            d = os.path.join(base, "leftImg8bit", split, city)
            save(photo(lab, k, colour), os.path.join(d, name + "_leftImg8bit.png"), optimize=True)
            g = os.path.join(base, "gtFine", split, city)
            save(grey(lab), os.path.join(g, name + "_gtFine_labelIds.png"), optimize=True)
            if name == "aachen_000001_000019":
                table = {0: 255, 1: 255, 7: 0, 11: 2, 23: 10, 26: 13, 33: 18}
                save(grey([[table[v] for v in row] for row in lab]), os.path.join(g, name + "_gtFine_labelTrainIds.png"), optimize=True)


def voc():
    base = os.path.join(ROOT, "voc", "VOCdevkit", "VOC2012")
    pal = voc_palette()
    sizes = {"2007_000032": (96, 64), "2007_000033": (80, 72), "2007_000039": (96, 56), "2008_000002": (72, 64)}
    for name, (w, h) in sizes.items():
        lab = grid(w, h, 0)
        box(lab, 18, 8, 41, 41, 255)
        box(lab, 20, 10, 39, 39, 15)
        box(lab, 50, 20, 69, 29, 1)
        save(photo(lab, len(name), lambda v: tuple(pal[3 * v:3 * v + 3]) if v != 255 else (200, 200, 200)),
             os.path.join(base, "JPEGImages", name + ".jpg"), quality=80)
        if name != "2008_000002":
            p = grey(lab).convert("L")
            p = Image.frombytes("P", p.size, p.tobytes())
            p.putpalette(pal)
            save(p, os.path.join(base, "SegmentationClass", name + ".png"))
        aug = [[0 if v == 255 else v for v in row] for row in lab]
        box(aug, 20, 10, 39, 39, 15)
        if name != "2007_000039":
            save(grey(aug), os.path.join(base, "SegmentationClassAug", name + ".png"), optimize=True)
    lists = os.path.join(base, "ImageSets", "Segmentation")
    os.makedirs(lists, exist_ok=True)
    for split, names in [("train", ["2007_000032", "2007_000033"]), ("val", ["2007_000039"]),
                         ("trainval", ["2007_000032", "2007_000033", "2007_000039"])]:
        with open(os.path.join(lists, split + ".txt"), "w") as f:
            f.write("".join(n + "\n" for n in names))
    with open(os.path.join(lists, "train_aug.txt"), "w") as f:
        for n in ["2007_000032", "2007_000033", "2008_000002"]:
            f.write("/JPEGImages/%s.jpg /SegmentationClassAug/%s.png\n" % (n, n))


def ade20k():
    base = os.path.join(ROOT, "ade20k", "ADEChallengeData2016")
    for sub, names in [("training", ["ADE_train_00000001", "ADE_train_00000002"]), ("validation", ["ADE_val_00000001"])]:
        for k, name in enumerate(names):
            w, h = 96 - 8 * k, 64
            lab = grid(w, h, 1)
            box(lab, 0, 0, w // 4 - 1, h - 1, 0)
            box(lab, 30, 10, 39, 19, 150)
            box(lab, 50, 30, 59, 39, 13)
            save(photo(lab, k, colour), os.path.join(base, "images", sub, name + ".jpg"), quality=80)
            save(grey(lab), os.path.join(base, "annotations", sub, name + ".png"), optimize=True)


def folder():
    base = os.path.join(ROOT, "folder")
    os.makedirs(base, exist_ok=True)
    with open(os.path.join(base, "classes.json"), "w") as f:
        json.dump({"classes": [{"name": "background", "color": [0, 0, 0]}, {"name": "road", "color": [128, 64, 128]},
                               {"name": "car"}, "tree"]}, f, indent=1)
        f.write("\n")
    for split, files in [("train", ["street_a.png", "street_b.jpg"]), ("val", ["street_c.png"])]:
        for k, fn in enumerate(files):
            lab = grid(48, 32, 0)
            box(lab, 0, 16, 47, 31, 1)
            box(lab, 10, 20, 19, 29, 2)
            box(lab, 30, 5, 39, 14, 3)
            box(lab, 0, 0, 47, 0, 255)
            stem, ext = os.path.splitext(fn)
            kw = {"quality": 85} if ext == ".jpg" else {"optimize": True}
            save(photo(lab, k, colour), os.path.join(base, "images", split, fn), **kw)
            save(grey(lab), os.path.join(base, "labels", split, stem + ".png"), optimize=True)


if __name__ == "__main__":
    shutil.rmtree(ROOT, ignore_errors=True)
    cityscapes()
    voc()
    ade20k()
    folder()
