package io.facestream.dataset;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * LFW-style verification accuracy at the best threshold, chosen on the pairs themselves: the fraction of pairs a
 * rule "same identity iff distance <= t" gets right, maximised over t. 0.5 is chance on a balanced set.
 */
final class VerificationAccuracy {
    private VerificationAccuracy() {
    }

    static double best(double[] distance, boolean[] same) {
        if (distance.length != same.length || distance.length == 0) {
            throw new IllegalArgumentException("need as many labels as distances, at least one; got "
                    + distance.length + " and " + same.length);
        }
        Integer[] order = IntStream.range(0, distance.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> distance[i]));
        long positives = IntStream.range(0, same.length).filter(i -> same[i]).count();
        // threshold below every distance: everything called "different"
        long correct = same.length - positives;
        long best = correct;
        for (int k = 0; k < order.length; k++) {
            correct += same[order[k]] ? 1 : -1;
            boolean tieWithNext = k + 1 < order.length && distance[order[k + 1]] == distance[order[k]];
            if (!tieWithNext) {
                best = Math.max(best, correct);
            }
        }
        return best / (double) same.length;
    }
}
