#!/usr/bin/env python3
"""Training-step throughput of a FaceStream embedding network in PyTorch (CPU).

Reads the architecture that TrainStepBench --describe prints, builds the same network (torch_mirror.py, which checks
it node by node against DL4J's shapes and parameter counts), and times training steps with a batch-hard triplet loss
on one fixed random batch of identity pairs (rows 2i and 2i+1 share an identity). Prints one RESULT line like
TrainStepBench.

Usage: train_step_torch.py SPEC.json [--batch 96] [--warmup 5] [--warmup-seconds 0] [--steps 20] [--threads 2]
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F

from torch_mirror import build, median, node_params


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
    parser.add_argument("--warmup-seconds", type=float, default=0.0,
                        help="warm up for at least this long too (as the JVM side does)")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(42)
    with open(args.spec) as f:
        spec = json.load(f)
    if spec["loss"] != "TripletLoss":
        raise SystemExit(f"the mirror trains with the triplet loss; the DL4J model's loss is {spec['loss']}")
    model = build(spec).train()
    params = sum(p.numel() for p in model.parameters())
    # decoupled weight decay scaled by the learning rate, as DL4J's WeightDecay regularisation
    optimizer = torch.optim.AdamW(model.parameters(), lr=spec["learningRate"], weight_decay=spec["weightDecay"])
    images = (torch.rand(args.batch, *spec["input"]) - 0.5) * 2

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = batch_hard_triplet(model(images), spec["margin"])
        loss.backward()
        optimizer.step()

    warmup_start = time.perf_counter()
    warmed = 0
    while warmed < args.warmup or time.perf_counter() - warmup_start < args.warmup_seconds:
        warmed += 1
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
    print(f"RESULT torch {torch.__version__} architecture={spec['architecture']} activation={spec['activation']} "
          f"params={node_params(model)} trainable_params={params} batch={args.batch} steps={args.steps} "
          f"images_per_s={args.steps * args.batch / wall:.1f} median_step_ms={1000 * median(times):.1f} "
          f"median_images_per_s={args.batch / median(times):.1f} best_images_per_s={args.batch / min(times):.1f} "
          f"cores_busy={cpu / wall:.2f}")


if __name__ == "__main__":
    main()
