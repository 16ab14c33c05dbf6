#!/usr/bin/env python3
"""Training-step throughput of FaceStream's SMALL embedding network in PyTorch (CPU).

Reads the architecture that TrainStepBench --describe prints (conv/ReLU stack, optional BN, dense, BN, L2 norm), builds
the same network, and times training steps with a batch-hard triplet loss on one fixed random batch of
identity pairs (rows 2i and 2i+1 share an identity). Prints one RESULT line like TrainStepBench.

Usage: train_step_torch.py SPEC.json [--batch 96] [--warmup 5] [--steps 20] [--threads 2]
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def build(spec):
    channels, height, width = spec["input"]
    layers = []
    flat = None
    for layer in spec["layers"]:
        kind = layer["type"]
        if kind == "conv":
            k, s = layer["kernel"], layer["stride"]
            layers.append(nn.Conv2d(channels, layer["out"], k, stride=s, padding=k // 2, bias=layer["bias"]))
            if layer.get("relu"):
                layers.append(nn.ReLU(inplace=True))
            channels = layer["out"]
            height, width = -(-height // s), -(-width // s)
        elif kind == "bn":
            layers.append(nn.BatchNorm2d(channels) if flat is None else nn.BatchNorm1d(flat))
            if layer["relu"]:
                layers.append(nn.ReLU(inplace=True))
        elif kind == "dense":
            if flat is None:
                layers.append(nn.Flatten())
                flat = channels * height * width
            layers.append(nn.Linear(flat, layer["out"], bias=layer["bias"]))
            flat = layer["out"]
        elif kind == "l2norm":
            layers.append(L2Norm())
        else:
            raise ValueError(f"unknown layer type {kind!r} in the spec")
    return nn.Sequential(*layers)


class L2Norm(nn.Module):
    def forward(self, x):
        return F.normalize(x, dim=1)


def batch_hard_triplet(embeddings, margin):
    """Mean over anchors of max(0, d(a,p) - min over other identities d(a,n) + margin), squared L2."""
    rows = embeddings.shape[0]
    dist = torch.cdist(embeddings, embeddings).pow(2)
    identity = torch.arange(rows, device=embeddings.device) // 2
    same = identity[:, None] == identity[None, :]
    positive = dist[torch.arange(rows), torch.arange(rows) ^ 1]
    hardest = dist.masked_fill(same, float("inf")).min(dim=1).values
    return F.relu(positive - hardest + margin).mean()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spec")
    parser.add_argument("--batch", type=int, default=96)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(42)
    with open(args.spec) as f:
        spec = json.load(f)
    model = build(spec).train()
    # decoupled weight decay scaled by the learning rate, as DL4J's WeightDecay regularisation
    optimizer = torch.optim.AdamW(model.parameters(), lr=spec["learningRate"], weight_decay=spec["weightDecay"])
    images = (torch.rand(args.batch, *spec["input"]) - 0.5) * 2

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = batch_hard_triplet(model(images), spec["margin"])
        loss.backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    times = []
    cpu_start = time.process_time()
    start = time.perf_counter()
    for _ in range(args.steps):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    times.sort()
    print(f"RESULT torch {torch.__version__} architecture={spec['architecture']} batch={args.batch} "
          f"steps={args.steps} images_per_s={args.steps * args.batch / wall:.1f} "
          f"median_step_ms={1000 * times[len(times) // 2]:.1f} best_images_per_s={args.batch / times[0]:.1f} "
          f"cores_busy={cpu / wall:.2f}")


if __name__ == "__main__":
    main()
