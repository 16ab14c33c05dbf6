#!/usr/bin/env python3
"""Reference numbers for io.facestream.trainer.verification, computed the way facenet's lfw.py / insightface compute them.

Writes a seeded random set of labelled squared-L2 distances as CSV and the metrics numpy/sklearn give for it as
JSON, in the shape of VerificationReport.toJson(). LfwReferenceTest reads both and compares to 1e-9.

    python3 bench/lfw_reference.py --seed 20240611 --pairs 603 \
        --out-dir trainer/src/test/resources/verification

Needs numpy, scikit-learn and scipy (Debian: apt-get install -y python3-numpy python3-sklearn).

Faithful to facenet's calculate_roc / calculate_accuracy / calculate_val / calculate_val_far, with two changes
that facenet's code needs to run on every input:
- a rate whose denominator is 0 is 0 (facenet divides by zero);
- VAL's threshold is interpolated linearly between the last threshold with training FAR <= 1e-3 and the next one;
  scipy's interp1d(far_train, thresholds, kind='slinear') refuses the repeated FAR values every curve has.
EER: facenet's brentq over interp1d(fpr, tpr) hits 0/0 on repeated FPR values at x = 0; np.interp is used instead.
"""
import argparse
import json
import os

import numpy as np
import scipy
import sklearn
from scipy.optimize import brentq
from sklearn import metrics
from sklearn.model_selection import KFold

NROF_FOLDS = 10
FAR_TARGET = 1e-3


def rate(numerator, denominator):
    return 0.0 if denominator == 0 else float(numerator) / float(denominator)


def calculate_accuracy(threshold, dist, actual_issame):
    predict_issame = np.less(dist, threshold)
    tp = np.sum(np.logical_and(predict_issame, actual_issame))
    fp = np.sum(np.logical_and(predict_issame, np.logical_not(actual_issame)))
    tn = np.sum(np.logical_and(np.logical_not(predict_issame), np.logical_not(actual_issame)))
    fn = np.sum(np.logical_and(np.logical_not(predict_issame), actual_issame))
    tpr = rate(tp, tp + fn)
    fpr = rate(fp, fp + tn)
    acc = float(tp + tn) / dist.size
    return tpr, fpr, acc, (int(tp), int(fp), int(tn), int(fn))


def calculate_roc(thresholds, dist, actual_issame):
    k_fold = KFold(n_splits=NROF_FOLDS, shuffle=False)
    tprs = np.zeros((NROF_FOLDS, len(thresholds)))
    fprs = np.zeros((NROF_FOLDS, len(thresholds)))
    accuracy = np.zeros(NROF_FOLDS)
    best_thresholds = np.zeros(NROF_FOLDS)
    fold_sizes = []
    for fold_idx, (train_set, test_set) in enumerate(k_fold.split(np.arange(len(dist)))):
        fold_sizes.append(len(test_set))
        acc_train = np.zeros(len(thresholds))
        for threshold_idx, threshold in enumerate(thresholds):
            _, _, acc_train[threshold_idx], _ = calculate_accuracy(threshold, dist[train_set], actual_issame[train_set])
        best_threshold_index = np.argmax(acc_train)
        for threshold_idx, threshold in enumerate(thresholds):
            tprs[fold_idx, threshold_idx], fprs[fold_idx, threshold_idx], _, _ = calculate_accuracy(
                threshold, dist[test_set], actual_issame[test_set])
        _, _, accuracy[fold_idx], _ = calculate_accuracy(
            thresholds[best_threshold_index], dist[test_set], actual_issame[test_set])
        best_thresholds[fold_idx] = thresholds[best_threshold_index]
    return np.mean(tprs, 0), np.mean(fprs, 0), accuracy, best_thresholds, fold_sizes


def calculate_val_far(threshold, dist, actual_issame):
    predict_issame = np.less(dist, threshold)
    true_accept = np.sum(np.logical_and(predict_issame, actual_issame))
    false_accept = np.sum(np.logical_and(predict_issame, np.logical_not(actual_issame)))
    n_same = np.sum(actual_issame)
    n_diff = np.sum(np.logical_not(actual_issame))
    return rate(true_accept, n_same), rate(false_accept, n_diff)


def far_threshold(far_train, thresholds):
    if np.max(far_train) < FAR_TARGET:
        return 0.0
    at_or_below = np.nonzero(far_train <= FAR_TARGET)[0]
    if len(at_or_below) == 0:
        return thresholds[0]
    last = at_or_below[-1]
    if last == len(thresholds) - 1:
        return thresholds[last]
    t = (FAR_TARGET - far_train[last]) / (far_train[last + 1] - far_train[last])
    return thresholds[last] + t * (thresholds[last + 1] - thresholds[last])


def calculate_val(thresholds, dist, actual_issame):
    k_fold = KFold(n_splits=NROF_FOLDS, shuffle=False)
    val = np.zeros(NROF_FOLDS)
    far = np.zeros(NROF_FOLDS)
    for fold_idx, (train_set, test_set) in enumerate(k_fold.split(np.arange(len(dist)))):
        far_train = np.zeros(len(thresholds))
        for threshold_idx, threshold in enumerate(thresholds):
            _, far_train[threshold_idx] = calculate_val_far(threshold, dist[train_set], actual_issame[train_set])
        threshold = far_threshold(far_train, thresholds)
        val[fold_idx], far[fold_idx] = calculate_val_far(threshold, dist[test_set], actual_issame[test_set])
    return np.mean(val), np.std(val), np.mean(far)


def make_pairs(seed, n):
    rng = np.random.default_rng(seed)
    same = rng.random(n) < 0.5
    dist = np.where(same, rng.normal(0.9, 0.35, n), rng.normal(1.7, 0.35, n))
    dist = np.clip(dist, 0.0, 3.98)
    # Some distances sit exactly on thresholds of either grid, so "same iff distance < threshold" is exercised
    # on equality.
    on_grid = rng.choice(n, size=n // 20, replace=False)
    dist[on_grid[::2]] = np.arange(0, 4, 0.01)[rng.integers(40, 300, len(on_grid[::2]))]
    dist[on_grid[1::2]] = np.arange(0, 4, 0.001)[rng.integers(400, 3000, len(on_grid[1::2]))]
    return dist, same


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--pairs", type=int, default=603)
    parser.add_argument("--threshold", type=float, default=1.2)
    parser.add_argument("--out-dir", default="trainer/src/test/resources/verification")
    args = parser.parse_args()

    dist, same = make_pairs(args.seed, args.pairs)
    thresholds = np.arange(0, 4, 0.01)
    val_thresholds = np.arange(0, 4, 0.001)

    tpr, fpr, accuracy, best_thresholds, fold_sizes = calculate_roc(thresholds, dist, same)
    val_mean, val_std, far_mean = calculate_val(val_thresholds, dist, same)
    auc = metrics.auc(fpr, tpr)
    eer = brentq(lambda x: 1.0 - x - np.interp(x, fpr, tpr), 0.0, 1.0)
    at_tpr, at_fpr, at_acc, (tp, fp, tn, fn) = calculate_accuracy(args.threshold, dist, same)

    produced = (f"bench/lfw_reference.py --seed {args.seed} --pairs {args.pairs} --threshold {args.threshold}"
                f" with numpy {np.__version__}, scikit-learn {sklearn.__version__}, scipy {scipy.__version__}")
    report = {
        "_producedBy": produced,
        "distance": "squared-l2",
        "tp": tp, "fp": fp, "tn": tn, "fn": fn,
        "tpr": at_tpr, "fpr": at_fpr, "accuracy": at_acc, "threshold": args.threshold,
        "lfw": {
            "foldSizes": fold_sizes,
            "accuracyMean": float(np.mean(accuracy)),
            "accuracyStd": float(np.std(accuracy)),
            "foldAccuracies": [float(a) for a in accuracy],
            "bestThresholds": [float(t) for t in best_thresholds],
            "valMean": float(val_mean),
            "valStd": float(val_std),
            "farMean": float(far_mean),
            "auc": float(auc),
            "eer": float(eer),
            "roc": [{"threshold": float(t), "tpr": float(p), "fpr": float(f)}
                    for t, p, f in zip(thresholds, tpr, fpr)],
        },
    }
    stem = f"reference-seed{args.seed}-n{args.pairs}"
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, stem + ".csv"), "w") as out:
        out.write(f"# produced by {produced}\n")
        out.write("distance,same\n")
        for d, s in zip(dist, same):
            out.write(f"{float(d)!r},{int(s)}\n")
    with open(os.path.join(args.out_dir, stem + ".json"), "w") as out:
        json.dump(report, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
