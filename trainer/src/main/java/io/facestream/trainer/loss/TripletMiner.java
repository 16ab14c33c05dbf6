package io.facestream.trainer.loss;

/**
 * Turns a batch of embeddings laid out as identity pairs into triplets. Rows {@code (2i, 2i+1)} hold two
 * images of one identity and the identities of different pairs are distinct, so identity is positional and
 * no labels are needed. Plain Java on {@code double} so it can be checked alone; the distances come from the
 * registry ({@link io.facestream.trainer.verification.DistanceFunctions#squaredL2Table}).
 */
public final class TripletMiner {

    private final TripletMode mode;
    private final Mining mining;
    private final double margin;

    /**
     * @param mode   how triplets are formed
     * @param mining negative selection in {@link TripletMode#BATCH} (ignored by {@link TripletMode#SEED})
     * @param margin the hinge margin alpha, {@code >= 0}
     */
    public TripletMiner(TripletMode mode, Mining mining, double margin) {
        if (mode == null || mining == null) {
            throw new IllegalArgumentException("triplet mode and mining must be set, got " + mode + ", " + mining);
        }
        if (!(margin >= 0) || Double.isInfinite(margin)) {
            throw new IllegalArgumentException("triplet margin must be a finite number >= 0, got " + margin);
        }
        this.mode = mode;
        this.mining = mining;
        this.margin = margin;
    }

    /**
     * Chooses the triplets of one batch.
     *
     * @param dist squared distances {@code [2B][2B]} ({@code DistanceFunctions.squaredL2Table}) of a batch of {@code B >= 2} pairs
     * @return one triplet per anchor row in {@link TripletMode#BATCH} ({@code 2B}, anchor {@code r} at index
     *     {@code r}), one per pair in {@link TripletMode#SEED} ({@code B}, anchor {@code 2i} at index {@code i})
     */
    public Triplets mine(double[][] dist) {
        int rows = dist.length;
        if (rows < 4 || rows % 2 != 0) {
            throw new IllegalArgumentException(
                    "a triplet batch needs an even number of rows >= 4 (at least 2 identity pairs), got " + rows);
        }
        return mode == TripletMode.SEED ? seed(dist) : batch(dist);
    }

    private Triplets seed(double[][] dist) {
        int pairs = dist.length / 2;
        Triplets t = allocate(pairs);
        for (int i = 0; i < pairs; i++) {
            fill(t, i, 2 * i, 2 * i + 1, 2 * ((i + 1) % pairs), dist);
        }
        return t;
    }

    private Triplets batch(double[][] dist) {
        int rows = dist.length;
        Triplets t = allocate(rows);
        for (int anchor = 0; anchor < rows; anchor++) {
            int positive = anchor ^ 1;
            int negative = mining == Mining.HARD
                    ? closestNegative(dist[anchor], anchor, Double.NEGATIVE_INFINITY)
                    : semiHardNegative(dist[anchor], anchor, dist[anchor][positive]);
            fill(t, anchor, anchor, positive, negative, dist);
        }
        return t;
    }

    /** The closest negative farther than the positive, else (as TensorFlow) the farthest negative. */
    private static int semiHardNegative(double[] fromAnchor, int anchor, double positiveDistance) {
        int outside = closestNegative(fromAnchor, anchor, positiveDistance);
        return outside >= 0 ? outside : farthestNegative(fromAnchor, anchor);
    }

    /** The lowest-distance negative strictly farther than {@code above}; -1 when none is. First index wins ties. */
    private static int closestNegative(double[] fromAnchor, int anchor, double above) {
        int best = -1;
        int pair = anchor >> 1;
        for (int j = 0; j < fromAnchor.length; j++) {
            if ((j >> 1) != pair && fromAnchor[j] > above && (best < 0 || fromAnchor[j] < fromAnchor[best])) {
                best = j;
            }
        }
        return best;
    }

    private static int farthestNegative(double[] fromAnchor, int anchor) {
        int best = -1;
        int pair = anchor >> 1;
        for (int j = 0; j < fromAnchor.length; j++) {
            if ((j >> 1) != pair && (best < 0 || fromAnchor[j] > fromAnchor[best])) {
                best = j;
            }
        }
        return best;
    }

    private static Triplets allocate(int count) {
        return new Triplets(new int[count], new int[count], new int[count],
                new double[count], new double[count], new double[count]);
    }

    private void fill(Triplets t, int index, int anchor, int positive, int negative, double[][] dist) {
        t.anchors()[index] = anchor;
        t.positives()[index] = positive;
        t.negatives()[index] = negative;
        double ap = dist[anchor][positive];
        double an = dist[anchor][negative];
        t.positiveDistances()[index] = ap;
        t.negativeDistances()[index] = an;
        t.losses()[index] = Math.max(0, ap - an + margin);
    }
}
