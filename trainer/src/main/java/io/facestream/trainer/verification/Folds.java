package io.facestream.trainer.verification;

/**
 * Contiguous folds over pairs in their given order, as scikit-learn's {@code KFold(k, shuffle=False)} cuts them:
 * every fold has {@code n / k} pairs and the first {@code n % k} folds one more.
 */
public final class Folds {

    private Folds() {
    }

    /**
     * The {@code k + 1} boundaries of {@code k} folds over {@code n} pairs: fold {@code f} is
     * {@code [bounds[f], bounds[f + 1])}.
     */
    public static int[] contiguous(int n, int k) {
        if (k < 2) {
            throw new IllegalArgumentException("cross-validation needs at least 2 folds, got " + k);
        }
        if (n < k) {
            throw new IllegalArgumentException(
                    k + "-fold cross-validation needs at least " + k + " pairs (one per fold), got " + n);
        }
        int[] bounds = new int[k + 1];
        for (int f = 0; f < k; f++) {
            bounds[f + 1] = bounds[f] + n / k + (f < n % k ? 1 : 0);
        }
        return bounds;
    }
}
