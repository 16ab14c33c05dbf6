#!/usr/bin/env python3
"""Inference throughput of a FaceStream embedding network in PyTorch (CPU): the reference of InferenceBench.

Builds the network that TrainStepBench --describe prints (torch_mirror.py, checked node by node against DL4J's
shapes and parameter counts), folds its batch norms into the layers before them as the model service does, and
times `model(images)` in eval() mode under no_grad on one fixed random batch per size: warm-up calls, then timed calls until --seconds have passed and at least --min-calls were made. Prints one
RESULT line per batch size, like InferenceBench.

Usage: inference_torch.py SPEC.json [--batches 1,32] [--warmup 5] [--warmup-seconds 0] [--seconds 5] [--min-calls 5] [--threads 2]
"""
import argparse
import json
import time

import torch

from torch_mirror import build, fold_batch_norms, median, node_params


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spec")
    parser.add_argument("--batches", default="1,32")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--warmup-seconds", type=float, default=0.0,
                        help="warm up for at least this long too (as the JVM side does)")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--min-calls", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(42)
    with open(args.spec) as f:
        spec = json.load(f)
    model = build(spec).eval()
    # the same inference form as FaceStream's model service: batch norms folded into the layers before them,
    # checked to compute what the unfolded network does
    probe = (torch.rand(4, *spec["input"]) - 0.5) * 2
    with torch.no_grad():
        before = model(probe)
        folded = fold_batch_norms(model)
        after = model(probe)
    if not torch.allclose(before, after, atol=1e-4):
        raise SystemExit(f"folding the batch norms changed the embeddings by {(before - after).abs().max():.2e}")
    for batch in (int(b) for b in args.batches.split(",")):
        images = (torch.rand(batch, *spec["input"]) - 0.5) * 2
        with torch.no_grad():
            warmup_start = time.perf_counter()
            warmed = 0
            while warmed < args.warmup or time.perf_counter() - warmup_start < args.warmup_seconds:
                model(images)
                warmed += 1
            times = []
            cpu_start = time.process_time()
            start = time.perf_counter()
            while len(times) < args.min_calls or time.perf_counter() - start < args.seconds:
                t = time.perf_counter()
                model(images)
                times.append(time.perf_counter() - t)
            wall = time.perf_counter() - start
            cpu = time.process_time() - cpu_start
        print(f"RESULT torch {torch.__version__} inference architecture={spec['architecture']} "
              f"activation={spec['activation']} folded_batch_norms={folded} batch={batch} calls={len(times)} "
              f"images_per_s={len(times) * batch / wall:.1f} median_call_ms={1000 * median(times):.2f} "
              f"median_images_per_s={batch / median(times):.1f} best_images_per_s={batch / min(times):.1f} "
              f"cores_busy={cpu / wall:.2f}", flush=True)


if __name__ == "__main__":
    main()
