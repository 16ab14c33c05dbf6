#!/usr/bin/env python3
"""A second synthetic face generator, independent of the Java one (dataset.SyntheticFaces).

It draws faces with PIL from its own identity model (head shape, skin, hair, eyes, brows, nose, mouth, ears,
beard, glasses) and its own per-photo variation (roll, shift, scale, a sideways turn of the inner features,
expression, lighting, colour cast, background, occluders, blur, noise, JPEG quality), and writes them in the
image-folder layout (OUT/<identity>/<n>.jpg) that `--data` and `dataset make-val` read. Training on it checks
that nothing in FaceStream is tuned to the Java generator's faces.

Usage: bench/other_faces.py OUT [--identities 2000] [--images 12] [--size 112] [--seed 11]
Needs: /usr/bin/python3 with PIL and numpy (apt-get install python3-pil python3-numpy).
"""
import argparse
import math
import os
import sys
import time

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


def identity(rng):
    """The parameters that make one person."""
    skin = np.array([rng.uniform(90, 240), rng.uniform(60, 200), rng.uniform(40, 170)])
    skin = np.clip(skin * rng.uniform(0.8, 1.1), 30, 250)
    hair = rng.choice([np.array([20, 15, 10]), np.array([70, 45, 25]), np.array([150, 110, 60]),
                       np.array([200, 180, 120]), np.array([120, 120, 120]), np.array([110, 40, 20])])
    return {
        "face_w": rng.uniform(0.50, 0.66), "face_h": rng.uniform(0.66, 0.84), "jaw": rng.uniform(0.0, 0.5),
        "skin": skin, "hair": hair * rng.uniform(0.8, 1.2), "hair_style": int(rng.integers(0, 5)),
        "hair_len": rng.uniform(0.05, 0.3),
        "eye_y": rng.uniform(0.40, 0.50), "eye_dx": rng.uniform(0.14, 0.22), "eye_r": rng.uniform(0.028, 0.05),
        "iris": np.array([rng.uniform(20, 120), rng.uniform(20, 110), rng.uniform(10, 90)]),
        "brow_dy": rng.uniform(0.05, 0.10), "brow_w": rng.uniform(0.006, 0.02), "brow_tilt": rng.uniform(-0.04, 0.04),
        "nose_len": rng.uniform(0.08, 0.16), "nose_w": rng.uniform(0.04, 0.09),
        "mouth_y": rng.uniform(0.68, 0.77), "mouth_w": rng.uniform(0.10, 0.20), "lip": rng.uniform(0.6, 1.0),
        "ear": rng.uniform(0.04, 0.09), "beard": rng.uniform() < 0.25, "glasses": rng.uniform() < 0.2,
        "mole": (rng.uniform(0.3, 0.7), rng.uniform(0.45, 0.8)) if rng.uniform() < 0.3 else None,
    }


def ellipse(draw, cx, cy, rx, ry, fill, s):
    draw.ellipse([(cx - rx) * s, (cy - ry) * s, (cx + rx) * s, (cy + ry) * s], fill=tuple(int(v) for v in fill))


def photo(p, rng, size):
    """One photo of person p."""
    s = size * 2  # draw at twice the size, then downsample
    bg = rng.uniform(0, 255, 3)
    img = Image.new("RGB", (s, s), tuple(int(v) for v in bg))
    d = ImageDraw.Draw(img)
    # background clutter
    for _ in range(int(rng.integers(0, 4))):
        x, y = rng.uniform(0, 1, 2)
        w, h = rng.uniform(0.1, 0.5, 2)
        d.rectangle([x * s, y * s, (x + w) * s, (y + h) * s], fill=tuple(int(v) for v in rng.uniform(0, 255, 3)))
    turn = rng.normal(0, 0.035)  # sideways turn: inner features shift, the far side narrows
    smile = rng.normal(0, 0.02)
    blink = rng.uniform() < 0.1
    cx, cy = 0.5, 0.52
    skin = p["skin"] * rng.uniform(0.85, 1.15)
    # hair behind the head
    if p["hair_style"] in (1, 3):
        ellipse(d, cx, cy - 0.02, p["face_w"] / 2 + 0.05, p["face_h"] / 2 + p["hair_len"], p["hair"], s)
    # ears
    for side in (-1, 1):
        ellipse(d, cx + side * (p["face_w"] / 2 - 0.01) + turn * 0.3, cy, p["ear"] * 0.6, p["ear"], skin * 0.93, s)
    # head: an ellipse plus a jaw
    ellipse(d, cx + turn * 0.2, cy, p["face_w"] / 2, p["face_h"] / 2, skin, s)
    jaw = p["jaw"] * p["face_w"] / 2
    d.polygon([((cx - p["face_w"] / 2 + 0.02) * s, cy * s), ((cx + p["face_w"] / 2 - 0.02) * s, cy * s),
               ((cx + jaw) * s, (cy + p["face_h"] / 2) * s), ((cx - jaw) * s, (cy + p["face_h"] / 2) * s)],
              fill=tuple(int(v) for v in skin))
    if p["beard"]:
        d.chord([(cx - p["face_w"] / 2 + 0.04) * s, (cy + 0.05) * s, (cx + p["face_w"] / 2 - 0.04) * s,
                 (cy + p["face_h"] / 2 + 0.01) * s], 0, 180, fill=tuple(int(v) for v in p["hair"] * 0.8))
    # hair on top
    top = cy - p["face_h"] / 2
    if p["hair_style"] != 4:
        d.chord([(cx - p["face_w"] / 2 - 0.02) * s, (top - p["hair_len"] * 0.5) * s,
                 (cx + p["face_w"] / 2 + 0.02) * s, (top + p["face_h"] * 0.45) * s], 180, 360,
                fill=tuple(int(v) for v in p["hair"]))
    if p["hair_style"] == 2:  # fringe
        d.rectangle([(cx - p["face_w"] / 3) * s, (top + 0.05) * s, (cx + p["face_w"] / 4) * s, (top + 0.12) * s],
                    fill=tuple(int(v) for v in p["hair"]))
    fx = cx + turn
    # eyes and brows
    ey = cy - 0.5 + p["eye_y"] + 0.02
    for side in (-1, 1):
        ex = fx + side * p["eye_dx"] * (1 - side * turn * 2)
        r = p["eye_r"]
        open_ = 0.15 if blink else rng.uniform(0.6, 1.0)
        ellipse(d, ex, ey, r * 1.5, r * open_, (240, 240, 235), s)
        if not blink:
            ellipse(d, ex + turn * 0.3, ey, r * 0.7, r * 0.7 * open_, p["iris"], s)
            ellipse(d, ex + turn * 0.3, ey, r * 0.3, r * 0.3 * open_, (10, 10, 10), s)
        by = ey - p["brow_dy"] + rng.normal(0, 0.006)
        tilt = p["brow_tilt"] * side
        d.line([((ex - r * 1.8) * s, (by + tilt) * s), ((ex + r * 1.8) * s, (by - tilt) * s)],
               fill=tuple(int(v) for v in p["hair"] * 0.7), width=max(1, int(p["brow_w"] * s)))
        if p["glasses"]:
            d.ellipse([(ex - r * 2.3) * s, (ey - r * 2) * s, (ex + r * 2.3) * s, (ey + r * 2) * s],
                      outline=(30, 30, 30), width=max(1, int(0.008 * s)))
    # nose
    ny = ey + p["nose_len"]
    d.polygon([(fx * s, (ey + 0.02) * s), ((fx - p["nose_w"] / 2) * s, ny * s), ((fx + p["nose_w"] / 2) * s, ny * s)],
              fill=tuple(int(v) for v in skin * 0.85))
    # mouth
    my = cy - 0.5 + p["mouth_y"]
    mw = p["mouth_w"] * (1 + smile * 3)
    curve = 0.02 + smile
    lip = (int(170 * p["lip"]), int(70 * p["lip"]), int(70 * p["lip"]))
    box = [(fx - mw / 2) * s, (my - abs(curve)) * s, (fx + mw / 2) * s, (my + abs(curve) + 0.01) * s]
    d.arc(box, 0 if curve > 0 else 180, 180 if curve > 0 else 360, fill=lip, width=max(1, int(0.012 * s)))
    if p["mole"]:
        ellipse(d, cx - p["face_w"] / 2 + p["mole"][0] * p["face_w"], cy - 0.5 + p["mole"][1], 0.008, 0.008,
                (60, 40, 30), s)
    # occluder (a hand, a microphone, a sticker)
    if rng.uniform() < 0.1:
        x, y = rng.uniform(0.2, 0.8, 2)
        d.rectangle([x * s, y * s, (x + rng.uniform(0.08, 0.2)) * s, (y + rng.uniform(0.08, 0.2)) * s],
                    fill=tuple(int(v) for v in rng.uniform(0, 255, 3)))
    # pose: roll, scale and shift
    img = img.rotate(rng.normal(0, 8), resample=Image.BILINEAR, fillcolor=tuple(int(v) for v in bg))
    scale = rng.uniform(0.88, 1.12)
    shift = rng.normal(0, 0.04, 2) * s
    w = s / scale
    left = (s - w) / 2 - shift[0]
    upper = (s - w) / 2 - shift[1]
    img = img.transform((s, s), Image.EXTENT, (left, upper, left + w, upper + w), resample=Image.BILINEAR,
                        fillcolor=tuple(int(v) for v in bg))
    img = img.resize((size, size), Image.LANCZOS)
    # light: a gradient across the face, a colour cast, contrast; then blur and sensor noise
    a = np.asarray(img).astype(np.float32)
    angle = rng.uniform(0, 2 * math.pi)
    yy, xx = np.mgrid[0:size, 0:size] / size - 0.5
    light = 1 + rng.uniform(0, 0.5) * (np.cos(angle) * xx + np.sin(angle) * yy)
    a = a * light[..., None] * rng.uniform(0.85, 1.15, 3) * rng.uniform(0.7, 1.25)
    a = (a - a.mean()) * rng.uniform(0.75, 1.2) + a.mean()
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    blur = rng.uniform(0, 1.2)
    if blur > 0.3:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    a = np.asarray(img).astype(np.float32) + rng.normal(0, rng.uniform(1, 8), (size, size, 3))
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--identities", type=int, default=2000)
    ap.add_argument("--images", type=int, default=12)
    ap.add_argument("--size", type=int, default=112)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    if os.path.exists(args.out) and os.listdir(args.out):
        sys.exit(f"{args.out} is not empty")
    start = time.time()
    for i in range(args.identities):
        rng = np.random.default_rng([args.seed, i])
        person = identity(rng)
        folder = os.path.join(args.out, f"person{i:06d}")
        os.makedirs(folder, exist_ok=True)
        for n in range(args.images):
            photo(person, rng, args.size).save(os.path.join(folder, f"{n:03d}.jpg"), quality=int(rng.integers(60, 96)))
        if (i + 1) % 100 == 0 or i + 1 == args.identities:
            print(f"\r{i + 1}/{args.identities} identities, {time.time() - start:.0f} s", end="", file=sys.stderr)
    print(file=sys.stderr)


if __name__ == "__main__":
    main()
