#!/usr/bin/env python3
"""PIL reference for DecodeBench: decode + bilinear resize + normalise to float32 CHW, one image at a time, on one
core. Usage: decode_pil.py DIR SIZE SECONDS [MEAN SCALE]. Prints
RESULT size=S images=N wall_s=W cpu_s=C images_per_s=R images_per_cpu_s=RC"""
import io
import os
import sys
import time

import numpy as np
from PIL import Image


def main():
    folder, size, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    mean = float(sys.argv[4]) if len(sys.argv) > 4 else 127.5
    scale = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0 / 128.0
    blobs = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".jpg"):
            with open(os.path.join(folder, name), "rb") as f:
                blobs.append(f.read())
    if not blobs:
        raise SystemExit("no .jpg files in " + folder)

    def one(blob):
        img = Image.open(io.BytesIO(blob)).convert("RGB")
        if img.size != (size, size):
            img = img.resize((size, size), Image.BILINEAR)
        hwc = np.asarray(img, dtype=np.float32)
        return ((hwc - mean) * scale).transpose(2, 0, 1).copy()  # CHW, as the trainer's batches hold it

    for blob in blobs[:50]:  # warm-up
        one(blob)
    n = 0
    start, cpu0 = time.perf_counter(), time.process_time()
    while True:
        for blob in blobs:
            one(blob)
            n += 1
        wall = time.perf_counter() - start
        if wall >= seconds:
            break
    cpu = time.process_time() - cpu0
    print("RESULT size=%d images=%d wall_s=%.3f cpu_s=%.3f images_per_s=%.1f images_per_cpu_s=%.1f"
          % (size, n, wall, cpu, n / wall, n / cpu))


if __name__ == "__main__":
    main()
